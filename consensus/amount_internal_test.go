package consensus

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestDecimalSatoshisAgreesWithRat: the integer fast path gives what the
// exact big.Rat conversion gives, for every text it takes, and leaves the
// rest to it.
func TestDecimalSatoshisAgreesWithRat(t *testing.T) {
	texts := []string{
		"0", "-0", "0.0", "1", "3", "3.0", "0.1", "0.00000001", "-0.00000001",
		"100000000", "100000000.00000000", "9999999999.99999999", "-9999999999.99999999",
		"12345678.9", "0.12345678", "1.10000000",
		// Left to big.Rat: exponents, too many digits, odd shapes.
		"1e+16", "1E5", "0.000000001", "12345678901", "1.", ".5", "", "-", "1.2.3", "+1", "0x10", "1_0",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20_000 {
		whole := strconv.FormatUint(rng.Uint64N(1e10), 10)
		fraction := fmt.Sprintf("%09d", rng.Uint64N(1e9))[:rng.IntN(9)+1]
		text := whole + "." + fraction
		if rng.IntN(2) == 0 {
			text = "-" + text
		}
		texts = append(texts, text, whole)
	}
	fast := 0
	for _, text := range texts {
		sats, done := decimalSatoshis(text)
		want, exact, ok := amountOfRat(text)
		if !done {
			continue
		}
		fast++
		if !ok || !exact || int64(want) != sats {
			t.Fatalf("decimalSatoshis(%q) = %d; big.Rat says %d (exact %v, ok %v)", text, sats, want, exact, ok)
		}
	}
	if fast < len(texts)/2 {
		t.Fatalf("fast path took only %d of %d texts", fast, len(texts))
	}
	for _, text := range []string{"1e+16", "0.000000001", "12345678901", "1.", ".5", "", "-", "+1", strings.Repeat("9", 11)} {
		if _, done := decimalSatoshis(text); done {
			t.Errorf("decimalSatoshis(%q) took a text it should leave to big.Rat", text)
		}
	}
}
