package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/pybtc/pybtc/api/apijson"
	"github.com/pybtc/pybtc/wire"
)

// Status is GET /api/status: where the node's chain, mempool and peers
// stand.
type Status struct {
	apijson.Status
	// Raw is the node's answer.
	Raw json.RawMessage `json:"-"`
}

// Status returns where the node stands.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var s Status
	raw, err := c.do(ctx, http.MethodGet, "/api/status", nil, MaxAnswerBytes, &s)
	if err != nil {
		return nil, err
	}
	s.Raw = raw
	return &s, nil
}

// Chain is GET /chain: a run of blocks in the tutorial's form.
type Chain struct {
	// Blocks are the blocks asked for, oldest first.
	Blocks []ChainBlock `json:"chain"`
	// Length is the height of the whole chain, whatever was asked for.
	Length int64 `json:"length"`
	// Raw is the node's answer.
	Raw json.RawMessage `json:"-"`
}

// ChainBlock is a block as the tutorial's protocol carries it.
type ChainBlock struct {
	// Index is the block's height.
	Index int64 `json:"index"`
	// Nonce is the proof of work.
	Nonce int64 `json:"nonce"`
	// PreviousHash is the hash of the block before.
	PreviousHash string `json:"previous_hash"`
	// Timestamp is when the block was made, float seconds since the epoch.
	Timestamp float64 `json:"timestamp"`
	// Transactions are the block's transactions, the mining reward last.
	Transactions []ChainTransaction `json:"transactions"`
	// Hash is the block's hash, computed from the block as received: the
	// protocol does not send it.
	Hash string `json:"-"`
}

// ChainTransaction is a transaction as blocks carry it.
type ChainTransaction struct {
	// Sender is the paying address; "master" for the mining reward.
	Sender string `json:"sender"`
	// Recipient is the receiving address.
	Recipient string `json:"recipient"`
	// Amount is in pyBTC, as written in the block.
	Amount json.Number `json:"amount"`
	// Timestamp is when the transaction was made; zero when a tutorial node
	// relayed it without one.
	Timestamp float64 `json:"timestamp"`
}

// Chain returns the blocks from height since (1 or more) on, at most limit
// of them; limit 0 means up to the tip.
func (c *Client) Chain(ctx context.Context, since, limit int64) (*Chain, error) {
	q := url.Values{}
	if since > 1 {
		q.Set("since", strconv.FormatInt(since, 10))
	}
	if limit > 0 {
		q.Set("limit", strconv.FormatInt(limit, 10))
	}
	path := "/chain"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	raw, err := c.do(ctx, http.MethodGet, path, nil, MaxChainBytes, nil)
	if err != nil {
		return nil, err
	}
	// Read with the consensus parser, not encoding/json: the hash is over
	// the block's canonical JSON with numbers as written, and the genesis
	// block's previous_hash is the number 1, not a string.
	v, err := wire.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("GET %s: parse chain: %w", path, err)
	}
	blocks, _ := v.Get("chain")
	length, _ := v.Get("length")
	ch := &Chain{Blocks: make([]ChainBlock, len(blocks.Arr)), Raw: raw}
	ch.Length, _ = length.Num.Int64()
	for i, b := range blocks.Arr {
		ch.Blocks[i] = chainBlockOf(b)
	}
	return ch, nil
}

// chainBlockOf reads the fields of a block, leaving those of another type
// zero: describing a chain does not need it valid.
func chainBlockOf(b wire.Value) ChainBlock {
	out := ChainBlock{
		PreviousHash: text(field(b, "previous_hash")),
		Timestamp:    field(b, "timestamp").Num.Float,
		Hash:         wire.Hash(b),
	}
	out.Index, _ = field(b, "index").Num.Int64()
	out.Nonce, _ = field(b, "nonce").Num.Int64()
	for _, t := range field(b, "transactions").Arr {
		out.Transactions = append(out.Transactions, ChainTransaction{
			Sender:    text(field(t, "sender")),
			Recipient: text(field(t, "recipient")),
			Amount:    json.Number(text(field(t, "amount"))),
			Timestamp: field(t, "timestamp").Num.Float,
		})
	}
	return out
}

func field(v wire.Value, key string) wire.Value {
	f, _ := v.Get(key)
	return f
}

// text is a string's value or a number's text.
func text(v wire.Value) string {
	if v.Kind == wire.Number {
		return v.Num.Text
	}
	return v.Str
}

// Sent is POST /transactions/new's answer to an accepted transaction.
type Sent struct {
	// Message is the node's, "Transaction will be added to Block {N}".
	Message string `json:"message"`
	// TransactionID is the new transaction's id.
	TransactionID string `json:"transaction_id"`
	// Raw is the node's answer.
	Raw json.RawMessage `json:"-"`
}

