package pybtc

// Why a transaction was dropped, as the dropped_transactions table's reason says.
const (
	// DropOverdraft: its sender cannot cover it on the chain as it is now.
	DropOverdraft = "overdraft"
	// DropMempoolFull: restoring it would pass the mempool's cap.
	DropMempoolFull = "mempool full"
	// DropPolicy: a field breaks the policy on new transactions (a peer's
	// block may hold what this node would never accept).
	DropPolicy = "policy"
	// DropCopy: it looks like a payment the chain already holds under
	// another id, re-stamped by a tutorial node.
	DropCopy = "copy"
)

// Who dropped a transaction, as dropped_transactions.dropped_by says.
const (
	DroppedByReorg = "reorg"
	DroppedByMine  = "mine"
)

// DroppedTx is a transaction the node stopped holding without mining it.
type DroppedTx struct {
	Transaction
	// Reason is one of the Drop constants; Detail says the rule and the
	// numbers in one sentence.
	Reason, Detail string
	// DroppedBy is DroppedByReorg or DroppedByMine; ForkHeight is the
	// reorganisation's fork point (meaningless for the miner's drops).
	DroppedBy  string
	ForkHeight int64
	DroppedAt  float64
}
