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
	// ReasonRestampedCopy: transaction ID, restored after a reorganisation,
	// looks like Hash (a transaction id), already in block Height: the
	// same sender, recipient and amount, stamped within a minute of it.
	// A tutorial node stamps a relayed payment anew, so the same payment
	// can stand under two ids.
	ReasonRestampedCopy Reason = "restamped_copy"
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

	// ReasonBodyUnreadable: the request body could not be read; Detail
	// says why.
	ReasonBodyUnreadable Reason = "body_unreadable"
	// ReasonNodeListBody: the body of /nodes/register is not a JSON object.
	ReasonNodeListBody Reason = "node_list_body"
	// ReasonNodeListItem: a member of /nodes/register's nodes is not a
	// string.
	ReasonNodeListItem Reason = "node_list_item"
	// ReasonNodeListMissing: /nodes/register's nodes is absent, empty, or
	// neither a string nor a list.
	ReasonNodeListMissing Reason = "node_list_missing"
	// ReasonBodyNotObject: the body is not a JSON object holding Field
	// ("nodes" of /nodes/remove, "miner_node" of /nodes/resolve).
	ReasonBodyNotObject Reason = "body_not_object"
	// ReasonURLMissing: Field ("nodes" of /nodes/remove, "miner_node" of
	// /nodes/resolve) is absent or not a string.
	ReasonURLMissing Reason = "url_missing"
	// ReasonCannotRemovePeers: the node behind the API cannot remove peers.
	ReasonCannotRemovePeers Reason = "cannot_remove_peers"
	// ReasonQueryParam: query parameter Field ("since", "limit") is not a
	// whole number of Limit or more.
	ReasonQueryParam Reason = "query_param"
	// ReasonPageParam: ?page= is Got, not a whole number of 1 or more.
	ReasonPageParam Reason = "page_param"
	// ReasonNoSuchPage: page Count is past the last page, Limit.
	ReasonNoSuchPage Reason = "no_such_page"
	// ReasonAddressPath: the address in the path is empty, too long or
	// badly escaped.
	ReasonAddressPath Reason = "address_path"
	// ReasonBlockName: Got names no block: it is neither a height nor a
	// 64-character hex hash.
	ReasonBlockName Reason = "block_name"
	// ReasonTxIDForm: Got is not a transaction id (64 hex characters).
	ReasonTxIDForm Reason = "tx_id_form"
	// ReasonTooManyStreams: every event stream the node serves is open.
	ReasonTooManyStreams Reason = "too_many_streams"
	// ReasonPeerURL: URL (shortened when long) breaks the peer URL rule
	// Field: "length" (more than Limit characters), "spaces", "scheme",
	// "fragment", "query", "userinfo", "path", "ipv6_unclosed", "ipv6",
	// "port_missing", "port_after", "host_missing", "host_name", "port".
	ReasonPeerURL Reason = "peer_url"
	// ReasonChainRange: a chain fetch asked from block Height (below 1) or
	// for Count blocks (below 0).
	ReasonChainRange Reason = "chain_range"
	// ReasonUnknownPeer: URL is not a peer of the node.
	ReasonUnknownPeer Reason = "unknown_peer"
	// ReasonBlockNotFound: the store holds no block Height.
	ReasonBlockNotFound Reason = "block_not_found"
	// ReasonChainEmpty: the store holds no block.
	ReasonChainEmpty Reason = "chain_empty"
	// ReasonNoBlockAt: the chain has no block at Height.
	ReasonNoBlockAt Reason = "no_block_at"
	// ReasonNoBlockHash: no block of the chain has Hash.
	ReasonNoBlockHash Reason = "no_block_hash"
	// ReasonNoTransaction: no transaction has ID.
	ReasonNoTransaction Reason = "no_transaction"
	// ReasonNoAddress: no transaction names Address.
	ReasonNoAddress Reason = "no_address"
	// ReasonNotOnTip: block Height does not extend the tip, block Parent
	// with Hash. The node checks this before storing; a race loses here.
	ReasonNotOnTip Reason = "not_on_tip"
	// ReasonNotLinked: block Height does not build on block Parent.
	ReasonNotLinked Reason = "not_linked"
	// ReasonReorgEmpty: a reorganisation above block Height has no blocks.
	ReasonReorgEmpty Reason = "reorg_empty"
	// ReasonNoForkBlock: the store has no block Height to fork from.
	ReasonNoForkBlock Reason = "no_fork_block"
	// ReasonConstraint: a write breaks a constraint of the database
	// (something is already stored); Detail is SQLite's diagnosis.
	ReasonConstraint Reason = "constraint"
	// ReasonNoStaleBlock: no stale block has Hash.
	ReasonNoStaleBlock Reason = "no_stale_block"
	// ReasonNoReorg: the node recorded no reorganisation numbered Count.
	ReasonNoReorg Reason = "no_reorg"
	// ReasonBranchMissing: block Hash of the branch to switch to, at
	// Height, is no longer among the stale blocks (forgotten meanwhile).
	ReasonBranchMissing Reason = "branch_missing"
	// ReasonLimitParam: the query parameter Field, written Got, is not a
	// whole number from 1 to Limit.
	ReasonLimitParam Reason = "limit_param"
	// ReasonReorgID: Got, in a reorganisation's path, is not its number
	// (a whole number of 1 or more).
	ReasonReorgID Reason = "reorg_id"
	// ReasonKeyAddress: Address (shortened when long) is not a key
	// address: it breaks the rule Field, one of keys.Rule*.
	ReasonKeyAddress Reason = "key_address"
	// ReasonSignatureMissing: a transaction from the key address Address
	// has no signature.
	ReasonSignatureMissing Reason = "signature_missing"
	// ReasonSignatureForm: the signature, written Got (shortened when
	// long), is not 128 lowercase hex characters.
	ReasonSignatureForm Reason = "signature_form"
	// ReasonSignatureWrong: the signature is not one by the key of Address
	// of the transaction's signed message.
	ReasonSignatureWrong Reason = "signature_wrong"
	// ReasonKeyReplay: the signed payment ID of the key address Address is
	// already in block Height, under the same signature or another: it
	// cannot be paid twice.
	ReasonKeyReplay Reason = "key_replay"
	// ReasonPendingCopy: transaction ID, restored after a reorganisation,
	// has the sender, recipient and amount of the pending transaction
	// Hash, stamped within a minute of it: the same payment, stamped anew
	// by a tutorial node.
	ReasonPendingCopy Reason = "pending_copy"
)

