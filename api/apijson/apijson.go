// Package apijson declares the answers of the node's explorer API, under
// /api, once: the api package writes them and the client package reads
// them, so the two cannot drift apart.
//
// Amounts are exact decimal numbers of pyBTC (json.Number), with the same
// value in satoshis beside them; times are float seconds since the epoch,
// as in the protocol. The package imports nothing of the node.
package apijson

import "encoding/json"

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
	// MempoolFull reports whether the mempool holds that many.
	MempoolFull bool `json:"mempool_full"`
	// Peers is the number of registered peers.
	Peers int `json:"peers"`
	// PeersByState counts the peers by state: new, ok, failing, backing off.
	PeersByState map[string]int `json:"peers_by_state"`
}

// Page says which page of a long list an answer holds.
type Page struct {
	// Page is the page, from 1.
	Page int64 `json:"page"`
	// Pages is the number of pages.
	Pages int64 `json:"pages"`
}

// Block is a block's header and the number of its transactions.
type Block struct {
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
}

// Blocks is GET /api/blocks: a page of the latest blocks, newest first.
type Blocks struct {
	Page
	Blocks []Block `json:"blocks"`
}

// BlockInfo is GET /api/blocks/{height or hash}: a block and a page of its
// transactions. A stale block (not, or no longer, on the main chain) is
// found by its hash.
type BlockInfo struct {
	Block
	// Status is "main" for a block of the main chain, "stale" otherwise.
	Status string `json:"status"`
	// ReplacedBy is, for a stale block, the hash of the main chain's block
	// at its height; left out otherwise.
	ReplacedBy string `json:"replaced_by,omitempty"`
	// Miner is, for a stale block, its coinbase's recipient.
	Miner string `json:"miner,omitempty"`
	// ArrivedAt is, for a stale block, when this node first saw it, float
	// seconds since the epoch; Source is from whom: "self" or a peer's URL.
	ArrivedAt float64 `json:"arrived_at,omitempty"`
	Source    string  `json:"source,omitempty"`
	// Confirmations counts the block and those after it; 0 for a stale
	// block.
	Confirmations int64 `json:"confirmations"`
	Page
	// TxList is one page of the block's transactions.
	TxList []Tx `json:"transaction_list"`
}

// Tx is a transaction, where the node keeps it.
type Tx struct {
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
	// Status is "confirmed", "pending", "dropped", or "stale" for a
	// transaction as a stale block holds it.
	Status string `json:"status"`
	// Block is the height of the block holding it; zero, and left out,
	// while pending.
	Block int64 `json:"block,omitempty"`
	// Position is its place in the block, or in the mempool's order.
	Position int64 `json:"position"`
	// Confirmations counts its block and those after; zero while pending.
	Confirmations int64 `json:"confirmations"`
	// MinedAs is, when the block holds this payment under another id (a
	// tutorial node's re-stamped copy), that id; left out otherwise.
	MinedAs string `json:"mined_as,omitempty"`
}

// TxInfo is GET /api/tx/{id} for a transaction the node keeps.
type TxInfo struct {
	Tx
	// Records are every place the node keeps the id: blocks newest first,
	// then the mempool.
	Records []Tx `json:"records"`
}

// Dropped is GET /api/tx/{id} for a transaction the node dropped without
// mining it, and why.
type Dropped struct {
	Tx
	// Reason is overdraft, mempool full or policy.
	Reason string `json:"reason"`
	// Detail names the rule and the numbers.
	Detail string `json:"detail"`
	// DroppedBy is reorg or mine.
	DroppedBy string `json:"dropped_by"`
	// DroppedAt is when, float seconds since the epoch.
	DroppedAt float64 `json:"dropped_at"`
}

// AddressInfo is GET /api/address/{address}: an address's sums and a page of
// its history. Amounts are in pyBTC, exact.
type AddressInfo struct {
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
	Page
	// History is a page of its transactions, pending first.
	History []Tx `json:"history"`
}

// Mempool is GET /api/mempool: a page of the pending transactions in
// arrival order.
type Mempool struct {
	// Pending counts the pending transactions.
	Pending int64 `json:"pending"`
	Page
	// Txs is the page's transactions.
	Txs []Tx `json:"transactions"`
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
	// Height is the length of the peer's chain as its last answer to the
	// node's sync claimed it; zero when it has not answered one yet.
	Height int64 `json:"height"`
	// TipHash is the hash of the peer's last block; empty when unknown (a
	// peer that is not ahead sends no block to learn it from).
	TipHash string `json:"tip_hash"`
	// Ahead is how many blocks the peer's chain is longer than this
	// node's (negative: shorter); null while its height is unknown.
	Ahead *int64 `json:"ahead"`
	// LastSeen is when the peer last answered the node's sync.
	LastSeen float64 `json:"last_seen"`
	// RTTMillis is how long that answer took to begin, in milliseconds.
	RTTMillis float64 `json:"rtt_ms"`
}

// PeerList is GET /api/peers.
type PeerList struct {
	// Peers are the node's peers.
	Peers []Peer `json:"peers"`
}

// Tip is one chain tip as GET /api/tips lists them (a JSON array), like
// Bitcoin's getchaintips.
type Tip struct {
	// Height and Hash are the tip's block.
	Height int64  `json:"height"`
	Hash   string `json:"hash"`
	// ForkHeight is the height of the last block the branch shares with
	// the main chain; the tip's own height for the active tip.
	ForkHeight int64 `json:"fork_height"`
	// BranchLength is the number of blocks above ForkHeight; 0 for the
	// active tip.
	BranchLength int64 `json:"branch_length"`
	// Status is "active", "valid-fork" or "invalid".
	Status string `json:"status"`
}

// Reorg is one reorganisation as GET /api/reorgs lists them (a JSON array,
// newest first).
type Reorg struct {
	// ID numbers the reorganisations in order.
	ID int64 `json:"id"`
	// Time is when it happened, float seconds since the epoch.
	Time float64 `json:"time"`
	// ForkHeight is the last block both branches share.
	ForkHeight int64 `json:"fork_height"`
	// OldTip and NewTip are the hashes of the tips before and after;
	// OldHeight and NewHeight their heights.
	OldTip    string `json:"old_tip"`
	OldHeight int64  `json:"old_height"`
	NewTip    string `json:"new_tip"`
	NewHeight int64  `json:"new_height"`
	// Removed and Added are the hashes of the blocks it removed and
	// added, lowest first.
	Removed []string `json:"removed"`
	Added   []string `json:"added"`
	// Peer is the URL of the peer whose branch won; "" when unknown.
	Peer string `json:"peer"`
	// Returned are the ids of the removed blocks' transactions put back
	// in the mempool.
	Returned []string `json:"returned"`
	// Dropped are those that no longer passed the node's policy on the
	// new chain, and why.
	Dropped []ReorgDropped `json:"dropped"`
}

// ReorgDropped is a transaction a reorganisation dropped, and why.
type ReorgDropped struct {
	ID        string      `json:"id"`
	Sender    string      `json:"sender"`
	Recipient string      `json:"recipient"`
	Amount    json.Number `json:"amount"`
	AmountSat int64       `json:"amount_sat"`
	// Reason is overdraft, mempool full or policy; Detail names the rule
	// and the numbers.
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}
