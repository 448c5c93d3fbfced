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

// MempoolPolicy is what this node's mempool admits beyond the field rules
// of a transaction (ParseNewTransaction, CheckPolicy), which need the
// database: the balance check and the size cap.
type MempoolPolicy struct {
	// AllowOverdraft turns the balance check off (--allow-overdraft).
	AllowOverdraft bool
	// MaxPending caps the number of pending transactions (--max-mempool);
	// zero means no cap.
	MaxPending int64
}

// NewTransaction is a transaction posted to POST /transactions/new, after
// the node's policy accepted it.
type NewTransaction struct {
	pybtc.Transaction
	// Shared is true when a peer relayed it ("type": "sharing"): it is
	// not relayed again.
	Shared bool
}

// ParseNewTransaction applies the node's policy to the body of a POST
// /transactions/new and builds the transaction to store. now
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
	sender, recipient, amount, err := policyFields(v)
	if err != nil {
		return NewTransaction{}, err
	}
	amountValue, _ := v.Get(keyAmount)

	shared, err := sharedType(v)
	if err != nil {
		return NewTransaction{}, err
	}
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

// CheckPolicy applies the field rules of the policy on new transactions
// to a transaction as a block holds it (raw, its JSON object): sender and
// recipient, the reserved address, the amount. A reorganisation puts a
// transaction of a removed block back in the mempool only if it passes,
// since a peer's block may hold what this node would never accept. The
// refusal is EINVALID, its message naming the field and the rule.
func CheckPolicy(raw []byte) error {
	v, err := Parse(raw)
	if err != nil {
		return pybtc.Errorf(pybtc.EINVALID, "transaction must be a JSON object: %v", err)
	}
	if v.Kind != Object {
		return pybtc.Errorf(pybtc.EINVALID, "transaction must be a JSON object, not %s", kindName(v.Kind))
	}
	_, _, _, err = policyFields(v)
	return err
}

// policyFields applies the policy's rules to the sender, recipient and
// amount fields of the object v.
func policyFields(v Value) (sender, recipient string, amount pybtc.Amount, err error) {
	for _, key := range []string{keySender, keyRecipient, keyAmount} {
		if _, ok := v.Get(key); !ok {
			return "", "", 0, pybtc.Errorf(pybtc.EINVALID, "missing values: %s is required", key)
		}
	}
	if sender, err = addressField(v, keySender); err != nil {
		return "", "", 0, err
	}
	if sender == pybtc.CoinbaseSender {
		return "", "", 0, pybtc.Errorf(pybtc.EINVALID, "sender %q is reserved for the mining reward", pybtc.CoinbaseSender)
	}
	if recipient, err = addressField(v, keyRecipient); err != nil {
		return "", "", 0, err
	}
	if recipient == pybtc.CoinbaseSender {
		// Pages show what master moves as the mining reward.
		return "", "", 0, pybtc.Errorf(pybtc.EINVALID, "recipient %q is reserved for the mining reward and cannot be paid", pybtc.CoinbaseSender)
	}
	amountValue, _ := v.Get(keyAmount)
	if amount, err = policyAmount(amountValue); err != nil {
		return "", "", 0, err
	}
	return sender, recipient, amount, nil
}

// sharedType reads the optional "type" field: "sharing" marks a peer's
// relay, which is not relayed again. Any other value is refused rather than
// read as a relay: the tutorial stops relaying on any "type", so a client
// that sent one by mistake would see its payment reach no peer.
func sharedType(v Value) (bool, error) {
	f, ok := v.Get("type")
	if !ok {
		return false, nil
	}
	if f.Kind != String || f.Str != "sharing" {
		return false, pybtc.Errorf(pybtc.EINVALID, `type must be "sharing" (a peer's relay) or left out`)
	}
	return true, nil
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
	// The number as written: a float64 rounds 0.10000000000000000001 to
	// 0.1, which would pass the rule it breaks. The float bounds the work
	// of exact arithmetic on a long text first.
	written := f.Num.writtenText()
	if f.Num.Float > 2*float64(MaxTransferAmount/pybtc.Coin) {
		return 0, pybtc.Errorf(pybtc.EINVALID, "amount must be at most 100000000; got %s", abbreviate([]byte(written)))
	}
	amount, exact, ok := AmountOf(Num{Text: written})
	if !ok || amount > MaxTransferAmount {
		return 0, pybtc.Errorf(pybtc.EINVALID, "amount must be at most 100000000; got %s", abbreviate([]byte(written)))
	}
	if !exact || amount == 0 {
		return 0, pybtc.Errorf(pybtc.EINVALID, "%s; got %s", rule, abbreviate([]byte(written)))
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
