package peer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/internal/httpcap"
	"github.com/pybtc/pybtc/wire"
)

// ErrTooLarge is wrapped by the error of a call whose answer was longer
// than the Client's cap for it.
var ErrTooLarge = httpcap.ErrTooLarge

// ErrMalformed is wrapped by the error of a call whose answer was not what
// the protocol says: not JSON, or JSON of the wrong shape.
var ErrMalformed = errors.New("malformed answer")

// ErrStatus is wrapped by the error of a call that a peer answered with a
// status other than 2xx, redirects included. The error's text carries the
// status and the start of the answer, which usually says why.
var ErrStatus = errors.New("unexpected status")

// Defaults of NewClient.
const (
	defaultConnectTimeout = 3 * time.Second
	defaultHeaderTimeout  = 10 * time.Second
	defaultRequestTimeout = 5 * time.Second
	defaultChainTimeout   = 60 * time.Second
	defaultMaxSmallBytes  = 64 << 10
	defaultMaxChainBytes  = 64 << 20
	maxHeaderBytes        = 64 << 10
	// snippetBytes is how much of a refusal's body an error quotes.
	snippetBytes = 200
	// drainBytes is how much of an unwanted body is read so that the
	// connection can serve the next call; beyond it, closing is cheaper.
	drainBytes = 4 << 10
)

// Client talks to other nodes over the tutorial's HTTP protocol. Make one
// with NewClient; its fields may be changed before first use and it is
// safe for concurrent use afterwards. A field left at zero (in a Client
// not made by NewClient) takes the default NewClient would have set.
type Client struct {
	// HTTP sends the requests. NewClient's transport has a connect
	// timeout and a response-header timeout, and refuses redirects. It
	// has no client-level Timeout: each call's context bounds it, with
	// the timeout below that fits the call.
	HTTP *http.Client
	// RequestTimeout bounds a small exchange as a whole (register,
	// relay, announce): connecting, sending and reading the answer.
	RequestTimeout time.Duration
	// ChainTimeout bounds a chain fetch as a whole.
	ChainTimeout time.Duration
	// MaxSmallBytes is how much of the answer to a small exchange is
	// read. Only its status matters, so a longer answer (a tutorial node
	// answers an announcement with its whole chain) is cut off rather
	// than refused.
	MaxSmallBytes int64
	// MaxChainBytes caps a chain answer; a longer one fails with
	// ErrTooLarge.
	MaxChainBytes int64
}

// NewClient returns a Client that connects within 3 seconds, allows 5
// seconds per small exchange and 60 per chain fetch, reads at most 64 KiB
// of a small answer and 64 MiB of a chain, and follows no redirects.
func NewClient() *Client {
	return &Client{
		HTTP:           newHTTPClient(),
		RequestTimeout: defaultRequestTimeout,
		ChainTimeout:   defaultChainTimeout,
		MaxSmallBytes:  defaultMaxSmallBytes,
		MaxChainBytes:  defaultMaxChainBytes,
	}
}

func newHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: defaultConnectTimeout, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			// Peers are addressed directly; an environment proxy meant
			// for browsing must not sit between nodes.
			Proxy:                  nil,
			DialContext:            dialer.DialContext,
			TLSHandshakeTimeout:    defaultConnectTimeout,
			ResponseHeaderTimeout:  defaultHeaderTimeout,
			MaxResponseHeaderBytes: maxHeaderBytes,
			ExpectContinueTimeout:  time.Second,
			MaxIdleConns:           64,
			MaxIdleConnsPerHost:    4,
			IdleConnTimeout:        90 * time.Second,
		},
		// A peer that redirects is not where it says it is, and
		// following it would let any peer aim this node's requests
		// elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// defaultHTTP serves Clients whose HTTP field is nil.
var defaultHTTP = newHTTPClient()

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

