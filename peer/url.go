package peer

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pybtc/pybtc"
)

// URL is a validated peer address: scheme http or https, a host and a
// port, nothing else. Only ParseURL makes one, so a URL in hand is always
// safe to build requests from and compares equal to another naming the
// same address in the same spelling.
type URL struct {
	Scheme string // "http" or "https"
	Host   string // host:port, with the host lowercased and an IPv6 address in brackets
}

// String returns the URL in the form peers exchange, e.g.
// "http://127.0.0.1:5001".
func (u URL) String() string { return u.Scheme + "://" + u.Host }

// Netloc returns host:port, e.g. "127.0.0.1:5001": the form a tutorial
// node lists in "total_nodes".
func (u URL) Netloc() string { return u.Host }

// maxURLLength bounds the addresses the node accepts; real ones are a few
// dozen bytes, and the bound keeps a hostile registration from filling
// the peers table or the logs.
const maxURLLength = 2048

// maxHostLength is the longest DNS name.
const maxHostLength = 253

// ParseURL validates s as a peer address: scheme http or https (in any
// case), a host name or IP address (IPv6 in brackets), an explicit port
// from 1 to 65535, and nothing else (no user name or password, no query,
// no fragment, no path beyond "/"). The scheme and host are lowercased
// and an IPv6 address written in its shortest form, so that one node has
// one spelling. A refusal is a *pybtc.Error with code EINVALID whose
// message names the rule that s breaks.
func ParseURL(s string) (URL, error) {
	if len(s) > maxURLLength {
		return refuse(s, "length")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return refuse(s, "spaces")
		}
	}
	scheme, rest, ok := strings.Cut(s, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "http" && scheme != "https") {
		return refuse(s, "scheme")
	}
	// A '#' or '?' can appear in no valid part of a peer address, so
	// finding one anywhere is enough.
	if strings.Contains(rest, "#") {
		return refuse(s, "fragment")
	}
	if strings.Contains(rest, "?") {
		return refuse(s, "query")
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if strings.Contains(authority, "@") {
		return refuse(s, "userinfo")
	}
	if path != "" && path != "/" {
		return refuse(s, "path")
	}

	var host, port string
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return refuse(s, "ipv6_unclosed")
		}
		addr, err := netip.ParseAddr(authority[1:end])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			// A zone names an interface of the sender and means nothing
			// to the peers the address is passed on to.
			return refuse(s, "ipv6")
		}
		host = addr.String()
		after := authority[end+1:]
		if after == "" {
			return refuse(s, "port_missing")
		}
		if after[0] != ':' {
			return refuse(s, "port_after")
		}
		port = after[1:]
	} else {
		i := strings.LastIndexByte(authority, ':')
		if i < 0 {
			if authority == "" {
				return refuse(s, "host_missing")
			}
			return refuse(s, "port_missing")
		}
		host, port = strings.ToLower(authority[:i]), authority[i+1:]
		if host == "" {
			return refuse(s, "host_missing")
		}
		if !validHostName(host) {
			return refuse(s, "host_name")
		}
	}
	if !validPort(port) {
		return refuse(s, "port")
	}
	return URL{Scheme: scheme, Host: net.JoinHostPort(host, port)}, nil
}

// validHostName accepts DNS names and dotted IPv4 addresses. '_' is
// allowed because local networks use it in names even though DNS does not.
func validHostName(h string) bool {
	if len(h) > maxHostLength {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || label[0] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// validPort accepts a decimal port from 1 to 65535 without leading zeros,
// so that every port has one spelling and URLs that name the same port
// compare equal.
func validPort(p string) bool {
	if p == "" || len(p) > 5 || p[0] == '0' {
		return false
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == p
}

// refuse returns the EINVALID refusal of s for breaking rule (a rule name
// of pybtc.ReasonPeerURL), keeping s short enough to stay readable in a
// 400 answer and a log line.
func refuse(s, rule string) (URL, error) {
	const shown = 80
	if len(s) > shown {
		cut := shown
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return URL{}, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonPeerURL, pybtc.Args{Field: rule, URL: s, Limit: maxURLLength})
}

// SameNode reports whether a and b name the same node: the same host and
// port, whatever the scheme, counting every name of this machine as one
// host: localhost, the loopback addresses (all of 127.0.0.0/8 and ::1) and
// the wildcard addresses (0.0.0.0, ::), in any spelling, IPv4-mapped IPv6
// included. A node listening on 0.0.0.0:5000 is reached at each of them,
// and the tutorial swaps these spellings freely.
func SameNode(a, b URL) bool {
	ah, ap, errA := net.SplitHostPort(a.Host)
	bh, bp, errB := net.SplitHostPort(b.Host)
	if errA != nil || errB != nil {
		return a == b
	}
	return ap == bp && (ah == bh || IsLocalHost(ah) && IsLocalHost(bh))
}

// Port returns the URL's port, e.g. "5001".
func (u URL) Port() string {
	_, port, _ := net.SplitHostPort(u.Host)
	return port
}

// Addr returns the URL's host as an IP address, in any spelling a
// resolver accepts (IPv4-mapped IPv6 unmapped, "127.1", "0x7f000001"), or
// false for a host name.
func (u URL) Addr() (netip.Addr, bool) {
	h, _, err := net.SplitHostPort(u.Host)
	if err != nil {
		return netip.Addr{}, false
	}
	return hostAddr(h)
}

// IsLocalHost reports whether host names this machine whatever its
// network: localhost (and names under .localhost, RFC 6761), a loopback
// or a wildcard address.
func IsLocalHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	addr, ok := hostAddr(host)
	return ok && (addr.IsLoopback() || addr.IsUnspecified())
}

func hostAddr(h string) (netip.Addr, bool) {
	if addr, err := netip.ParseAddr(h); err == nil {
		return addr.Unmap(), true
	}
	return parseInetAton(h)
}

// parseInetAton reads the IPv4 spellings that C resolvers accept besides
// the dotted quad: one to four parts, each decimal, octal (leading 0) or
// hexadecimal (0x), the last filling the remaining bytes; "127.1" and
// "2130706433" are 127.0.0.1 to them.
func parseInetAton(h string) (netip.Addr, bool) {
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var nums [4]uint64
	for i, p := range parts {
		base := 10
		switch {
		case len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X"):
			base, p = 16, p[2:]
		case len(p) > 1 && p[0] == '0':
			base, p = 8, p[1:]
		}
		n, err := strconv.ParseUint(p, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	last := len(parts) - 1
	var v uint64
	for i := range last {
		if nums[i] > 0xff {
			return netip.Addr{}, false
		}
		v |= nums[i] << (24 - 8*i)
	}
	if nums[last] >= 1<<(32-8*last) {
		return netip.Addr{}, false
	}
	v |= nums[last]
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}
