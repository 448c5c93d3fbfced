package consensus_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/refusal"
	"github.com/pybtc/pybtc/wire"
)

// policyNow is the clock of the policy tests; its repr is short and exact.
const policyNow = 1795869600.5

func TestParseNewTransactionAccepts(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		raw    string // the stored transaction, compact with sorted keys
		amount pybtc.Amount
		shared bool
	}{
		{
			// The tutorial hashes 3 as 3: an integer must not become 3.0.
			name:   "IntAmount",
			body:   `{"sender": "a", "recipient": "b", "amount": 3}`,
			raw:    `{"amount":3,"recipient":"b","sender":"a","timestamp":1795869600.5}`,
			amount: 3 * pybtc.Coin,
		},
		{
			name:   "FloatAmountStaysFloat",
			body:   `{"sender": "a", "recipient": "b", "amount": 3.0}`,
			raw:    `{"amount":3.0,"recipient":"b","sender":"a","timestamp":1795869600.5}`,
			amount: 3 * pybtc.Coin,
		},
		{
			name:   "OneSatoshi",
			body:   `{"sender": "a", "recipient": "b", "amount": 0.00000001}`,
			raw:    `{"amount":1e-08,"recipient":"b","sender":"a","timestamp":1795869600.5}`,
			amount: 1,
		},
		{
			name:   "MaxAmount",
			body:   `{"sender": "a", "recipient": "b", "amount": 100000000}`,
			raw:    `{"amount":100000000,"recipient":"b","sender":"a","timestamp":1795869600.5}`,
			amount: consensus.MaxTransferAmount,
		},
		{
			// The tutorial's own example sender, 학생 ("student").
			name:   "KoreanSender",
			body:   `{"sender": "학생", "recipient": "test_to", "amount": 0.25}`,
			raw:    `{"amount":0.25,"recipient":"test_to","sender":"\ud559\uc0dd","timestamp":1795869600.5}`,
			amount: 25_000_000,
		},
		{
			name:   "KoreanSenderEscaped",
			body:   `{"sender": "\ud559\uc0dd", "recipient": "test_to", "amount": 0.25}`,
			raw:    `{"amount":0.25,"recipient":"test_to","sender":"\ud559\uc0dd","timestamp":1795869600.5}`,
			amount: 25_000_000,
		},
		{
			name:   "MaxLengthSender",
			body:   `{"sender": "` + strings.Repeat("학", consensus.MaxAddressLength) + `", "recipient": "b", "amount": 1}`,
			raw:    `{"amount":1,"recipient":"b","sender":"` + strings.Repeat(`\ud559`, consensus.MaxAddressLength) + `","timestamp":1795869600.5}`,
			amount: pybtc.Coin,
		},
		{
			// Without "type" a client's timestamp is not trusted.
			name:   "TimestampIgnoredWithoutType",
			body:   `{"sender": "a", "recipient": "b", "amount": 1, "timestamp": 1000.5}`,
			raw:    `{"amount":1,"recipient":"b","sender":"a","timestamp":1795869600.5}`,
			amount: pybtc.Coin,
		},
		{
			name:   "SharedKeepsTimestamp",
			body:   `{"sender": "a", "recipient": "b", "amount": 1, "type": "sharing", "timestamp": 1795869583.386834}`,
			raw:    `{"amount":1,"recipient":"b","sender":"a","timestamp":1795869583.386834}`,
			amount: pybtc.Coin,
			shared: true,
		},
		{
			// A tutorial peer relays without a timestamp: this node stamps it.
			name:   "SharedWithoutTimestamp",
			body:   `{"sender": "a", "recipient": "b", "amount": 1, "type": "sharing"}`,
			raw:    `{"amount":1,"recipient":"b","sender":"a","timestamp":1795869600.5}`,
			amount: pybtc.Coin,
			shared: true,
		},
		{
			// Written with more digits than it needs, the amount is still
			// exactly 0.1.
			name:   "TrailingZeros",
			body:   `{"sender": "a", "recipient": "b", "amount": 0.1000000000000}`,
			raw:    `{"amount":0.1,"recipient":"b","sender":"a","timestamp":1795869600.5}`,
			amount: 10_000_000,
		},
		{
			name:   "ExponentAmount",
			body:   `{"sender": "a", "recipient": "b", "amount": 25e-2}`,
			raw:    `{"amount":0.25,"recipient":"b","sender":"a","timestamp":1795869600.5}`,
			amount: 25_000_000,
		},
		{
			name:   "ExtraKeysDropped",
			body:   `{"memo": "hi", "sender": "a", "recipient": "b", "amount": 1, "fee": 5}`,
			raw:    `{"amount":1,"recipient":"b","sender":"a","timestamp":1795869600.5}`,
			amount: pybtc.Coin,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nt, err := consensus.ParseNewTransaction([]byte(tt.body), policyNow)
			if err != nil {
				t.Fatalf("ParseNewTransaction: %v", err)
			}
			if got, want := string(nt.Raw), tt.raw; got != want {
				t.Fatalf("Raw=%s, want %s", got, want)
			}
			if got, want := nt.Amount, tt.amount; got != want {
				t.Fatalf("Amount=%d, want %d", got, want)
			}
			if got, want := nt.Shared, tt.shared; got != want {
				t.Fatalf("Shared=%v, want %v", got, want)
			}
			// The id is the SHA-256 of Python's json.dumps(tx, sort_keys=True).
			canonical := wire.AppendCanonical(nil, MustParse(t, tt.raw))
			sum := sha256.Sum256(canonical)
			if got, want := nt.ID, hex.EncodeToString(sum[:]); got != want {
				t.Fatalf("ID=%s, want sha256(%s)=%s", got, canonical, want)
			}
			// The fields agree with Raw.
			v := MustParse(t, string(nt.Raw))
			for key, got := range map[string]string{"sender": nt.Sender, "recipient": nt.Recipient} {
				if f, _ := v.Get(key); f.Str != got {
					t.Fatalf("%s=%q, Raw has %q", key, got, f.Str)
				}
			}
			if ts, _ := v.Get("timestamp"); ts.Num.Float != nt.Timestamp {
				t.Fatalf("Timestamp=%v, Raw has %s", nt.Timestamp, ts.Num.Text)
			}
		})
	}
}

