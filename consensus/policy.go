package consensus

import (
	"errors"
	"math"
	"unicode"
	"unicode/utf8"

	"github.com/pybtc/pybtc"
)

// MaxAddressLength bounds sender and recipient, in characters.
const MaxAddressLength = 128

// NewTransaction is a transaction posted to POST /transactions/new, after
// the node's policy accepted it.
type NewTransaction struct {
	pybtc.Transaction
	// Shared is true when a peer relayed it ("type" present): it is not
	// relayed again.
	Shared bool
}

// ParseNewTransaction applies the node's policy to the body of a POST
// /transactions/new (SPEC §5) and builds the transaction to store. now
// stamps it unless a peer's relay ("type": "sharing") carries a timestamp,
// which is kept so the transaction has the same id on every node.
//
// The amount is kept as the JSON number it came as (3 stays 3, 3.0 stays
// 3.0), because the tutorial hashes it that way. Every refusal is a
// *pybtc.Error with code EINVALID whose message names the field and the rule.
// The balance rule needs the database and is the store's.
func ParseNewTransaction(body []byte, now float64) (NewTransaction, error) {
	v, err := Parse(body)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) && se.Path != "" {
			return NewTransaction{}, pybtc.Errorf(pybtc.EINVALID, "%s must be valid JSON: %s", se.Path, se.Msg)
		}
		return NewTransaction{}, pybtc.Errorf(pybtc.EINVALID, "request body must be a JSON object: %v", err)
	}
	if v.Kind != Object {
		return NewTransaction{}, pybtc.Errorf(pybtc.EINVALID, "request body must be a JSON object with sender, recipient and amount, not %s", kindName(v.Kind))
	}
	for _, key := range []string{keySender, keyRecipient, keyAmount} {
		if _, ok := v.Get(key); !ok {
			return NewTransaction{}, pybtc.Errorf(pybtc.EINVALID, "missing values: %s is required", key)
		}
	}
	sender, err := addressField(v, keySender)
	if err != nil {
		return NewTransaction{}, err
	}
	if sender == pybtc.CoinbaseSender {
		return NewTransaction{}, pybtc.Errorf(pybtc.EINVALID, "sender %q is reserved for the mining reward", pybtc.CoinbaseSender)
	}
	recipient, err := addressField(v, keyRecipient)
	if err != nil {
		return NewTransaction{}, err
	}
	amountValue, _ := v.Get(keyAmount)
	amount, err := policyAmount(amountValue)
	if err != nil {
		return NewTransaction{}, err
	}

	_, shared := v.Get("type")
	timestamp := FloatValue(now)
	if ts, ok := v.Get(keyTimestamp); ok && shared {
		if ts.Kind != Number || math.IsInf(ts.Num.Float, 0) {
			return NewTransaction{}, pybtc.Errorf(pybtc.EINVALID, "timestamp must be a finite number")
		}
		if ts.Num.Float > now+MaxFutureDrift {
			return NewTransaction{}, pybtc.Errorf(pybtc.EINVALID, "timestamp must not be more than 2 hours ahead of this node's clock")
		}
		timestamp = ts
	}
	tv := ObjectValue(
		Member{keySender, StringValue(sender)},
		Member{keyRecipient, StringValue(recipient)},
		Member{keyAmount, amountValue},
		Member{keyTimestamp, timestamp},
	)
	return NewTransaction{
		Transaction: pybtc.Transaction{
			ID:        Hash(tv),
			Sender:    sender,
			Recipient: recipient,
			Amount:    amount,
			Timestamp: timestamp.Num.Float,
			Raw:       AppendCompact(nil, tv),
		},
		Shared: shared,
	}, nil
}

// addressField checks the sender or recipient field of v: a string that
// CheckAddress accepts.
func addressField(v Value, key string) (string, error) {
	f, _ := v.Get(key)
	if f.Kind != String {
		return "", pybtc.Errorf(pybtc.EINVALID, "%s must be a string, not %s", key, kindName(f.Kind))
	}
	return f.Str, CheckAddress(key, f.Str)
}

// CheckAddress applies the rules of sender and recipient to an address
// named field in the message: a non-empty string of at most
// MaxAddressLength characters, valid UTF-8, without control characters.
func CheckAddress(field, s string) error {
	switch {
	case s == "":
		return pybtc.Errorf(pybtc.EINVALID, "%s must not be empty", field)
	case !utf8.ValidString(s):
		return pybtc.Errorf(pybtc.EINVALID, "%s must be valid UTF-8", field)
	case utf8.RuneCountInString(s) > MaxAddressLength:
		return pybtc.Errorf(pybtc.EINVALID, "%s must be at most %d characters", field, MaxAddressLength)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return pybtc.Errorf(pybtc.EINVALID, "%s must not contain control characters", field)
		}
	}
	return nil
}

// policyAmount checks amount: a JSON number (not a string), finite, > 0, at
// most 8 decimal places, at most 100,000,000.
func policyAmount(f Value) (pybtc.Amount, error) {
	const rule = "amount must be a positive number with at most 8 decimal places"
	if f.Kind != Number {
		return 0, pybtc.Errorf(pybtc.EINVALID, "amount must be a JSON number, not %s", kindName(f.Kind))
	}
	if !(f.Num.Float > 0) {
		return 0, pybtc.Errorf(pybtc.EINVALID, "%s; got %s", rule, f.Num.Text)
	}
	amount, exact, ok := AmountOf(f.Num)
	if !ok || amount > MaxTransferAmount {
		return 0, pybtc.Errorf(pybtc.EINVALID, "amount must be at most 100000000; got %s", f.Num.Text)
	}
	if !exact || amount == 0 {
		return 0, pybtc.Errorf(pybtc.EINVALID, "%s; got %s", rule, f.Num.Text)
	}
	return amount, nil
}

func kindName(k Kind) string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "a boolean"
	case Number:
		return "a number"
	case String:
		return "a string"
	case Array:
		return "a list"
	case Object:
		return "an object"
	}
	return "unknown"
}
