package api

import "net"

// The tutorial's /mine announces blocks with a misspelled header,
// "Content=Type: application/json". Go's HTTP server refuses a header name
// with "=" before any handler runs, closing the connection on a client
// still sending its body, which makes the tutorial's /mine fail with a
// reset connection. Repairing the one byte as it arrives lets the request
// through and the announcement be heard.
const misspelledPrefix = "\r\nContent" // followed by '=' instead of '-'

// repairListener wraps accepted connections with headerRepairConn.
type repairListener struct{ net.Listener }

func (l repairListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &headerRepairConn{Conn: c}, nil
}

// headerRepairConn turns "\r\nContent=" into "\r\nContent-" in what it
// reads. A header name cannot contain "=" and a JSON or form body cannot
// contain a raw line break followed by that word, so nothing valid is
// changed. The bytes before each '=' may have arrived in an earlier read,
// so the last few bytes read are kept.
type headerRepairConn struct {
	net.Conn
	tail [len(misspelledPrefix)]byte // the last bytes read, oldest first
	seen int                         // how many of tail are filled
}

func (c *headerRepairConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.repair(p[:n])
	return n, err
}

func (c *headerRepairConn) repair(b []byte) {
	const k = len(misspelledPrefix)
	for i, ch := range b {
		if ch == '=' && c.precededByPrefix(b, i) {
			b[i] = '-'
		}
	}
	// Remember the last k bytes for the next read.
	if len(b) >= k {
		copy(c.tail[:], b[len(b)-k:])
		c.seen = k
		return
	}
	keep := min(c.seen, k-len(b))
	copy(c.tail[:], c.tail[c.seen-keep:c.seen])
	copy(c.tail[keep:], b)
	c.seen = keep + len(b)
}

// precededByPrefix reports whether the k bytes before b[i] (some perhaps
// from earlier reads) are misspelledPrefix.
func (c *headerRepairConn) precededByPrefix(b []byte, i int) bool {
	const k = len(misspelledPrefix)
	for j := 1; j <= k; j++ {
		var ch byte
		if i-j >= 0 {
			ch = b[i-j]
		} else if back := j - i; back <= c.seen {
			ch = c.tail[c.seen-back]
		} else {
			return false
		}
		if ch != misspelledPrefix[k-j] {
			return false
		}
	}
	return true
}