// TestParseNewTransactionID checks that a relayed transaction has the same
// id whenever it arrives, and that a client's does not.
func TestParseNewTransactionID(t *testing.T) {
	idAt := func(t *testing.T, body string, now float64) string {
		t.Helper()
		nt, err := consensus.ParseNewTransaction([]byte(body), now)
		if err != nil {
			t.Fatalf("ParseNewTransaction: %v", err)
		}
		return nt.ID
	}
	t.Run("SharedStable", func(t *testing.T) {
		body := `{"sender": "a", "recipient": "b", "amount": 1, "type": "sharing", "timestamp": 1795869583.5}`
		if a, b := idAt(t, body, policyNow), idAt(t, body, policyNow+30); a != b {
			t.Fatalf("ids differ across clocks: %s, %s", a, b)
		}
	})
	t.Run("ClientStamped", func(t *testing.T) {
		body := `{"sender": "a", "recipient": "b", "amount": 1, "timestamp": 1795869583.5}`
		if a, b := idAt(t, body, policyNow), idAt(t, body, policyNow+30); a == b {
			t.Fatalf("ids equal across clocks (%s): the client's timestamp was used", a)
		}
	})
}

func TestParseNewTransactionRefuses(t *testing.T) {
	tx := func(sender, recipient, amount string) string {
		return `{"sender": ` + sender + `, "recipient": ` + recipient + `, "amount": ` + amount + `}`
	}
	tests := []struct {
		name  string
		body  string
		field string // the message must name it
	}{
		{"InvalidJSON", `{"sender": "a", `, "body"},
		{"Empty", ``, "body"},
		{"Array", `[{"sender": "a", "recipient": "b", "amount": 1}]`, "body"},
		{"String", `"hello"`, "body"},
		{"MissingSender", `{"recipient": "b", "amount": 1}`, "sender"},
		{"MissingRecipient", `{"sender": "a", "amount": 1}`, "recipient"},
		{"MissingAmount", `{"sender": "a", "recipient": "b"}`, "amount"},
		{"AmountString", tx(`"a"`, `"b"`, `"3"`), "amount"},
		{"AmountNull", tx(`"a"`, `"b"`, `null`), "amount"},
		{"AmountZero", tx(`"a"`, `"b"`, `0`), "amount"},
		{"AmountZeroFloat", tx(`"a"`, `"b"`, `0.0`), "amount"},
		{"AmountNegative", tx(`"a"`, `"b"`, `-1`), "amount"},
		{"AmountNaN", tx(`"a"`, `"b"`, `NaN`), "amount"},
		{"AmountInfinity", tx(`"a"`, `"b"`, `Infinity`), "amount"},
		{"AmountMinusInfinity", tx(`"a"`, `"b"`, `-Infinity`), "amount"},
		{"AmountOverflow", tx(`"a"`, `"b"`, `1e400`), "amount"},
		{"AmountNineDecimals", tx(`"a"`, `"b"`, `0.000000001`), "amount"},
		{"AmountAboveMax", tx(`"a"`, `"b"`, `100000000.00000001`), "amount"},
		{"AmountAboveMaxInt", tx(`"a"`, `"b"`, `100000001`), "amount"},
		{"AmountHuge", tx(`"a"`, `"b"`, `1e300`), "amount"},
		{"SenderMaster", tx(`"master"`, `"b"`, `1`), "sender"},
		// A payment to master would show as a mining reward.
		{"RecipientMaster", tx(`"a"`, `"master"`, `1`), "recipient"},
		// The rule reads the number as written, not the float it rounds to.
		{"AmountDecimalsBeyondFloat", tx(`"a"`, `"b"`, `0.10000000000000000001`), "amount"},
		{"AmountAboveMaxBeyondFloat", tx(`"a"`, `"b"`, `100000000.000000000001`), "amount"},
		{"AmountExponentDecimals", tx(`"a"`, `"b"`, `1.000000001e0`), "amount"},
		// Only "sharing" marks a peer's relay; any other type is refused
		// rather than silently stopping the relay.
		{"TypeOther", `{"sender": "a", "recipient": "b", "amount": 1, "type": "gift"}`, "type"},
		{"TypeEmpty", `{"sender": "a", "recipient": "b", "amount": 1, "type": ""}`, "type"},
		{"TypeNull", `{"sender": "a", "recipient": "b", "amount": 1, "type": null}`, "type"},
		{"TypeNumber", `{"sender": "a", "recipient": "b", "amount": 1, "type": 1}`, "type"},
		{"SenderControlChar", tx(`"a\u0007b"`, `"b"`, `1`), "sender"},
		{"SenderEscapedTab", tx(`"a\tb"`, `"b"`, `1`), "sender"},
		{"SenderRawTab", tx("\"a\tb\"", `"b"`, `1`), "sender"},
		{"SenderDEL", tx(`"a\u007fb"`, `"b"`, `1`), "sender"},
		{"SenderEmpty", tx(`""`, `"b"`, `1`), "sender"},
		{"RecipientEmpty", tx(`"a"`, `""`, `1`), "recipient"},
		{"RecipientControlChar", tx(`"a"`, `"b\n"`, `1`), "recipient"},
		{"SenderTooLong", tx(`"`+strings.Repeat("x", consensus.MaxAddressLength+1)+`"`, `"b"`, `1`), "sender"},
		{"SenderTooLongKorean", tx(`"`+strings.Repeat("학", consensus.MaxAddressLength+1)+`"`, `"b"`, `1`), "sender"},
		{"SenderNumber", tx(`42`, `"b"`, `1`), "sender"},
		{"RecipientList", tx(`"a"`, `["b"]`, `1`), "recipient"},
		{"SharedTimestampString", `{"sender": "a", "recipient": "b", "amount": 1, "type": "sharing", "timestamp": "1795869583.5"}`, "timestamp"},
		{"SharedTimestampFuture", `{"sender": "a", "recipient": "b", "amount": 1, "type": "sharing", "timestamp": 1795880400.5}`, "timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nt, err := consensus.ParseNewTransaction([]byte(tt.body), policyNow)
			if err == nil {
				t.Fatalf("accepted %s as %s, want refused", tt.body, nt.Raw)
			}
			if got, want := pybtc.ErrorCode(err), pybtc.EINVALID; got != want {
				t.Fatalf("Code=%v (%v), want %v", got, err, want)
			}
			if msg := refusal.Message(err); !strings.Contains(msg, tt.field) {
				t.Fatalf("message %q does not name %q", msg, tt.field)
			}
		})
	}
}

// TestCheckAddress checks the address rules used for other address fields,
// such as a miner address, with the field named in the message.
func TestCheckAddress(t *testing.T) {
	tests := []struct {
		name    string
		address string
		ok      bool
	}{
		{"Plain", "node_5000", true},
		{"Korean", "학생", true},
		{"Empty", "", false},
		{"Control", "a\x00b", false},
		{"InvalidUTF8", "a\xffb", false},
		{"TooLong", strings.Repeat("x", consensus.MaxAddressLength+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := consensus.CheckAddress("miner", tt.address)
			if got, want := err == nil, tt.ok; got != want {
				t.Fatalf("CheckAddress(%q) ok=%v (%v), want %v", tt.address, got, err, want)
			}
			if err == nil {
				return
			}
			if got, want := pybtc.ErrorCode(err), pybtc.EINVALID; got != want {
				t.Fatalf("Code=%v, want %v", got, want)
			}
			if msg := refusal.Message(err); !strings.Contains(msg, "miner") {
				t.Fatalf("message %q does not name the field miner", msg)
			}
		})
	}
}
