package consensus

import (
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strconv"
)

// MaxNonce bounds a nonce's magnitude. The tutorial draws nonces from
// ±1,000,000; the bound keeps previous nonce + nonce inside int64 for the
// fast search while leaving ample room.
const MaxNonce = 1 << 62

// ValidProof reports whether nonce is a proof of work on top of a block whose
// nonce is prevNonce: the SHA-256 of the decimal text of their sum, in hex,
// starts with "0000", i.e. its first two bytes are zero.
func ValidProof(prevNonce, nonce int64) bool {
	var buf [24]byte
	return proofHashOK(proofText(buf[:0], prevNonce, nonce))
}

// ProofZeros is how many hex zeros a proof's digest starts with: 16^4 =
// 65,536 tries are expected to find one.
const ProofZeros = 4

// ProofDigest returns the text a proof hashes, str(prev_nonce + nonce),
// and its SHA-256 in hex, for showing the proof to a person.
func ProofDigest(prevNonce, nonce int64) (text, digest string) {
	t := proofText(nil, prevNonce, nonce)
	h := sha256.Sum256(t)
	return string(t), hex.EncodeToString(h[:])
}

// proofText appends the decimal text of prevNonce + nonce to buf.
func proofText(buf []byte, prevNonce, nonce int64) []byte {
	sum, overflow := addInt64(prevNonce, nonce)
	if overflow {
		// Python adds without overflow; so must we.
		return new(big.Int).Add(big.NewInt(prevNonce), big.NewInt(nonce)).Append(buf, 10)
	}
	return strconv.AppendInt(buf, sum, 10)
}

func proofHashOK(text []byte) bool {
	h := sha256.Sum256(text)
	return h[0] == 0 && h[1] == 0
}

func addInt64(a, b int64) (int64, bool) {
	s := a + b
	return s, (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0)
}

// SearchProof tries the sums start, start+1, … start+count-1 of previous
// nonce and nonce, and returns the first nonce that is a valid proof. It is
// the unit of work of a parallel search: callers hand out disjoint ranges
// and stop handing them out when the search is no longer wanted. The decimal
// text of the sum is incremented in place rather than formatted afresh, and
// digests are compared as bytes, never as hex.
func SearchProof(prevNonce, start, count int64) (nonce int64, found bool) {
	var buf [24]byte
	text := strconv.AppendInt(buf[:0], start, 10)
	for i := int64(0); i < count; i++ {
		sum := start + i
		if proofHashOK(text) {
			return sum - prevNonce, true
		}
		text = incrementDecimal(text, sum, buf[:0])
	}
	return 0, false
}

// incrementDecimal returns the text of sum+1 given text, the text of sum. For
// non-negative sums without a carry out of the top digit it only touches the
// last digits; other cases are rare and reformatted.
func incrementDecimal(text []byte, sum int64, scratch []byte) []byte {
	if sum < 0 || sum == 1<<63-1 {
		return strconv.AppendInt(scratch, sum+1, 10)
	}
	for i := len(text) - 1; i >= 0; i-- {
		if text[i] != '9' {
			text[i]++
			return text
		}
		text[i] = '0'
	}
	return strconv.AppendInt(scratch, sum+1, 10)
}
