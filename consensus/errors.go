package consensus

import (
	"fmt"

	"github.com/pybtc/pybtc"
)

// ErrorCode identifies which consensus rule a block or chain broke.
type ErrorCode int

// The rules a block or chain can break.
const (
	// ErrMalformed: the block is not an object with the required keys and types.
	ErrMalformed ErrorCode = iota
	// ErrBadGenesis: block 1 is not index 1, previous_hash 1, nonce 100, no transactions.
	ErrBadGenesis
	// ErrBadIndex: the index is not the previous block's index plus one.
	ErrBadIndex
	// ErrBadPrevHash: previous_hash is not the hash of the previous block.
	ErrBadPrevHash
	// ErrBadProof: sha256(str(previous nonce + nonce)) does not start with 0000.
	ErrBadProof
	// ErrBadTransaction: a transaction lacks a field or has a wrong type or value.
	ErrBadTransaction
	// ErrBadCoinbase: the last transaction is not the 0.1 reward from master,
	// or master sends elsewhere in the block.
	ErrBadCoinbase
	// ErrTooManyTransactions: the block carries more than MaxBlockTransactions.
	ErrTooManyTransactions
	// ErrTimeTooNew: a timestamp is more than MaxFutureDrift ahead of the clock.
	ErrTimeTooNew
	// ErrEmptyChain: a chain without blocks.
	ErrEmptyChain
	// ErrKeySignature: a key address spends without its key's valid
	// signature over the transaction (rule K).
	ErrKeySignature
	// ErrKeyReplay: a key-address spend's signed message is already in the
	// chain, or earlier in the block (rule K).
	ErrKeyReplay
	// ErrKeyOverdraft: a key address spends more than its balance, counted
	// in chain order (rule K).
	ErrKeyOverdraft
	// ErrNoWork: from the secure height on, the block's hash does not
	// start with 0000 (rule W, SPEC §11).
	ErrNoWork
)

var errorCodeNames = map[ErrorCode]string{
	ErrMalformed:           "ErrMalformed",
	ErrBadGenesis:          "ErrBadGenesis",
	ErrBadIndex:            "ErrBadIndex",
	ErrBadPrevHash:         "ErrBadPrevHash",
	ErrBadProof:            "ErrBadProof",
	ErrBadTransaction:      "ErrBadTransaction",
	ErrBadCoinbase:         "ErrBadCoinbase",
	ErrTooManyTransactions: "ErrTooManyTransactions",
	ErrTimeTooNew:          "ErrTimeTooNew",
	ErrEmptyChain:          "ErrEmptyChain",
	ErrKeySignature:        "ErrKeySignature",
	ErrKeyReplay:           "ErrKeyReplay",
	ErrKeyOverdraft:        "ErrKeyOverdraft",
	ErrNoWork:              "ErrNoWork",
}

// String returns the code's name.
func (c ErrorCode) String() string {
	if s, ok := errorCodeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// RuleError says which rule a block or chain broke and how.
type RuleError struct {
	Code        ErrorCode
	Description string
	// Height and Hash name the block that broke the rule when it was found
	// while storing a branch (rule K's checks against the chain); zero
	// otherwise, when the caller knows which block it was checking.
	Height int64
	Hash   string
}

// Error implements the error interface.
func (e *RuleError) Error() string { return e.Description }

// Refusal returns the refusal a node answers for e: EINVALID, the reason
// ReasonBlockRule, the rule's name and the description.
func (e *RuleError) Refusal() *pybtc.Error {
	return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonBlockRule, pybtc.Args{Field: e.Code.String(), Detail: e.Description})
}

func ruleError(code ErrorCode, format string, args ...any) *RuleError {
	return &RuleError{Code: code, Description: fmt.Sprintf(format, args...)}
}
