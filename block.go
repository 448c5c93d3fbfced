package pybtc

// Block is one block of the chain as the node stores and serves it.
//
// On the wire a block is the JSON object {"index", "timestamp",
// "transactions", "nonce", "previous_hash"}; a block received from a peer may
// carry more keys, which are kept in Raw and hashed with the rest.
type Block struct {
	// Index is the block's height: 1 for the genesis block, then +1.
	Index int64
	// Timestamp is when the block was made, in float seconds since the epoch
	// (Python's time()).
	Timestamp float64
	// Nonce is the proof of work: sha256(str(previous nonce + Nonce)) in hex
	// starts with "0000".
	Nonce int64
	// PreviousHash is the hash of the previous block; the genesis block has
	// the integer 1 on the wire, kept here as "1".
	PreviousHash string
	// Hash is the lowercase hex SHA-256 of the block's canonical JSON.
	Hash string
	// Transactions are the block's transactions, the coinbase last.
	Transactions []Transaction
	// Raw is the whole block as compact JSON with sorted keys, exactly as
	// served by GET /chain.
	Raw []byte
}

// ChainTip is a snapshot of the last block of the chain. It is a value: it
// does not change when the chain moves on.
type ChainTip struct {
	Height    int64
	Hash      string
	Nonce     int64
	Timestamp float64
}

// BlockSummary is a stored block without its transactions: what a list of
// blocks shows.
type BlockSummary struct {
	Height       int64
	Hash         string
	PreviousHash string
	Nonce        int64
	Timestamp    float64
	// TxCount is the number of transactions, the coinbase included.
	TxCount int
}
