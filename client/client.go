// Package client talks to a pyBTC node over HTTP, as "pybtc status",
// "pybtc send" and the other command-line subcommands do.
//
// Each method sends one request, bounded by its context, and returns the
// answer decoded into a Go struct whose Raw field keeps the node's JSON as it
// came, byte for byte. Amounts stay json.Number, so they are never rounded
// through float64.
//
// # Errors
//
// A node that answers with a status outside 2xx gives a *Error with that
// status and the node's {"message"}: a 4xx is a refusal (Error.Refused), the
// request was understood and turned down; a 5xx means the node failed. An
// answer longer than the method's limit gives an error wrapping
// ErrTooLarge. Anything else (no connection, a timeout, an answer that is not
// the expected JSON) is returned wrapped with the request it came from.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/pybtc/pybtc/internal/httpcap"
)

// Limits on the size of an answer, so that a broken or hostile server cannot
// make the client read without end.
const (
	// MaxChainBytes bounds GET /chain, which holds whole blocks; it is the
	// same cap nodes put on each other's chains.
	MaxChainBytes = 64 << 20
	// MaxAnswerBytes bounds every other answer.
	MaxAnswerBytes = 1 << 20
)

// ErrTooLarge is wrapped by the error of a request whose answer exceeds its
// limit.
var ErrTooLarge = httpcap.ErrTooLarge

// Error is a node's answer with a status outside 2xx.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Message is the node's {"message"}, as it wrote it; for an answer
	// without one, the start of its body or the status text.
	Message string
}

// Error returns the status and the message.
func (e *Error) Error() string {
	return fmt.Sprintf("node answered %d: %s", e.Status, e.Message)
}

// Refused reports whether the node turned the request down (a 4xx): asking
// again the same way gets the same answer.
func (e *Error) Refused() bool { return e.Status >= 400 && e.Status < 500 }

// Client sends requests to one node. It holds no state between calls and is
// safe for concurrent use.
type Client struct {
	base string
	http *http.Client
}

// New returns a client of the node at nodeURL, an http or https URL such as
// http://127.0.0.1:5000 (a path is kept as a prefix of every route). hc may
// be nil, meaning a new http.Client without a timeout: each call's context
// bounds it.
func New(nodeURL string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(nodeURL)
	if err != nil {
		return nil, fmt.Errorf("node URL %q: %w", nodeURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("node URL %q: want http://host:port", nodeURL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("node URL %q: want no query, fragment or user", nodeURL)
	}
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{base: strings.TrimRight(u.String(), "/"), http: hc}, nil
}

// URL returns the node's URL, without a trailing slash.
func (c *Client) URL() string { return c.base }

// do sends one request to path (already escaped) and decodes a 2xx answer
// of at most limit bytes into v, unless v is nil. It returns the answer's
// body.
func (c *Client) do(ctx context.Context, method, path string, body []byte, limit int64, v any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error already names the method and the URL.
		return nil, err
	}
	defer resp.Body.Close()
	data, err := httpcap.ReadAll(resp, limit)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, c.base+path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &Error{Status: resp.StatusCode, Message: messageOf(resp.StatusCode, data)}
	}
	if v == nil {
		return data, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("%s %s: decode answer: %w", method, c.base+path, err)
	}
	return data, nil
}

// messageOf finds what a failed answer says: the node's {"message"}, or,
// from something that is not a pyBTC node, the first line of the body.
func messageOf(status int, body []byte) string {
	var m struct {
		Message *string `json:"message"`
	}
	if json.Unmarshal(body, &m) == nil && m.Message != nil {
		return *m.Message
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	if len(line) > 200 {
		line = line[:200]
		for !utf8.ValidString(line) {
			line = line[:len(line)-1]
		}
		line += "…"
	}
	if line == "" {
		return http.StatusText(status)
	}
	return line
}