func orDefault[T time.Duration | int64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Registration says why a node registers one with a peer, so that the
// peer does only what is still needed and a class of nodes joining one
// teacher's costs each node a few requests, not one for every other node.
// It travels as the "registration" member of POST /nodes/register, which a
// tutorial node ignores; a registration without it is the tutorial's
// (Asked).
type Registration string

const (
	// Asked is a registration the sender says nothing about: from a
	// person, a tutorial node, or --peer. The node adds the peer,
	// registers with it as a Newcomer and introduces it to a few peers.
	Asked Registration = ""
	// Newcomer is a node registering itself with a peer it has just
	// added: the peer adds it and introduces it to a few of its peers,
	// and need not register back, since the newcomer knows it.
	Newcomer Registration = "newcomer"
	// Introduction is a node telling a peer of another node: the peer
	// adds it and registers back with it (Reply), and tells no one else,
	// so that the news of a node goes one hop and ends.
	Introduction Registration = "introduction"
	// Reply is a node registering itself with a node it was just told
	// of: the node adds it, and that is all.
	Reply Registration = "reply"
)

// Register asks peer to add node to its peers: POST /nodes/register with
// {"nodes": "<node>"}, the tutorial's string form, which every node
// understands, and, unless kind is Asked, {"registration": kind}. Any 2xx
// answer means it did (a tutorial node answers 201).
func (c *Client) Register(ctx context.Context, peer, node URL, kind Registration) error {
	members := []wire.Member{{Key: "nodes", Value: wire.StringValue(node.String())}}
	if kind != Asked {
		members = append(members, wire.Member{Key: "registration", Value: wire.StringValue(string(kind))})
	}
	body := wire.AppendCompact(nil, wire.ObjectValue(members...))
	if err := c.small(ctx, http.MethodPost, peer.String()+"/nodes/register", body); err != nil {
		return fmt.Errorf("register with %s: %w", peer, err)
	}
	return nil
}

// RelayTransaction passes a transaction on to peer: POST /transactions/new
// with the transaction's members (tx is its JSON object: sender,
// recipient, amount, timestamp) plus "type": "sharing", which tells peer
// not to relay it again. Every member keeps its exact text, so peer
// stores the same transaction with the same id. Any 2xx answer means peer
// took it (a tutorial node answers 201). A tx that is not a JSON object
// is refused with EINVALID before anything is sent.
func (c *Client) RelayTransaction(ctx context.Context, peer URL, tx []byte) error {
	v, err := wire.Parse(tx)
	if err != nil {
		return fmt.Errorf("relay transaction to %s: %w", peer,
			pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonNotJSON, pybtc.Args{Field: "transaction", Detail: err.Error()}))
	}
	if v.Kind != wire.Object {
		return fmt.Errorf("relay transaction to %s: %w", peer,
			pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonTxKind, pybtc.Args{Got: v.Kind.String()}))
	}
	// ObjectValue keeps the last of equal keys, so a "type" already in tx
	// is overridden: a relay is always marked as one.
	members := make([]wire.Member, 0, len(v.Obj)+1)
	members = append(members, v.Obj...)
	members = append(members, wire.Member{Key: "type", Value: wire.StringValue("sharing")})
	body := wire.AppendCompact(nil, wire.ObjectValue(members...))
	if err := c.small(ctx, http.MethodPost, peer.String()+"/transactions/new", body); err != nil {
		// 409 is a pyBTC peer saying a block of its chain holds the
		// transaction already: the relay has nothing left to do, and the
		// peer is not failing.
		if se := (*StatusError)(nil); errors.As(err, &se) && se.Code == http.StatusConflict {
			return nil
		}
		return fmt.Errorf("relay transaction to %s: %w", peer, err)
	}
	return nil
}

// AnnounceBlock tells peer that self has a new last block, with nonce and
// hash: GET /nodes/resolve with the JSON body {"miner_node": "<self>",
// "new_nonce": nonce, "new_hash": hash}, as the tutorial sends it plus the
// hash, which a tutorial node ignores and a pyBTC node reads to skip the
// sync when it has the block already; and with a correct Content-Type
// header, without which a tutorial node cannot read the body. Any 2xx
// answer is success; what the peer then does with the block is its own
// business.
func (c *Client) AnnounceBlock(ctx context.Context, peer, self URL, nonce int64, hash string) error {
	if err := c.resolve(ctx, peer, self.String(), nonce, wire.Member{Key: "new_hash", Value: wire.StringValue(hash)}); err != nil {
		return fmt.Errorf("announce block to %s: %w", peer, err)
	}
	return nil
}

// TutorialPath is where a node answers a tutorial node's check of a
// nudge (NudgeTutorial): GET TutorialPath + previous hash + "/chain".
const TutorialPath = "/nodes/tutorial/"

