package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/pybtc/pybtc/consensus"
)

// Status is GET /api/status: where the node's chain, mempool and peers
// stand.
type Status struct {
	// Height is the tip's height; the genesis block is 1.
	Height int64 `json:"height"`
	// TipHash is the tip's block hash.
	TipHash string `json:"tip_hash"`
	// TipTimestamp is the tip's time, float seconds since the epoch.
	TipTimestamp float64 `json:"tip_timestamp"`
	// TipAgeSeconds is how long ago that was, by the node's clock.
	TipAgeSeconds float64 `json:"tip_age_seconds"`
	// Pending is the number of transactions in the mempool.
	Pending int64 `json:"pending"`
	// MempoolLimit is the most pending transactions the node keeps; zero
	// from a node that does not say.
	MempoolLimit int64 `json:"mempool_limit"`
	// Peers is the number of registered peers.
	Peers int `json:"peers"`
	// PeersByState counts the peers by state: new, ok, failing, backing off.
	PeersByState map[string]int `json:"peers_by_state"`
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
	v, err := consensus.Parse(raw)
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
func chainBlockOf(b consensus.Value) ChainBlock {
	out := ChainBlock{
		PreviousHash: text(field(b, "previous_hash")),
		Timestamp:    field(b, "timestamp").Num.Float,
		Hash:         consensus.Hash(b),
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

func field(v consensus.Value, key string) consensus.Value {
	f, _ := v.Get(key)
	return f
}

// text is a string's value or a number's text.
func text(v consensus.Value) string {
	if v.Kind == consensus.Number {
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
type Transaction struct {
	// ID is the transaction's id, 64 hex characters.
	ID string `json:"id"`
	// Sender is the paying address.
	Sender string `json:"sender"`
	// Recipient is the receiving address.
	Recipient string `json:"recipient"`
	// Amount is in pyBTC, exact.
	Amount json.Number `json:"amount"`
	// AmountSat is the amount in satoshis (10⁻⁸ pyBTC).
	AmountSat int64 `json:"amount_sat"`
	// Timestamp is when the transaction was made, float seconds since the
	// epoch.
	Timestamp float64 `json:"timestamp"`
	// Status is "confirmed" or "pending".
	Status string `json:"status"`
	// Block is the height of the block holding it; zero while pending.
	Block int64 `json:"block"`
	// Position is its place in the block, or in the mempool's order.
	Position int64 `json:"position"`
	// Confirmations counts its block and those after; zero while pending.
	Confirmations int64 `json:"confirmations"`
}

// TxInfo is GET /api/tx/{id}.
type TxInfo struct {
	Transaction
	// Records are every place the node keeps the id: blocks newest first,
	// then the mempool.
	Records []Transaction `json:"records"`
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
	// Height is the block's height.
	Height int64 `json:"height"`
	// Hash is the block's hash.
	Hash string `json:"hash"`
	// PreviousHash is the hash of the block before.
	PreviousHash string `json:"previous_hash"`
	// Nonce is the proof of work.
	Nonce int64 `json:"nonce"`
	// Timestamp is when the block was made, float seconds since the epoch.
	Timestamp float64 `json:"timestamp"`
	// TxCount is the number of transactions in the block.
	TxCount int `json:"transactions"`
	// Confirmations counts the block and those after it.
	Confirmations int64 `json:"confirmations"`
	// Page is the page of transactions TxList holds, from 1.
	Page int64 `json:"page"`
	// Pages is the number of pages of the block's transactions.
	Pages int64 `json:"pages"`
	// TxList is one page of the block's transactions.
	TxList []Transaction `json:"transaction_list"`
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
	// Address is the address asked about.
	Address string `json:"address"`
	// Balance is what it received minus what it sent, in confirmed blocks.
	Balance json.Number `json:"balance"`
	// Received is what it received in confirmed blocks.
	Received json.Number `json:"received"`
	// Sent is what it sent in confirmed blocks.
	Sent json.Number `json:"sent"`
	// PendingReceived is what pending transactions pay it.
	PendingReceived json.Number `json:"pending_received"`
	// PendingSent is what its pending transactions pay out.
	PendingSent json.Number `json:"pending_sent"`
	// Spendable is the balance minus what is pending out.
	Spendable json.Number `json:"spendable"`
	// BalanceSat is the balance in satoshis: an integer, which may be
	// past an int64 (sums of a chain's amounts are).
	BalanceSat json.Number `json:"balance_sat"`
	// Confirmed counts its transactions in blocks.
	Confirmed int64 `json:"confirmed_transactions"`
	// Pending counts its transactions in the mempool.
	Pending int64 `json:"pending_transactions"`
	// History is the first page of its transactions, pending first.
	History []Transaction `json:"history"`
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
type Peer struct {
	// URL is the peer's base URL.
	URL string `json:"url"`
	// State is new, ok, failing or backing off.
	State string `json:"state"`
	// Failures counts failed calls since the last success.
	Failures int `json:"failures"`
	// AddedAt is when the peer was registered.
	AddedAt float64 `json:"added_at"`
	// LastSuccess is when a call to the peer last worked.
	LastSuccess float64 `json:"last_success"`
	// LastFailure is when a call to the peer last failed.
	LastFailure float64 `json:"last_failure"`
	// RetryAt is when a backed-off peer is called again.
	RetryAt float64 `json:"retry_at"`
	// LastError is why the latest failed call failed.
	LastError string `json:"last_error"`
}

// Peers is GET /api/peers.
type Peers struct {
	// Peers are the node's peers.
	Peers []Peer `json:"peers"`
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
