// Package refusal words the node's refusals. Below the edge a refusal is
// a *pybtc.Error with a reason and its arguments; here, and only here,
// they become sentences: the protocol's English message, byte for byte
// what tutorial clients read, and a sentence for a person in the
// reader's language (the wallet, Block Scan). Programs that sort
// refusals (metrics) switch on the reason, never on these sentences.
package refusal

import (
	"errors"
	"fmt"

	"github.com/pybtc/pybtc"
)

// Refuser is an error that is a refusal of its own kind, such as a
// consensus rule error, and says which.
type Refuser interface {
	error
	Refusal() *pybtc.Error
}

// Of returns the refusal in err's chain: a *pybtc.Error, or the refusal
// of a Refuser.
func Of(err error) (*pybtc.Error, bool) {
	var r Refuser
	if errors.As(err, &r) {
		if e := r.Refusal(); e != nil {
			return e, true
		}
	}
	return pybtc.AsError(err)
}

// Message returns the protocol's message for err: a refusal worded in
// English, the message of any other *pybtc.Error, or a generic sentence
// for internal errors, whose details must not reach users.
func Message(err error) string {
	if err == nil {
		return ""
	}
	e, ok := Of(err)
	if !ok {
		return "Internal error."
	}
	if e.Reason == "" {
		return e.Message
	}
	return English(e.Reason, e.Args)
}

// English words a refusal as the protocol does: one sentence naming the
// field and the rule. These sentences are part of the protocol: clients
// and tests compare them.
func English(r pybtc.Reason, a pybtc.Args) string {
	switch r {
	case pybtc.ReasonBadJSON:
		return fmt.Sprintf("%s must be valid JSON: %s", a.Field, a.Detail)
	case pybtc.ReasonNotJSON:
		return fmt.Sprintf("%s must be a JSON object: %s", a.Field, a.Detail)
	case pybtc.ReasonBodyKind:
		return fmt.Sprintf("request body must be a JSON object with sender, recipient and amount, not %s", kindName(a.Got))
	case pybtc.ReasonTxKind:
		return fmt.Sprintf("transaction must be a JSON object, not %s", kindName(a.Got))
	case pybtc.ReasonFieldMissing:
		return fmt.Sprintf("missing values: %s is required", a.Field)
	case pybtc.ReasonFieldType:
		if a.Field == "amount" {
			return fmt.Sprintf("amount must be a JSON number, not %s", kindName(a.Got))
		}
		return fmt.Sprintf("%s must be a string, not %s", a.Field, kindName(a.Got))
	case pybtc.ReasonAddressEmpty:
		return fmt.Sprintf("%s must not be empty", a.Field)
	case pybtc.ReasonAddressUTF8:
		return fmt.Sprintf("%s must be valid UTF-8", a.Field)
	case pybtc.ReasonAddressTooLong:
		return fmt.Sprintf("%s must be at most %d characters", a.Field, a.Limit)
	case pybtc.ReasonControlChars:
		return fmt.Sprintf("%s must not contain control characters", a.Field)
	case pybtc.ReasonMasterReserved:
		if a.Field == "recipient" {
			// Pages show what master moves as the mining reward.
			return fmt.Sprintf("recipient %q is reserved for the mining reward and cannot be paid", a.Address)
		}
		return fmt.Sprintf("%s %q is reserved for the mining reward", a.Field, a.Address)
	case pybtc.ReasonBadType:
		return `type must be "sharing" (a peer's relay) or left out`
	case pybtc.ReasonAmountNotPositive, pybtc.ReasonAmountDecimals:
		return fmt.Sprintf("amount must be a positive number with at most 8 decimal places; got %s", a.Got)
	case pybtc.ReasonAmountTooLarge:
		return fmt.Sprintf("amount must be at most %s; got %s", a.Amount, a.Got)
	case pybtc.ReasonTimestampNotFinite:
		return "timestamp must be a finite number"
	case pybtc.ReasonTimestampAhead:
		return "timestamp must not be more than 2 hours ahead of this node's clock"
	case pybtc.ReasonOverdraft:
		return overdraft(a, "pending")
	case pybtc.ReasonOverdraftInBlock:
		return overdraft(a, "earlier in the block")
	case pybtc.ReasonAlreadyMined:
		return fmt.Sprintf("Transaction %s is already in block %d: it is not stored again.", a.ID, a.Height)
	case pybtc.ReasonAlreadyPending:
		return fmt.Sprintf("Transaction %s is already pending.", a.ID)
	case pybtc.ReasonMempoolFull:
		return fmt.Sprintf("The mempool is full (%d transactions wait for a block); try again after the next block.", a.Count)
	case pybtc.ReasonMempoolCap:
		return fmt.Sprintf("the mempool holds its cap of %d transactions", a.Limit)
	case pybtc.ReasonShuttingDown:
		return "The node is shutting down."
	case pybtc.ReasonPeerCap:
		return fmt.Sprintf("This node has %d peers, the most it takes.", a.Limit)
	case pybtc.ReasonDiskFull:
		return "The node's disk is full: nothing new can be stored until space is freed. Reading still works."
	case pybtc.ReasonReadOnly:
		return "The node's database is read-only: nothing new can be stored. Reading still works."
	case pybtc.ReasonDiskError:
		return "The node cannot write to its database (a disk error): nothing new can be stored. Reading still works."
	case pybtc.ReasonBlockRule:
		return a.Detail
	}
	return fmt.Sprintf("refused (%s)", r)
}

// overdraft words an overdraft; ahead names what the sender pays before it.
func overdraft(a pybtc.Args, ahead string) string {
	return fmt.Sprintf("amount %s exceeds what sender %q can spend: %s pyBTC (confirmed balance %s minus %s %s)",
		a.Amount, a.Address, a.Spendable, a.Balance, a.Pending, ahead)
}

// kindName words a JSON kind as Args.Got holds it.
func kindName(kind string) string {
	switch kind {
	case "null":
		return "null"
	case "":
		return "unknown"
	case "object":
		return "an object"
	}
	return "a " + kind
}
