package peer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/pybtc/pybtc/consensus"
)

// Errors of an exchange with a peer, besides timeouts, which surface as
// context.DeadlineExceeded.
var (
	// ErrTooLarge: the answer was longer than the cap.
	ErrTooLarge = errors.New("answer too large")
	// ErrMalformed: the answer was not what the protocol says.
	ErrMalformed = errors.New("malformed answer")
	// ErrStatus: the peer answered with a status other than 2xx.
	ErrStatus = errors.New("unexpected status")
)

// Client talks to other nodes over the tutorial's HTTP protocol. Use
// NewClient; the fields may be changed before first use.
type Client struct {
	// HTTP sends the requests. Its transport bounds connecting; the
	// timeouts below bound each call as a whole.
	HTTP *http.Client
	// RequestTimeout bounds a small exchange: register, relay, announce.
	RequestTimeout time.Duration
	// ChainTimeout bounds a chain fetch.
	ChainTimeout time.Duration
	// MaxSmallBytes caps the answer to a small exchange.
	MaxSmallBytes int64
	// MaxChainBytes caps a chain answer.
	MaxChainBytes int64
}

// NewClient returns a Client with a 3-second connect timeout, 5 seconds per
// small exchange, 60 per chain fetch, and answers capped at 64 KiB and
// 64 MiB.
func NewClient() *Client {
	transport := &http.Transport{
		Proxy:                 nil, // peers are addressed directly
		DialContext:           (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   3 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
	}
	return &Client{
		HTTP: &http.Client{
			Transport: transport,
			// A peer that redirects is not where it says it is.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		RequestTimeout: 5 * time.Second,
		ChainTimeout:   60 * time.Second,
		MaxSmallBytes:  64 << 10,
		MaxChainBytes:  64 << 20,
	}
}

// Register asks target to add node as a peer: POST /nodes/register with
// {"nodes": "<node>"}, the tutorial's form.
func (c *Client) Register(ctx context.Context, target, node URL) error {
	body := consensus.AppendCompact(nil, consensus.ObjectValue(
		consensus.Member{Key: "nodes", Value: consensus.StringValue(node.String())}))
	_, err := c.exchange(ctx, http.MethodPost, target.String()+"/nodes/register", body, c.RequestTimeout, c.MaxSmallBytes)
	if err != nil {
		return fmt.Errorf("register %s with %s: %w", node, target, err)
	}
	return nil
}

// RelayTransaction passes the transaction tx (its JSON object) on to
// target with "type": "sharing", so target does not relay it again; the
// timestamp goes along, so target stores the same transaction id.
func (c *Client) RelayTransaction(ctx context.Context, target URL, tx []byte) error {
	v, err := consensus.Parse(tx)
	if err != nil || v.Kind != consensus.Object {
		return fmt.Errorf("relay to %s: transaction is not a JSON object", target)
	}
	members := append([]consensus.Member{}, v.Obj...)
	members = append(members, consensus.Member{Key: "type", Value: consensus.StringValue("sharing")})
	body := consensus.AppendCompact(nil, consensus.ObjectValue(members...))
	if _, err := c.exchange(ctx, http.MethodPost, target.String()+"/transactions/new", body, c.RequestTimeout, c.MaxSmallBytes); err != nil {
		return fmt.Errorf("relay to %s: %w", target, err)
	}
	return nil
}

// AnnounceBlock tells target that self mined a block with nonce: GET
// /nodes/resolve with {"miner_node", "new_nonce"} as a JSON body and a
// correct Content-Type, which tutorial nodes need to read it.
func (c *Client) AnnounceBlock(ctx context.Context, target, self URL, nonce int64) error {
	body := consensus.AppendCompact(nil, consensus.ObjectValue(
		consensus.Member{Key: "miner_node", Value: consensus.StringValue(self.String())},
		consensus.Member{Key: "new_nonce", Value: consensus.IntValue(nonce)}))
	if _, err := c.exchange(ctx, http.MethodGet, target.String()+"/nodes/resolve", body, c.RequestTimeout, c.MaxSmallBytes); err != nil {
		return fmt.Errorf("announce to %s: %w", target, err)
	}
	return nil
}

// Chain is a peer's answer to GET /chain.
type Chain struct {
	// Blocks are the blocks sent, as they came.
	Blocks []consensus.Value
	// Length is the peer's whole chain length.
	Length int64
	// Full is true when the answer starts at block 1: the whole chain was
	// asked for, or the peer (a tutorial node) ignores ?since.
	Full bool
}

// FetchChain asks target for its blocks from since on, at most limit of
// them (0: no limit). A pyBTC peer answers just those; a tutorial peer
// answers its whole chain, which Full then reports.
func (c *Client) FetchChain(ctx context.Context, target URL, since, limit int64) (Chain, error) {
	url := target.String() + "/chain?since=" + strconv.FormatInt(since, 10)
	if limit > 0 {
		url += "&limit=" + strconv.FormatInt(limit, 10)
	}
	body, err := c.exchange(ctx, http.MethodGet, url, nil, c.ChainTimeout, c.MaxChainBytes)
	if err != nil {
		return Chain{}, fmt.Errorf("fetch chain from %s: %w", target, err)
	}
	ch, err := decodeChain(body, since)
	if err != nil {
		return Chain{}, fmt.Errorf("fetch chain from %s: %w", target, err)
	}
	return ch, nil
}

func decodeChain(body []byte, since int64) (Chain, error) {
	v, err := consensus.Parse(body)
	if err != nil {
		return Chain{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	chain, okChain := v.Get("chain")
	length, okLength := v.Get("length")
	if v.Kind != consensus.Object || !okChain || chain.Kind != consensus.Array || !okLength || length.Kind != consensus.Number {
		return Chain{}, fmt.Errorf("%w: want {\"chain\": [...], \"length\": N}", ErrMalformed)
	}
	n, ok := length.Num.Int64()
	if !ok || n < int64(len(chain.Arr)) {
		return Chain{}, fmt.Errorf("%w: length %s does not fit %d blocks", ErrMalformed, length.Num.Text, len(chain.Arr))
	}
	for i, b := range chain.Arr {
		if b.Kind != consensus.Object {
			return Chain{}, fmt.Errorf("%w: block %d is not an object", ErrMalformed, i)
		}
	}
	full := since <= 1
	if len(chain.Arr) > 0 {
		if index, ok := chain.Arr[0].Get("index"); ok && index.Num.Text == "1" {
			full = true
		}
	}
	return Chain{Blocks: chain.Arr, Length: n, Full: full}, nil
}

// exchange sends one request and reads at most limit bytes of a 2xx answer
// within timeout.
func (c *Client) exchange(ctx context.Context, method, url string, body []byte, timeout time.Duration, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, reader)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, unwrapTimeout(ctx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, unwrapTimeout(ctx, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet := data
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		return nil, fmt.Errorf("%w: %d %s", ErrStatus, resp.StatusCode, bytes.TrimSpace(snippet))
	}
	return data, nil
}

// unwrapTimeout makes a call cut short by its deadline report
// context.DeadlineExceeded, whatever layer noticed first.
func unwrapTimeout(ctx context.Context, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w: %v", ctx.Err(), err)
	}
	return err
}

// Backoff returns how long to leave a peer alone after failures
// consecutive failures: nothing after none, then 1 s, 2 s, 4 s … at most
// 5 minutes.
func Backoff(failures int) time.Duration {
	if failures <= 0 {
		return 0
	}
	const ceiling = 5 * time.Minute
	d := time.Second
	for i := 1; i < failures && d < ceiling; i++ {
		d *= 2
	}
	return min(d, ceiling)
}
