package consensus_test

import (
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/wire"
)

// MustParse parses s or fails the test.
func MustParse(tb testing.TB, s string) wire.Value {
	tb.Helper()
	v, err := wire.Parse([]byte(s))
	if err != nil {
		tb.Fatalf("Parse(%q): %v", s, err)
	}
	return v
}

func TestAmountOf(t *testing.T) {
	tests := []struct {
		name  string
		wire  string
		want  pybtc.Amount
		exact bool
		ok    bool
	}{
		// 0.1 is not exact as a float64; the decimal text is.
		{"PointOne", "0.1", 10_000_000, true, true},
		{"Int", "3", 300_000_000, true, true},
		{"ThreePointZero", "3.0", 300_000_000, true, true},
		{"Exponent", "1e-05", 1000, true, true},
		{"ExponentUpper", "1E-5", 1000, true, true},
		{"ExponentFraction", "1.5e-07", 15, true, true},
		{"OneSatoshi", "0.00000001", 1, true, true},
		{"ManyDigits", "12345678.87654321", 1_234_567_887_654_321, true, true},
		{"Max", "100000000", 100_000_000 * pybtc.Coin, true, true},
		{"Negative", "-2.5", -250_000_000, true, true},
		{"Zero", "0", 0, true, true},
		// More than 8 decimals: rounded to the nearest satoshi, half away
		// from zero, and flagged.
		{"NineDecimals", "0.000000001", 0, false, true},
		{"HalfUp", "0.000000005", 1, false, true},
		{"BelowHalf", "0.0000000049", 0, false, true},
		{"NegativeHalf", "-0.000000005", -1, false, true},
		{"Above8Decimals", "1.123456786", 112_345_679, false, true},
		// Beyond an int64 of satoshis.
		{"Huge", "1e300", 0, true, false},
		{"Float1e16", "1e16", 0, true, false},
		{"BigInt", "92233720368547758070", 0, true, false},
		// The largest whole number of coins an int64 of satoshis holds, and
		// the next.
		{"Int64Edge", "92233720368", 9_223_372_036_800_000_000, true, true},
		{"Int64EdgePlusOne", "92233720369", 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := MustParse(t, tt.wire).Num
			got, exact, ok := consensus.AmountOf(n)
			if ok != tt.ok {
				t.Fatalf("AmountOf(%s) ok=%v, want %v", n.Text, ok, tt.ok)
			}
			if !ok {
				return
			}
			if got != tt.want {
				t.Fatalf("AmountOf(%s)=%d, want %d", n.Text, got, tt.want)
			}
			if exact != tt.exact {
				t.Fatalf("AmountOf(%s) exact=%v, want %v", n.Text, exact, tt.exact)
			}
		})
	}
}

// TestAmountOfSums checks what float sums get wrong: ten payments of 0.1
// make exactly one coin.
func TestAmountOfSums(t *testing.T) {
	var sum pybtc.Amount
	var fsum float64
	for range 10 {
		a, _, _ := consensus.AmountOf(MustParse(t, "0.1").Num)
		sum += a
		fsum += 0.1
	}
	if got, want := sum, pybtc.Coin; got != want {
		t.Fatalf("10 × 0.1 = %d satoshis, want %d", got, want)
	}
	if fsum == 1 {
		t.Fatal("float64 sum of 10 × 0.1 is exactly 1; the test no longer shows why satoshis are used")
	}
}

func TestAmountString(t *testing.T) {
	tests := []struct {
		name   string
		amount pybtc.Amount
		want   string
	}{
		{"PointOne", 10_000_000, "0.1"},
		{"Three", 3 * pybtc.Coin, "3"},
		{"NegativeTwoAndAHalf", -250_000_000, "-2.5"},
		{"Zero", 0, "0"},
		{"OneSatoshi", 1, "0.00000001"},
		{"NegativeSatoshi", -1, "-0.00000001"},
		{"Max", 100_000_000 * pybtc.Coin, "100000000"},
		{"Mixed", 1_234_567_887_654_321, "12345678.87654321"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.amount.String(), tt.want; got != want {
				t.Fatalf("Amount(%d).String()=%q, want %q", int64(tt.amount), got, want)
			}
			// What String writes reads back as the same amount.
			back, exact, ok := consensus.AmountOf(MustParse(t, tt.want).Num)
			if back != tt.amount || !exact || !ok {
				t.Fatalf("AmountOf(%s)=%d, %v, %v; want %d, true, true", tt.want, back, exact, ok, int64(tt.amount))
			}
		})
	}
}