// NudgeTutorial makes the tutorial node at peer look at its peers' chains
// and take the longest, which it does only when an announcement passes its
// check: that the announcing node's last block but one has the same
// previous_hash as the tutorial's last block, and that the announced nonce
// is a proof of work on its last block's nonce. That check stands for "the
// new block builds on my last block"; after a fork, or when the tutorial
// node is more than one block behind, no real announcement passes it, and
// it would never follow the longest chain again. So the nudge names, as the
// miner's node, self's TutorialPath for previous (the previous_hash of the
// tutorial's last block), which answers just what the check reads, and a
// nonce that is a proof of work on the tutorial's last nonce. The tutorial
// node then fetches every peer's whole chain and takes the longest that
// links up, as it always does.
func (c *Client) NudgeTutorial(ctx context.Context, peer, self URL, previous string, nonce int64) error {
	if err := c.resolve(ctx, peer, self.String()+TutorialPath+url.PathEscape(previous), nonce); err != nil {
		return fmt.Errorf("nudge tutorial node %s: %w", peer, err)
	}
	return nil
}

// resolve sends GET /nodes/resolve with the JSON body {"miner_node":
// minerNode, "new_nonce": nonce} and the extra members after them.
func (c *Client) resolve(ctx context.Context, peer URL, minerNode string, nonce int64, extra ...wire.Member) error {
	body := wire.AppendCompact(nil, wire.ObjectValue(append([]wire.Member{
		{Key: "miner_node", Value: wire.StringValue(minerNode)},
		{Key: "new_nonce", Value: wire.IntValue(nonce)},
	}, extra...)...))
	return c.small(ctx, http.MethodGet, peer.String()+"/nodes/resolve", body)
}

// Chain is a peer's answer to GET /chain.
type Chain struct {
	// Blocks are the blocks sent, each decoded once and kept exactly as
	// it came (extra keys and number spellings kept, so that it hashes as
	// the peer hashed it).
	Blocks []wire.Block
	// Length is the length of the peer's whole chain, whatever part of
	// it was sent.
	Length int64
	// Full is true when Blocks start at block 1: the chain from the
	// genesis was asked for (since == 1), or the peer is a tutorial node,
	// which ignores the query and always sends its whole chain.
	Full bool
	// Sent is the number of blocks the answer carried.
	Sent int64
	// RTT is how long the answer took to begin: from sending the request
	// to its status line and headers, the answer's first bytes. It is the
	// round trip plus what the peer took to start answering, which is
	// what a person watching a peer wants to know.
	RTT time.Duration
}

// FetchChain asks peer for its blocks from index since (≥ 1) on, at most
// limit of them (0: as many as it has): GET /chain?since=S&limit=L. A
// pyBTC peer answers just those blocks; a tutorial peer answers its whole
// chain, which Full reports. At most MaxChainBytes of the answer are read
// (a longer one fails with ErrTooLarge), and an answer that is not an
// object with a "chain" list of block objects and an integer "length"
// consistent with it fails with ErrMalformed. It holds every block
// parsed; StreamChain does not.
func (c *Client) FetchChain(ctx context.Context, peer URL, since, limit int64) (Chain, error) {
	var blocks []wire.Block
	ch, err := c.StreamChain(ctx, peer, since, limit, func(b *wire.Block) error {
		blocks = append(blocks, *b)
		return nil
	})
	if err != nil {
		return Chain{}, err
	}
	ch.Blocks = blocks
	return ch, nil
}

// maxBlockValues bounds the JSON values of one block that StreamChain
// parses. A parsed value costs about a hundred bytes whatever its text, so
// a block of two-byte values ("0,") would cost fifty times its size; the
// most a valid block needs (10,000 transactions of a few members each) is
// well below the bound.
const maxBlockValues = 200_000

// StreamChain is FetchChain without holding the answer: it reads the
// answer as it arrives and hands each block to each, in order, parsed on
// its own, so that what a chain costs in memory is one block's parse plus
// whatever each keeps. The returned Chain has no Blocks. The answer's
// "length" may come after the blocks, so each may see blocks of an answer
// that turns out malformed: it must not act on them before StreamChain
// returns without an error. An error from each ends the call and is
// returned wrapped; the rest of the answer is not read.
func (c *Client) StreamChain(ctx context.Context, peer URL, since, limit int64, each func(*wire.Block) error) (Chain, error) {
	if since < 1 || limit < 0 {
		return Chain{}, fmt.Errorf("fetch chain from %s: %w", peer,
			pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonChainRange, pybtc.Args{Height: since, Count: limit}))
	}
	target := peer.String() + "/chain?since=" + strconv.FormatInt(since, 10)
	if limit > 0 {
		target += "&limit=" + strconv.FormatInt(limit, 10)
	}
	ctx, cancel := context.WithTimeout(ctx, orDefault(c.ChainTimeout, defaultChainTimeout))
	defer cancel()
	ch, err := c.streamChain(ctx, target, since, orDefault(c.MaxChainBytes, defaultMaxChainBytes), each)
	if err != nil {
		return Chain{}, fmt.Errorf("fetch chain from %s: %w", peer, err)
	}
	return ch, nil
}

