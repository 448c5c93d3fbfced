package consensus

import (
	"math/big"
	"strings"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/wire"
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
func AmountOf(n wire.Num) (amount pybtc.Amount, exact, ok bool) {
	if sats, done := decimalSatoshis(n.Text); done {
		return pybtc.Amount(sats), true, true
	}
	return amountOfRat(n.Text)
}

// decimalSatoshis converts the text of amounts as wallets write them, a
// plain decimal such as "12" or "-0.5" with at most 10 integer digits and
// 8 decimal places, in integer arithmetic; done is false for any other
// text (exponents, more digits), left to amountOfRat. It exists because
// every post converts an amount and big.Rat allocates for each.
func decimalSatoshis(text string) (sats int64, done bool) {
	digits := text
	negative := len(digits) > 0 && digits[0] == '-'
	if negative {
		digits = digits[1:]
	}
	whole, fraction, hasPoint := strings.Cut(digits, ".")
	if whole == "" || len(whole) > 10 || len(fraction) > 8 || (hasPoint && fraction == "") {
		return 0, false
	}
	for _, part := range []string{whole, fraction} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, false
			}
		}
	}
	for i := 0; i < len(whole); i++ {
		sats = sats*10 + int64(whole[i]-'0')
	}
	for i := 0; i < 8; i++ {
		sats *= 10
		if i < len(fraction) {
			sats += int64(fraction[i] - '0')
		}
	}
	if negative {
		sats = -sats
	}
	return sats, true
}

// amountOfRat is AmountOf for any number text, exactly, with big.Rat.
func amountOfRat(text string) (amount pybtc.Amount, exact, ok bool) {
	r, valid := new(big.Rat).SetString(text)
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
