package pybtc_test

import (
	"math"
	"testing"

	"github.com/pybtc/pybtc"
)

func TestSum(t *testing.T) {
	most := pybtc.SumOf(math.MaxInt64)
	tests := []struct {
		name       string
		sum        pybtc.Sum
		want, sats string
		sign       int
	}{
		{"Zero", pybtc.Sum{}, "0", "0", 0},
		{"Amount", pybtc.SumOf(250_000_000), "2.5", "250000000", 1},
		{"Negative", pybtc.SumOf(-10_000_000), "-0.1", "-10000000", -1},
		{"LargestAmount", most, "92233720368.54775807", "9223372036854775807", 1},
		{"PastInt64", most.AddAmount(1), "92233720368.54775808", "9223372036854775808", 1},
		{"ThreeLargest", most.Add(most).Add(most), "276701161105.64327421", "27670116110564327421", 1},
		{"BelowInt64", pybtc.SumOf(math.MinInt64).SubAmount(1), "-92233720368.54775809", "-9223372036854775809", -1},
		{"BackDown", most.Add(most).Sub(most).Sub(most).SubAmount(pybtc.Coin), "-1", "-100000000", -1},
		{"WholeCoins", pybtc.SumOf(pybtc.Coin * 1_000_000_000).Add(pybtc.SumOf(pybtc.Coin * 1_000_000_000)).Add(most).Sub(most), "2000000000", "200000000000000000", 1},
		{"Parts", pybtc.SumOfParts(3*(math.MaxInt64>>32), 3*(math.MaxInt64&0xffffffff)), "276701161105.64327421", "27670116110564327421", 1},
		{"NegativeParts", pybtc.SumOfParts(-1, 0), "-42.94967296", "-4294967296", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.sum.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
			if got := tt.sum.Sats(); got != tt.sats {
				t.Errorf("Sats() = %s, want %s", got, tt.sats)
			}
			if got := tt.sum.Sign(); got != tt.sign {
				t.Errorf("Sign() = %d, want %d", got, tt.sign)
			}
		})
	}
	if most.AddAmount(1).Cmp(most) <= 0 || most.Cmp(most.AddAmount(1)) >= 0 || most.Cmp(most) != 0 {
		t.Error("Cmp does not order sums past int64")
	}
	if _, ok := most.AddAmount(1).Amount(); ok {
		t.Error("a sum past int64 converts to an Amount")
	}
	if a, ok := most.Add(most).Sub(most).Amount(); !ok || a != math.MaxInt64 {
		t.Errorf("Amount() = %d %v, want the largest amount", a, ok)
	}
}