func (c *Client) streamChain(ctx context.Context, target string, since, limit int64, each func(*wire.Block) error) (Chain, error) {
	start := time.Now()
	resp, err := c.send(ctx, http.MethodGet, target, nil, false)
	if err != nil {
		return Chain{}, err
	}
	rtt := time.Since(start)
	// On every early return the rest of the body stays unread: closing
	// drops the connection, which is cheaper than reading a hostile
	// answer to its end.
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		return Chain{}, err
	}
	body, err := httpcap.Body(resp, limit)
	if err != nil {
		return Chain{}, err
	}
	ch, err := decodeChain(json.NewDecoder(body), since, each)
	var ee *eachError
	switch {
	case err == nil:
		ch.RTT = rtt
		return ch, nil
	case errors.As(err, &ee):
		return Chain{}, ee.err
	case body.Over():
		return Chain{}, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	case body.Err() != nil:
		return Chain{}, timeoutError(ctx, body.Err())
	case errors.Is(err, ErrMalformed), errors.Is(err, ErrTooLarge):
		return Chain{}, err
	}
	return Chain{}, fmt.Errorf("%w: %v", ErrMalformed, err)
}

// eachError carries an error of StreamChain's callback through the decoder.
type eachError struct{ err error }

func (e *eachError) Error() string { return e.err.Error() }

// decodeChain checks the shape of a chain answer as it streams, handing
// each block to each; the blocks' contents are the consensus rules'
// business.
func decodeChain(dec *json.Decoder, since int64, each func(*wire.Block) error) (Chain, error) {
	tok, err := dec.Token()
	if err == io.EOF {
		return Chain{}, fmt.Errorf("%w: the answer is empty", ErrMalformed)
	}
	if err != nil {
		return Chain{}, err
	}
	if tok != json.Delim('{') {
		return Chain{}, fmt.Errorf("%w: the answer is a JSON %s, not an object", ErrMalformed, tokenKind(tok))
	}
	var (
		sawChain, sawLength bool
		length, sent        int64
		full                = since == 1
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Chain{}, err
		}
		key, _ := tok.(string)
		switch {
		case key == "chain" && sawChain, key == "length" && sawLength:
			return Chain{}, fmt.Errorf("%w: the answer has %q twice", ErrMalformed, key)
		case key == "chain":
			sawChain = true
			tok, err := dec.Token()
			if err != nil {
				return Chain{}, err
			}
			if tok != json.Delim('[') {
				return Chain{}, fmt.Errorf(`%w: "chain" is a JSON %s, not a list`, ErrMalformed, tokenKind(tok))
			}
			for dec.More() {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return Chain{}, err
				}
				if countValues(raw) > maxBlockValues {
					return Chain{}, fmt.Errorf(`%w: "chain"[%d] has more than %d JSON values`, ErrTooLarge, sent, maxBlockValues)
				}
				b, err := wire.ParseBlock(raw)
				if err != nil {
					return Chain{}, fmt.Errorf(`%w: "chain"[%d]: %v`, ErrMalformed, sent, err)
				}
				if b.Kind != wire.Object {
					return Chain{}, fmt.Errorf(`%w: "chain"[%d] is a JSON %s, not a block object`, ErrMalformed, sent, b.Kind)
				}
				if sent == 0 {
					index, isInt := b.Index.Int64()
					if !isInt {
						return Chain{}, fmt.Errorf(`%w: the first block has no integer "index"`, ErrMalformed)
					}
					switch {
					case index == 1:
						full = true
					case index != since:
						// Blocks from elsewhere would be taken for the
						// ones asked for, and mislead the search for the
						// fork point.
						return Chain{}, fmt.Errorf("%w: asked for blocks from %d, got blocks from %d", ErrMalformed, since, index)
					}
				}
				if err := each(&b); err != nil {
					return Chain{}, &eachError{err}
				}
				sent++
			}
			if _, err := dec.Token(); err != nil { // the closing ]
				return Chain{}, err
			}
		case key == "length":
			sawLength = true
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return Chain{}, err
			}
			v, err := wire.Parse(raw)
			n, ok := v.Num.Int64()
			if err != nil || v.Kind != wire.Number || !ok {
				return Chain{}, fmt.Errorf(`%w: "length" must be an integer`, ErrMalformed)
			}
			length = n
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return Chain{}, err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing }
		return Chain{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return Chain{}, fmt.Errorf("%w: data after the answer", ErrMalformed)
	}
	switch {
	case !sawChain:
		return Chain{}, fmt.Errorf(`%w: the answer has no "chain"`, ErrMalformed)
	case !sawLength:
		return Chain{}, fmt.Errorf(`%w: the answer has no "length"`, ErrMalformed)
	case length < sent:
		return Chain{}, fmt.Errorf(`%w: "length" %d is less than the %d blocks sent`, ErrMalformed, length, sent)
	case sent > 0 && !full && length-sent < since-1:
		return Chain{}, fmt.Errorf(`%w: "length" %d is less than the %d blocks up to the last one sent`, ErrMalformed, length, since-1+sent)
	}
	return Chain{Length: length, Full: full, Sent: sent}, nil
}