// decimal is what ParseAmount takes: JSON's number syntax without exponent.
var decimal = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?$`)

// ParseAmount checks that s is a decimal number such as 0.05 and returns it
// as the JSON number to send, unchanged: "0.10" stays 0.10, because the
// number as written is part of the transaction's hash. Whether the amount
// is acceptable (positive, at most 8 decimals, covered) is the node's to say.
func ParseAmount(s string) (json.Number, error) {
	if !decimal.MatchString(s) {
		return "", fmt.Errorf("amount %q: want a decimal number such as 0.05", s)
	}
	return json.Number(s), nil
}

// Send posts a transaction of amount (see ParseAmount) from sender to
// recipient.
func (c *Client) Send(ctx context.Context, sender, recipient string, amount json.Number) (*Sent, error) {
	if _, err := ParseAmount(string(amount)); err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	body, err := json.Marshal(struct {
		Sender    string      `json:"sender"`
		Recipient string      `json:"recipient"`
		Amount    json.Number `json:"amount"`
	}{sender, recipient, amount})
	if err != nil {
		return nil, fmt.Errorf("send: encode transaction: %w", err)
	}
	var s Sent
	raw, err := c.do(ctx, http.MethodPost, "/transactions/new", body, MaxAnswerBytes, &s)
	if err != nil {
		return nil, err
	}
	s.Raw = raw
	return &s, nil
}

// SendTransaction posts tx, a whole transaction as a JSON object, as it
// is: a key address's payment carries its own timestamp and its signature,
// which Send cannot add, and re-encoding it here could change the message
// its signature covers.
func (c *Client) SendTransaction(ctx context.Context, tx json.RawMessage) (*Sent, error) {
	if t := bytes.TrimSpace(tx); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return nil, fmt.Errorf("send: the transaction must be a JSON object")
	}
	var s Sent
	raw, err := c.do(ctx, http.MethodPost, "/transactions/new", tx, MaxAnswerBytes, &s)
	if err != nil {
		return nil, err
	}
	s.Raw = raw
	return &s, nil
}

// Mined is GET /mine's answer: the new block.
type Mined struct {
	// Message is the node's, "new block found".
	Message string `json:"message"`
	// Index is the new block's height.
	Index int64 `json:"index"`
	// Hash is the new block's hash.
	Hash string `json:"hash"`
	// PreviousHash is the hash of the block before.
	PreviousHash string `json:"previous_hash"`
	// Nonce is the proof of work found.
	Nonce int64 `json:"nonce"`
	// Transactions are the block's transactions, the reward last.
	Transactions []ChainTransaction `json:"transactions"`
	// Raw is the node's answer.
	Raw json.RawMessage `json:"-"`
}

// Mine asks the node to mine one block, paying the reward to miner, or to
// the node's own address when miner is empty. It returns once the block is
// stored.
func (c *Client) Mine(ctx context.Context, miner string) (*Mined, error) {
	path := "/mine"
	if miner != "" {
		path += "?" + url.Values{"miner": {miner}}.Encode()
	}
	var m Mined
	raw, err := c.do(ctx, http.MethodGet, path, nil, MaxAnswerBytes, &m)
	if err != nil {
		return nil, err
	}
	m.Raw = raw
	return &m, nil
}

// Transaction is a transaction in the explorer's API, where the node keeps
// it.
type Transaction = apijson.Tx

// TxInfo is GET /api/tx/{id}.
type TxInfo struct {
	apijson.TxInfo
	// Raw is the node's answer.
	Raw json.RawMessage `json:"-"`
}

// Transaction returns the transaction with the given id.
func (c *Client) Transaction(ctx context.Context, id string) (*TxInfo, error) {
	var t TxInfo
	raw, err := c.do(ctx, http.MethodGet, "/api/tx/"+url.PathEscape(id), nil, MaxAnswerBytes, &t)
	if err != nil {
		return nil, err
	}
	t.Raw = raw
	return &t, nil
}

// BlockInfo is GET /api/blocks/{height or hash}: a block and the first page
// of its transactions.
type BlockInfo struct {
	apijson.BlockInfo
	// Raw is the node's answer.
	Raw json.RawMessage `json:"-"`
}

// Block returns a block by height ("2") or hash.
func (c *Client) Block(ctx context.Context, id string) (*BlockInfo, error) {
	var b BlockInfo
	raw, err := c.do(ctx, http.MethodGet, "/api/blocks/"+url.PathEscape(id), nil, MaxAnswerBytes, &b)
	if err != nil {
		return nil, err
	}
	b.Raw = raw
	return &b, nil
}

// Address is GET /api/address/{address}: an address's sums and the first
// page of its history. Amounts are in pyBTC, exact.
type Address struct {
	apijson.AddressInfo
	// Raw is the node's answer.
	Raw json.RawMessage `json:"-"`
}

// Address returns an address's balance. An address no transaction names is
// refused with 404.
func (c *Client) Address(ctx context.Context, address string) (*Address, error) {
	var a Address
	raw, err := c.do(ctx, http.MethodGet, "/api/address/"+url.PathEscape(address), nil, MaxAnswerBytes, &a)
	if err != nil {
		return nil, err
	}
	a.Raw = raw
	return &a, nil
}

// Peer is a peer as GET /api/peers describes it. Times are float seconds
// since the epoch, zero for never.
type Peer = apijson.Peer

// Peers is GET /api/peers.
type Peers struct {
	apijson.PeerList
	// Raw is the node's answer.
	Raw json.RawMessage `json:"-"`
}

// Peers returns the node's peers and their state.
func (c *Client) Peers(ctx context.Context) (*Peers, error) {
	var p Peers
	raw, err := c.do(ctx, http.MethodGet, "/api/peers", nil, MaxAnswerBytes, &p)
	if err != nil {
		return nil, err
	}
	p.Raw = raw
	return &p, nil
}

// Registered is POST /nodes/register's answer, and POST /nodes/remove's.
type Registered struct {
	// Message is "New nodes have been added" or "Already Registered Node"
	// (or "Node removed").
	Message string `json:"message"`
	// TotalNodes are all the node's peers, as host:port.
	TotalNodes []string `json:"total_nodes"`
	// Raw is the node's answer.
	Raw json.RawMessage `json:"-"`
}

// RegisterPeers asks the node to take urls as peers. The node stores them
// whether or not they answer yet.
func (c *Client) RegisterPeers(ctx context.Context, urls ...string) (*Registered, error) {
	body, err := json.Marshal(map[string][]string{"nodes": urls})
	if err != nil {
		return nil, fmt.Errorf("register peers: encode: %w", err)
	}
	var r Registered
	raw, err := c.do(ctx, http.MethodPost, "/nodes/register", body, MaxAnswerBytes, &r)
	if err != nil {
		return nil, err
	}
	r.Raw = raw
	return &r, nil
}

// RemovePeer asks the node to forget the peer at url at once. A node that
// does not have it answers 404 (a *Error).
func (c *Client) RemovePeer(ctx context.Context, url string) (*Registered, error) {
	body, err := json.Marshal(map[string]string{"nodes": url})
	if err != nil {
		return nil, fmt.Errorf("remove peer: encode: %w", err)
	}
	var r Registered
	raw, err := c.do(ctx, http.MethodPost, "/nodes/remove", body, MaxAnswerBytes, &r)
	if err != nil {
		return nil, err
	}
	r.Raw = raw
	return &r, nil
}

// Tip is one chain tip as GET /api/tips lists them.
type Tip = apijson.Tip

// Tips is GET /api/tips: every chain tip the node knows, the active one
// first.
type Tips struct {
	Tips []Tip
	// Raw is the node's answer.
	Raw json.RawMessage
}

// Tips returns every chain tip the node knows, like Bitcoin's
// getchaintips.
func (c *Client) Tips(ctx context.Context) (*Tips, error) {
	var t Tips
	raw, err := c.do(ctx, http.MethodGet, "/api/tips", nil, MaxAnswerBytes, &t.Tips)
	if err != nil {
		return nil, err
	}
	t.Raw = raw
	return &t, nil
}

// Reorg is one reorganisation as GET /api/reorgs lists them.
type Reorg = apijson.Reorg

// Reorgs is GET /api/reorgs: the latest reorganisations, newest first.
type Reorgs struct {
	Reorgs []Reorg
	// Raw is the node's answer.
	Raw json.RawMessage
}

// Reorgs returns up to limit (1 to 100; 0 for the node's default of 20)
// of the latest reorganisations, newest first.
func (c *Client) Reorgs(ctx context.Context, limit int) (*Reorgs, error) {
	path := "/api/reorgs"
	if limit > 0 {
		path += "?limit=" + strconv.Itoa(limit)
	}
	var r Reorgs
	// A deep reorganisation lists thousands of hashes.
	raw, err := c.do(ctx, http.MethodGet, path, nil, 32*MaxAnswerBytes, &r.Reorgs)
	if err != nil {
		return nil, err
	}
	r.Raw = raw
	return &r, nil
}
