package pybtc

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Sum is a sum of amounts in satoshis. Consensus accepts any amount that
// fits an int64 and any number of transactions, so what an address has
// received can pass what an int64 holds; a Sum is a 128-bit integer
// (two's complement), which no chain of fewer than 2⁶⁴ transactions can
// overflow. It is a value: == compares two sums and the zero Sum is 0.
type Sum struct {
	hi int64
	lo uint64
}

// SumOf returns a as a Sum.
func SumOf(a Amount) Sum { return Sum{hi: int64(a) >> 63, lo: uint64(a)} }

// SumOfParts returns high·2³² + low. SQL sums the high and the low 32 bits
// of amounts apart, because SQLite's SUM fails past an int64; neither part
// can reach that before 2³¹ rows.
func SumOfParts(high, low int64) Sum {
	h := SumOf(Amount(high))
	h = Sum{hi: h.hi<<32 | int64(h.lo>>32), lo: h.lo << 32}
	return h.Add(SumOf(Amount(low)))
}

// Add returns s + t.
func (s Sum) Add(t Sum) Sum {
	lo, carry := bits.Add64(s.lo, t.lo, 0)
	return Sum{hi: s.hi + t.hi + int64(carry), lo: lo}
}

// Sub returns s - t.
func (s Sum) Sub(t Sum) Sum {
	lo, borrow := bits.Sub64(s.lo, t.lo, 0)
	return Sum{hi: s.hi - t.hi - int64(borrow), lo: lo}
}

// AddAmount returns s + a.
func (s Sum) AddAmount(a Amount) Sum { return s.Add(SumOf(a)) }

// SubAmount returns s - a.
func (s Sum) SubAmount(a Amount) Sum { return s.Sub(SumOf(a)) }

// Cmp returns -1, 0 or +1 as s is less than, equal to or more than t.
func (s Sum) Cmp(t Sum) int {
	switch {
	case s.hi < t.hi:
		return -1
	case s.hi > t.hi:
		return 1
	case s.lo < t.lo:
		return -1
	case s.lo > t.lo:
		return 1
	}
	return 0
}

// Sign returns -1, 0 or +1 as s is negative, zero or positive.
func (s Sum) Sign() int { return s.Cmp(Sum{}) }

// Amount returns s as an Amount; ok is false when it does not fit one.
func (s Sum) Amount() (a Amount, ok bool) {
	return Amount(s.lo), s.hi == int64(s.lo)>>63
}

// Float64 returns s in pyBTC, rounded: for charts, never for sums.
func (s Sum) Float64() float64 {
	return (float64(s.hi)*math.Exp2(64) + float64(s.lo)) / float64(Coin)
}

// big returns s as a big.Int.
func (s Sum) big() *big.Int {
	b := new(big.Int).SetInt64(s.hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(s.lo))
}

// Sats formats s as a whole number of satoshis: "-250000000".
func (s Sum) Sats() string {
	if a, ok := s.Amount(); ok {
		return strconv.FormatInt(int64(a), 10)
	}
	return s.big().String()
}

// String formats s in pyBTC like Amount.String: "0.1", "3", "-2.5", and
// exactly however large.
func (s Sum) String() string {
	if a, ok := s.Amount(); ok {
		return a.String()
	}
	b := s.big()
	neg := b.Sign() < 0
	b.Abs(b)
	whole, frac := b.QuoRem(b, big.NewInt(int64(Coin)), new(big.Int))
	out := whole.String()
	if f := strings.TrimRight(frac.Add(frac, big.NewInt(int64(Coin))).String()[1:], "0"); f != "" {
		out += "." + f
	}
	if neg {
		out = "-" + out
	}
	return out
}
