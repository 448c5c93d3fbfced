package consensus

import (
	"math/big"

	"github.com/pybtc/pybtc"
)

// MaxTransferAmount is the largest amount a new transaction may carry, in
// satoshis (100,000,000 pyBTC).
const MaxTransferAmount = 100_000_000 * pybtc.Coin

var satsPerCoin = big.NewRat(int64(pybtc.Coin), 1)

// AmountOf converts a JSON number to satoshis. exact is false when the
// number has more than 8 decimal places (the result is then rounded to the
// nearest satoshi); ok is false when it does not fit an int64 of satoshis.
// The conversion works on the number's decimal text, so 0.1 is exactly
// 10,000,000 satoshis and sums never drift as float sums do.
func AmountOf(n Num) (amount pybtc.Amount, exact, ok bool) {
	r, valid := new(big.Rat).SetString(n.Text)
	if !valid {
		return 0, false, false
	}
	r.Mul(r, satsPerCoin)
	exact = r.IsInt()
	q := new(big.Int).Quo(r.Num(), r.Denom())
	if !exact {
		// Round half away from zero to the nearest satoshi.
		rem := new(big.Rat).Sub(r, new(big.Rat).SetInt(q))
		if rem.Abs(rem).Cmp(big.NewRat(1, 2)) >= 0 {
			q.Add(q, big.NewInt(int64(r.Sign())))
		}
	}
	if !q.IsInt64() {
		return 0, exact, false
	}
	return pybtc.Amount(q.Int64()), exact, true
}
