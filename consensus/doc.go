// Package consensus holds the rules every pyBTC node agrees on, and nothing
// else: proof of work, the validity of blocks and chains, and the policy
// checks on a new transaction. The JSON they are written in, and the
// hashing of it, is package wire's. It does no
// I/O, starts no goroutines and never reads the clock: the time comes in as
// an argument, so every rule is a pure function that tests can pin down.
//
// # Hashing
//
// A block's hash is the lowercase hex SHA-256 of Python's
// json.dumps(block, sort_keys=True); see wire.Parse and wire.Hash. Blocks
// and transactions are kept as the JSON they came as, because dropping a key
// or rewriting 3 as 3.0 would change the hash.
//
// # Validation order
//
// DecodeBlock checks what a block says about itself (shape, types,
// transactions, coinbase, size, time); CheckBlockContext checks it against
// the block before it (index, previous_hash, proof of work); CheckWork
// checks rule W, from the secure height a node is given: the block's own
// hash starts with 0000 (WorkSearch finds the "work" that makes it so).
// ValidateChain runs DecodeBlock and CheckBlockContext over a whole chain,
// starting with the genesis rules; a ChainChecker with SecureFrom adds
// rule W.
//
// # Errors
//
// A block or chain that breaks a rule gives a *RuleError whose Code names
// the rule; callers use errors.As to tell an invalid block (the peer's
// fault) from a failure of their own. A transaction refused by policy gives
// a *pybtc.Error with code EINVALID and a message that names the field and
// the rule.
package consensus
