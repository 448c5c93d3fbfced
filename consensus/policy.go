package consensus

import (
	"errors"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/wire"
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
// /transactions/new and builds the transaction to store: ReadTransaction,
// then AdmitTransaction.
func ParseNewTransaction(body []byte, now float64) (NewTransaction, error) {
	t, err := ReadTransaction(body)
	if err != nil {
		return NewTransaction{}, err
	}
	return AdmitTransaction(&t, now)
}

// ReadTransaction reads the body of a POST /transactions/new; a body that
// is not JSON is refused (EINVALID, with a reason and where it broke).
func ReadTransaction(body []byte) (wire.Transaction, error) {
	t, err := wire.ParseTransaction(body)
	if err != nil {
		var se *wire.SyntaxError
		if errors.As(err, &se) && se.Path != "" {
			return wire.Transaction{}, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonBadJSON, pybtc.Args{Field: se.Path, Detail: se.Msg})
		}
		return wire.Transaction{}, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonNotJSON, pybtc.Args{Field: "request body", Detail: err.Error()})
	}
	return t, nil
}

// AdmitTransaction applies the node's policy to a posted transaction, as
// read, and builds the transaction to store. now stamps it unless a peer's
// relay ("type": "sharing") carries a timestamp, which is kept so the
// transaction has the same id on every node.
//
// The amount is kept as the JSON number it came as (3 stays 3, 3.0 stays
// 3.0), because the tutorial hashes it that way. Every refusal is a
// refusal (*pybtc.Error) with code EINVALID, a reason and the field.
// The balance rule needs the database and is the store's.
func AdmitTransaction(t *wire.Transaction, now float64) (NewTransaction, error) {
	if t.Kind != wire.Object {
		return NewTransaction{}, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonBodyKind, pybtc.Args{Got: t.Kind.Name()})
	}
	sender, recipient, amount, err := policyFields(t)
	if err != nil {
		return NewTransaction{}, err
	}
	shared, err := sharedType(&t.Type)
	if err != nil {
		return NewTransaction{}, err
	}
	if keys.IsKeyAddress(sender) {
		return admitKeySpend(t, sender, recipient, amount, shared, now)
	}
	timestamp := wire.FloatField(now)
	if ts := &t.Timestamp; ts.Present && shared {
		if ts.Kind != wire.Number || math.IsInf(ts.Num.Float, 0) {
			return NewTransaction{}, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonTimestampNotFinite, pybtc.Args{Field: keyTimestamp})
		}
		if ts.Num.Float > now+MaxFutureDrift {
			return NewTransaction{}, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonTimestampAhead, pybtc.Args{Field: keyTimestamp})
		}
		timestamp = *ts
	}
	id, raw := wire.EncodeTransaction(sender, recipient, t.Amount, timestamp)
	return NewTransaction{
		Transaction: pybtc.Transaction{
			ID:        id,
			Sender:    sender,
			Recipient: recipient,
			Amount:    amount,
			Timestamp: timestamp.Num.Float,
			Raw:       raw,
		},
		Shared: shared,
	}, nil
}

// admitKeySpend admits a spend from a key address (rule K, SPEC §11): it
// must carry its own timestamp and its key's signature over the
// transaction, and is kept whole, as signed, but for the transport key
// "type" — re-stamping it, as other posts are, would break the signature.
func admitKeySpend(t *wire.Transaction, sender, recipient string, amount pybtc.Amount, shared bool, now float64) (NewTransaction, error) {
	ts := &t.Timestamp
	switch {
	case !ts.Present:
		return NewTransaction{}, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonFieldMissing, pybtc.Args{Field: keyTimestamp})
	case ts.Kind != wire.Number || math.IsInf(ts.Num.Float, 0):
		return NewTransaction{}, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonTimestampNotFinite, pybtc.Args{Field: keyTimestamp})
	case ts.Num.Float > now+MaxFutureDrift:
		return NewTransaction{}, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonTimestampAhead, pybtc.Args{Field: keyTimestamp})
	}
	if err := keys.VerifySigned(sender, t.Signed, t.Signature); err != nil {
		return NewTransaction{}, err
	}
	return NewTransaction{
		Transaction: pybtc.Transaction{
			ID:        t.ID,
			Sender:    sender,
			Recipient: recipient,
			Amount:    amount,
			Timestamp: ts.Num.Float,
			Raw:       t.Raw,
			Message:   MessageHash(t.Signed),
		},
		Shared: shared,
	}, nil
}

// CheckPolicy applies the field rules of the policy on new transactions
// to a transaction as a block holds it (raw, its JSON object): sender and
// recipient, the reserved address, the amount. A reorganisation puts a
// transaction of a removed block back in the mempool only if it passes,
// since a peer's block may hold what this node would never accept. The
// refusal is EINVALID, with a reason and the field.
func CheckPolicy(raw []byte) error {
	t, err := wire.ParseTransaction(raw)
	if err != nil {
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonNotJSON, pybtc.Args{Field: "transaction", Detail: err.Error()})
	}
	if t.Kind != wire.Object {
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonTxKind, pybtc.Args{Got: t.Kind.Name()})
	}
	_, _, _, err = policyFields(&t)
	return err
}

