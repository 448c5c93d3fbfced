package pybtc

// BlockStatus says where a block stands: on the main chain or beside it.
type BlockStatus string

const (
	BlockMain  BlockStatus = "main"
	BlockStale BlockStatus = "stale"
)

// TreeBlock is a block of the block tree: the main chain's or a stale one.
type TreeBlock struct {
	BlockSummary // Height, Hash, PreviousHash, Nonce, Timestamp, TxCount (existing type)
	Status       BlockStatus
	Miner        string  // the coinbase's recipient
	ArrivedAt    float64 // when this node first saw it, seconds since the epoch; 0 when unknown
	Source       string  // "self" when this node mined it, else the peer's URL; "" when unknown
	ReplacedBy   string  // for a stale block: the main chain's block at its height, if any
}

// TipStatus is the status of a chain tip, as Bitcoin's getchaintips names them.
type TipStatus string

const (
	TipActive    TipStatus = "active"
	TipValidFork TipStatus = "valid-fork"
	TipInvalid   TipStatus = "invalid"
)

// TipInfo is one chain tip known to the node.
type TipInfo struct {
	Height       int64
	Hash         string
	ForkHeight   int64 // the last height the branch shares with the main chain
	BranchLength int64 // blocks above ForkHeight; 0 for the active tip
	Status       TipStatus
}

// Reorg is one reorganisation of the chain.
type Reorg struct {
	ID         int64
	Time       float64
	ForkHeight int64
	OldTip     string // hash
	NewTip     string
	OldHeight  int64
	NewHeight  int64
	Removed    []string // hashes of the blocks removed, lowest first
	Added      []string // hashes of the blocks added, lowest first
	Peer       string   // URL of the peer whose branch won; "" when unknown
	Returned   []string // ids of transactions put back in the mempool
	Dropped    []DroppedTx
}

// RefusedBlock is a block the node refused, and why.
type RefusedBlock struct {
	Hash   string
	Height int64
	Peer   string
	Reason string // the rule: a consensus error code such as "bad-proof", or a refusal reason
	Detail string // one sentence
	At     float64
}
