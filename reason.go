package pybtc

// Reason names the rule a refusal applies. Programs decide on it (metrics,
// the wallet's form); people read a sentence that package refusal makes
// from it and its Args where the refusal is shown, in the reader's
// language. Nothing below the edge words a refusal.
type Reason string

// The reasons of refusals. Each lists the Args it fills.
const (
	// ReasonBadJSON: Field (a JSON path) is not valid JSON; Detail is the
	// parser's diagnosis.
	ReasonBadJSON Reason = "bad_json"
	// ReasonNotJSON: Field ("request body", "transaction") does not parse
	// as JSON; Detail is the parser's diagnosis.
	ReasonNotJSON Reason = "not_json"
	// ReasonBodyKind: the request body is JSON of kind Got, not an object.
	ReasonBodyKind Reason = "body_kind"
	// ReasonTxKind: a transaction is JSON of kind Got, not an object.
	ReasonTxKind Reason = "tx_kind"
	// ReasonFieldMissing: Field is absent.
	ReasonFieldMissing Reason = "field_missing"
	// ReasonFieldType: Field holds JSON of kind Got, not a string (sender,
	// recipient) or a number (amount).
	ReasonFieldType Reason = "field_type"
	// ReasonAddressEmpty: Field (sender, recipient) is "".
	ReasonAddressEmpty Reason = "address_empty"
	// ReasonAddressUTF8: Field is not valid UTF-8.
	ReasonAddressUTF8 Reason = "address_utf8"
	// ReasonAddressTooLong: Field has more than Limit characters.
	ReasonAddressTooLong Reason = "address_too_long"
	// ReasonControlChars: Field holds a control character.
	ReasonControlChars Reason = "control_chars"
	// ReasonMasterReserved: Field (sender, recipient) is Address, the
	// coinbase's sender.
	ReasonMasterReserved Reason = "master_reserved"
	// ReasonBadType: "type" is present and not "sharing".
	ReasonBadType Reason = "bad_type"
	// ReasonAmountNotPositive: the amount, written Got, is not above 0.
	ReasonAmountNotPositive Reason = "amount_not_positive"
	// ReasonAmountDecimals: the amount, written Got, has more than 8
	// decimal places.
	ReasonAmountDecimals Reason = "amount_decimals"
	// ReasonAmountTooLarge: the amount, written Got, is above Amount, the
	// most one transaction moves.
	ReasonAmountTooLarge Reason = "amount_too_large"
	// ReasonTimestampNotFinite: a relay's timestamp is not a finite number.
	ReasonTimestampNotFinite Reason = "timestamp_not_finite"
	// ReasonTimestampAhead: a relay's timestamp is too far ahead of the clock.
	ReasonTimestampAhead Reason = "timestamp_ahead"
	// ReasonOverdraft: Amount is more than Address can spend: Spendable,
	// its confirmed Balance minus Pending, what it has pending.
	ReasonOverdraft Reason = "overdraft"
	// ReasonOverdraftInBlock: as ReasonOverdraft, Pending being what
	// Address pays earlier in the block being made.
	ReasonOverdraftInBlock Reason = "overdraft_in_block"
	// ReasonAlreadyMined: transaction ID is in block Height.
	ReasonAlreadyMined Reason = "already_mined"
	// ReasonAlreadyPending: transaction ID is pending.
	ReasonAlreadyPending Reason = "already_pending"
	// ReasonMempoolFull: Count transactions wait, the most the mempool takes.
	ReasonMempoolFull Reason = "mempool_full"
	// ReasonMempoolCap: a restored transaction would pass the mempool's
	// cap of Limit transactions.
	ReasonMempoolCap Reason = "mempool_cap"
	// ReasonShuttingDown: the node is closing.
	ReasonShuttingDown Reason = "shutting_down"
	// ReasonPeerCap: the node has Limit peers, the most it takes.
	ReasonPeerCap Reason = "peer_cap"
	// ReasonDiskFull: the node's disk is full; reads still work.
	ReasonDiskFull Reason = "disk_full"
	// ReasonReadOnly: the node's database is read-only; reads still work.
	ReasonReadOnly Reason = "read_only"
	// ReasonDiskError: the node cannot write to its database.
	ReasonDiskError Reason = "disk_error"
	// ReasonBlockRule: a block or chain breaks consensus rule Field (a
	// consensus.ErrorCode's name); Detail says how.
	ReasonBlockRule Reason = "block_rule"
)

// Reasons lists every reason, for tests that each is worded.
var Reasons = []Reason{
	ReasonBadJSON, ReasonNotJSON, ReasonBodyKind, ReasonTxKind,
	ReasonFieldMissing, ReasonFieldType, ReasonAddressEmpty, ReasonAddressUTF8,
	ReasonAddressTooLong, ReasonControlChars, ReasonMasterReserved, ReasonBadType,
	ReasonAmountNotPositive, ReasonAmountDecimals, ReasonAmountTooLarge,
	ReasonTimestampNotFinite, ReasonTimestampAhead,
	ReasonOverdraft, ReasonOverdraftInBlock, ReasonAlreadyMined, ReasonAlreadyPending,
	ReasonMempoolFull, ReasonMempoolCap, ReasonShuttingDown, ReasonPeerCap,
	ReasonDiskFull, ReasonReadOnly, ReasonDiskError,
	ReasonBlockRule,
}

// Args are what a refusal's wording needs besides its reason. A reason
// fills only the fields its comment lists.
type Args struct {
	// Field is the field or rule the refusal is about.
	Field string
	// Got is what the field held, as written (shortened when long) or its
	// JSON kind: "null", "boolean", "number", "string", "list", "object".
	Got string
	// Detail is a parser's or a rule's own diagnosis.
	Detail string
	// Address is the address the refusal is about.
	Address string
	// ID is the transaction's id.
	ID string
	// Limit is the bound that was reached.
	Limit int64
	// Count is how many there are.
	Count int64
	// Height is a block's height.
	Height int64
	// Amount is the transaction's amount, or the bound it passed.
	Amount Amount
	// Balance, Pending and Spendable explain an overdraft.
	Balance, Pending, Spendable Sum
}

// Refuse returns a refusal: an *Error with code, reason and args, and no
// message; package refusal words it.
func Refuse(code string, reason Reason, args Args) *Error {
	return &Error{Code: code, Reason: reason, Args: args}
}

// Overdraft returns the refusal of amount sent by address, whose confirmed
// balance minus pending (ahead of it) does not cover it.
func Overdraft(reason Reason, address string, amount Amount, balance, pending Sum) *Error {
	spendable := balance.Sub(pending)
	if spendable.Sign() < 0 {
		spendable = Sum{}
	}
	return Refuse(EINVALID, reason, Args{
		Address: address, Amount: amount,
		Balance: balance, Pending: pending, Spendable: spendable,
	})
}