// policyFields applies the policy's rules to the sender, recipient and
// amount of t.
func policyFields(t *wire.Transaction) (sender, recipient string, amount pybtc.Amount, err error) {
	for _, f := range []struct {
		key string
		f   *wire.Field
	}{{keySender, &t.Sender}, {keyRecipient, &t.Recipient}, {keyAmount, &t.Amount}} {
		if !f.f.Present {
			return "", "", 0, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonFieldMissing, pybtc.Args{Field: f.key})
		}
	}
	if sender, err = addressField(&t.Sender, keySender); err != nil {
		return "", "", 0, err
	}
	if sender == pybtc.CoinbaseSender {
		return "", "", 0, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonMasterReserved, pybtc.Args{Field: keySender, Address: pybtc.CoinbaseSender})
	}
	if recipient, err = addressField(&t.Recipient, keyRecipient); err != nil {
		return "", "", 0, err
	}
	if recipient == pybtc.CoinbaseSender {
		// Pages show what master moves as the mining reward.
		return "", "", 0, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonMasterReserved, pybtc.Args{Field: keyRecipient, Address: pybtc.CoinbaseSender})
	}
	if amount, err = policyAmount(&t.Amount); err != nil {
		return "", "", 0, err
	}
	return sender, recipient, amount, nil
}

// sharedType reads the optional "type" field: "sharing" marks a peer's
// relay, which is not relayed again. Any other value is refused rather than
// read as a relay: the tutorial stops relaying on any "type", so a client
// that sent one by mistake would see its payment reach no peer.
func sharedType(f *wire.Field) (bool, error) {
	if !f.Present {
		return false, nil
	}
	if f.Kind != wire.String || f.Str != "sharing" {
		return false, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonBadType, pybtc.Args{Field: "type"})
	}
	return true, nil
}

// addressField checks the sender or recipient field f, named key: a string
// that CheckAddress accepts. One that starts as a key address does must be
// one: a mistyped key address would otherwise be a plain address, which
// anyone can spend from, and coins sent to it would be anyone's.
func addressField(f *wire.Field, key string) (string, error) {
	if f.Kind != wire.String {
		return "", pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonFieldType, pybtc.Args{Field: key, Got: f.Kind.Name()})
	}
	if err := CheckAddress(key, f.Str); err != nil {
		return "", err
	}
	if strings.HasPrefix(f.Str, keys.Prefix) {
		if _, err := keys.ParseAddress(f.Str); err != nil {
			return "", err
		}
	}
	return f.Str, nil
}

// CheckAddress applies the rules of sender and recipient to an address
// named field in the message: a non-empty string of at most
// MaxAddressLength characters, valid UTF-8, without control characters.
func CheckAddress(field, s string) error {
	switch {
	case s == "":
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonAddressEmpty, pybtc.Args{Field: field})
	case !utf8.ValidString(s):
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonAddressUTF8, pybtc.Args{Field: field})
	case utf8.RuneCountInString(s) > MaxAddressLength:
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonAddressTooLong, pybtc.Args{Field: field, Limit: MaxAddressLength})
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonControlChars, pybtc.Args{Field: field})
		}
	}
	return nil
}

// policyAmount checks amount: a JSON number (not a string), finite, > 0, at
// most 8 decimal places, at most 100,000,000.
func policyAmount(f *wire.Field) (pybtc.Amount, error) {
	if f.Kind != wire.Number {
		return 0, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonFieldType, pybtc.Args{Field: keyAmount, Got: f.Kind.Name()})
	}
	if !(f.Num.Float > 0) {
		return 0, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonAmountNotPositive, pybtc.Args{Field: keyAmount, Got: f.Num.Text})
	}
	// The number as written: a float64 rounds 0.10000000000000000001 to
	// 0.1, which would pass the rule it breaks. The float bounds the work
	// of exact arithmetic on a long text first.
	written := f.Num.WrittenText()
	if f.Num.Float > 2*float64(MaxTransferAmount/pybtc.Coin) {
		return 0, tooLarge(written)
	}
	amount, exact, ok := AmountOf(wire.Num{Text: written})
	if !ok || amount > MaxTransferAmount {
		return 0, tooLarge(written)
	}
	if !exact {
		return 0, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonAmountDecimals, pybtc.Args{Field: keyAmount, Got: wire.Abbreviate([]byte(written))})
	}
	if amount == 0 {
		return 0, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonAmountNotPositive, pybtc.Args{Field: keyAmount, Got: wire.Abbreviate([]byte(written))})
	}
	return amount, nil
}

// tooLarge refuses an amount, written so, above MaxTransferAmount.
func tooLarge(written string) error {
	return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonAmountTooLarge,
		pybtc.Args{Field: keyAmount, Got: wire.Abbreviate([]byte(written)), Amount: MaxTransferAmount})
}