// tokenKind names the JSON type that begins with tok, for messages.
func tokenKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

// countValues returns an upper bound of the JSON values in raw: every
// value but the first follows a ',', a ':' or an opening bracket.
func countValues(raw []byte) int {
	n, inString, escaped := 1, false, false
	for _, c := range raw {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ',' || c == ':' || c == '[' || c == '{'):
			n++
		}
	}
	return n
}

// small makes an exchange whose answer matters only by its status.
func (c *Client) small(ctx context.Context, method, target string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, orDefault(c.RequestTimeout, defaultRequestTimeout))
	defer cancel()
	resp, err := c.send(ctx, method, target, body, true)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		return err
	}
	// Reading what the cap allows lets the connection be reused when the
	// answer is short; a read error changes nothing, the peer said yes.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, orDefault(c.MaxSmallBytes, defaultMaxSmallBytes)))
	return nil
}

// send makes one request; ctx carries the call's total timeout. A plain
// request asks for an answer that is not compressed: the answer to a small
// exchange is a few bytes, and compressing it costs the peer a compressor
// of about a megabyte (a pyBTC node keeps a few of them) and time, for
// nothing.
func (c *Client) send(ctx context.Context, method, target string, body []byte, plain bool) (*http.Response, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// Asking for JSON keeps a pyBTC peer from answering with its HTML
	// pages, which it serves to browsers.
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "pybtc")
	if plain {
		req.Header.Set("Accept-Encoding", "identity")
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, timeoutError(ctx, err)
	}
	return resp, nil
}

// checkStatus turns a non-2xx answer into an ErrStatus error quoting the
// start of its body. It reads a little of the body and leaves the rest to
// the caller's Close.
func checkStatus(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, snippetBytes))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainBytes))
	return &StatusError{Code: resp.StatusCode, Snippet: printable(head)}
}

// StatusError is a peer's answer outside 2xx, with its status code and
// the start of its body; it is an ErrStatus.
type StatusError struct {
	Code    int
	Snippet string
}

func (e *StatusError) Error() string {
	if e.Snippet != "" {
		return fmt.Sprintf("%v: %d %s", ErrStatus, e.Code, e.Snippet)
	}
	return fmt.Sprintf("%v: %d", ErrStatus, e.Code)
}

func (e *StatusError) Unwrap() error { return ErrStatus }

// Refused reports whether err is a peer's answer that refuses the request
// (a 4xx status): the peer is up and read it, unlike a peer that does not
// answer or fails (5xx).
func Refused(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code >= 400 && se.Code < 500
}

// printable makes a peer's bytes fit for a log line or a status page:
// valid UTF-8, on one line, without control characters.
func printable(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// timeoutError makes every timeout report context.DeadlineExceeded, so
// that callers need one test for "the peer took too long", whichever
// layer noticed: the call's context, the connect timeout or the
// response-header timeout. It also drops net/http's "Get <url>:" prefix,
// which repeats what the caller's wrapping says.
func timeoutError(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%w (%v)", cerr, err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
	}
	return err
}

// Backoff returns how long to leave a peer alone after failures
// consecutive failed exchanges: nothing after none, then 1s, 2s, 4s and
// so on, at most 5 minutes, so that a peer that is down costs little and
// one that comes back is found again within minutes.
func Backoff(failures int) time.Duration {
	const ceiling = 5 * time.Minute
	if failures <= 0 {
		return 0
	}
	if failures > 10 { // 2^9 s already exceeds the ceiling
		return ceiling
	}
	return min(time.Second<<(failures-1), ceiling)
}
