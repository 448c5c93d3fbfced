package pybtc

// SearchMatch is a block or transaction found by the start of its hash or
// id.
type SearchMatch struct {
	// Kind is "block" or "transaction".
	Kind string `db:"kind"`
	// ID is the block's hash or the transaction's id.
	ID string `db:"id"`
}