// Reasons lists every reason, for tests that each is worded.
var Reasons = []Reason{
	ReasonBadJSON, ReasonNotJSON, ReasonBodyKind, ReasonTxKind,
	ReasonFieldMissing, ReasonFieldType, ReasonAddressEmpty, ReasonAddressUTF8,
	ReasonAddressTooLong, ReasonControlChars, ReasonMasterReserved, ReasonBadType,
	ReasonAmountNotPositive, ReasonAmountDecimals, ReasonAmountTooLarge,
	ReasonTimestampNotFinite, ReasonTimestampAhead,
	ReasonOverdraft, ReasonOverdraftInBlock, ReasonAlreadyMined, ReasonAlreadyPending,
	ReasonMempoolFull, ReasonMempoolCap, ReasonRestampedCopy, ReasonShuttingDown, ReasonPeerCap,
	ReasonDiskFull, ReasonReadOnly, ReasonDiskError,
	ReasonBlockRule,
	ReasonBodyUnreadable, ReasonNodeListBody, ReasonNodeListItem, ReasonNodeListMissing,
	ReasonBodyNotObject, ReasonURLMissing, ReasonCannotRemovePeers, ReasonQueryParam,
	ReasonPageParam, ReasonNoSuchPage, ReasonAddressPath, ReasonBlockName, ReasonTxIDForm,
	ReasonTooManyStreams, ReasonPeerURL, ReasonChainRange, ReasonUnknownPeer,
	ReasonBlockNotFound, ReasonChainEmpty, ReasonNoBlockAt, ReasonNoBlockHash,
	ReasonNoTransaction, ReasonNoAddress, ReasonNotOnTip, ReasonNotLinked,
	ReasonReorgEmpty, ReasonNoForkBlock, ReasonConstraint,
	ReasonNoStaleBlock, ReasonNoReorg, ReasonBranchMissing, ReasonLimitParam, ReasonReorgID,
	ReasonKeyAddress, ReasonSignatureMissing, ReasonSignatureForm, ReasonSignatureWrong,
	ReasonKeyReplay, ReasonPendingCopy,
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
	// Hash is a block's hash.
	Hash string
	// URL is a peer's URL, as written.
	URL string
	// Limit is the bound that was reached.
	Limit int64
	// Count is how many there are.
	Count int64
	// Height is a block's height.
	Height int64
	// Parent is the height of the block another should follow.
	Parent int64
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
