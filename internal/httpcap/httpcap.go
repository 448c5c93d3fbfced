// Package httpcap reads HTTP answers up to a cap, so that a broken or
// hostile server cannot make a client read, or hold in memory, without end.
// The command-line client and the peer-to-peer client both read through it.
package httpcap

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrTooLarge is wrapped by the error of an answer longer than its cap.
var ErrTooLarge = errors.New("answer too large")

// Reader reads at most a cap of bytes of an answer and notes whether the
// answer had more, and the first read error other than the end. Past the
// cap a Read fails with ErrTooLarge, so a decoder reading through it stops.
type Reader struct {
	r    io.Reader
	left int64
	over bool
	err  error
}

// NewReader returns a Reader of at most limit bytes of r.
func NewReader(r io.Reader, limit int64) *Reader {
	return &Reader{r: r, left: limit}
}

// Body returns a Reader of resp's body capped at limit, or an error
// wrapping ErrTooLarge when the answer announces more: then nothing of it
// needs reading.
func Body(resp *http.Response, limit int64) (*Reader, error) {
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %d bytes announced, at most %d allowed", ErrTooLarge, resp.ContentLength, limit)
	}
	return NewReader(resp.Body, limit), nil
}

// ReadAll reads resp's whole body if it is at most limit bytes; a longer
// one gives an error wrapping ErrTooLarge.
func ReadAll(resp *http.Response, limit int64) ([]byte, error) {
	r, err := Body(resp, limit)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(r)
	if r.Over() {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	return data, nil
}

// Over reports whether the answer went on past the cap.
func (c *Reader) Over() bool { return c.over }

// Err returns the first read error other than the end of the answer, or
// nil.
func (c *Reader) Err() error { return c.err }

func (c *Reader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more than the cap tells a full answer from a cut one.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			c.over = true
			return 0, ErrTooLarge
		}
		if err != nil && err != io.EOF {
			c.err = err
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}
