package consensus

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// pythonProof is the tutorial's valid_proof, written the slow way, as the
// reference the fast code must agree with.
func pythonProof(prev, nonce int64) bool {
	h := sha256.Sum256([]byte(strconv.FormatInt(prev+nonce, 10)))
	return strings.HasPrefix(hex.EncodeToString(h[:]), "0000")
}

func TestValidProof(t *testing.T) {
	tests := []struct {
		name        string
		prev, nonce int64
		want        bool
	}{
		// Pairs from the tutorial-made reference chain.
		{"ReferenceBlock2", 100, 937011, true},
		{"ReferenceBlock3", 937011, -664736, true},
		{"ReferenceBlock4", -664736, 606385, true},
		{"OffByOne", 100, 937012, false},
		{"Genesis", 0, 100, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidProof(tt.prev, tt.nonce); got != tt.want {
				t.Fatalf("ValidProof(%d, %d)=%v, want %v", tt.prev, tt.nonce, got, tt.want)
			}
			if got := pythonProof(tt.prev, tt.nonce); got != tt.want {
				t.Fatalf("reference proof(%d, %d)=%v, want %v", tt.prev, tt.nonce, got, tt.want)
			}
		})
	}
	t.Run("Overflow", func(t *testing.T) {
		// 2^63-1 + 1 must hash "9223372036854775808", as Python's big ints do.
		h := sha256.Sum256([]byte("9223372036854775808"))
		want := h[0] == 0 && h[1] == 0
		if got := ValidProof(1<<63-1, 1); got != want {
			t.Fatalf("ValidProof(max, 1)=%v, want %v", got, want)
		}
	})
}

func TestSearchProof(t *testing.T) {
	for _, prev := range []int64{100, -664736, 937011, 0, -5, 999_999} {
		t.Run(strconv.FormatInt(prev, 10), func(t *testing.T) {
			// Start below zero and across powers of ten so the in-place
			// increment meets sign changes and carries.
			nonce, found := SearchProof(prev, -200_000, 2_000_000)
			if !found {
				t.Fatal("no proof found in 2,000,000 tries")
			}
			if !pythonProof(prev, nonce) {
				t.Fatalf("nonce %d is not a proof on %d", nonce, prev)
			}
			// It must be the first one in the range.
			for s := int64(-200_000); s < prev+nonce; s++ {
				if pythonProof(prev, s-prev) {
					t.Fatalf("missed earlier proof at sum %d", s)
				}
			}
		})
	}
}

func TestIncrementDecimal(t *testing.T) {
	for _, start := range []int64{-11, -1, 0, 8, 9, 99, 998, 99_999, 1<<63 - 3} {
		buf := make([]byte, 0, 24)
		text := strconv.AppendInt(buf, start, 10)
		for sum := start; sum < start+2 && sum < 1<<63-1; sum++ {
			text = incrementDecimal(text, sum, make([]byte, 0, 24))
			if got, want := string(text), strconv.FormatInt(sum+1, 10); got != want {
				t.Fatalf("after %d got %q, want %q", sum, got, want)
			}
		}
	}
}

// BenchmarkProofHashes measures single-core hashes per second of the nonce
// search; the node runs one such loop per core.
func BenchmarkProofHashes(b *testing.B) {
	const chunk = 1 << 16
	b.ResetTimer()
	var hashes int64
	for i := 0; i < b.N; i++ {
		// Count the tries actually made: a range stops at its first proof.
		const prev = 1 << 40
		start := int64(i) * chunk
		if nonce, found := SearchProof(prev, start, chunk); found {
			hashes += nonce + prev - start + 1
		} else {
			hashes += chunk
		}
	}
	b.ReportMetric(float64(hashes)/b.Elapsed().Seconds()/1e6, "MH/s")
}

// BenchmarkProofHashesParallel measures hashes per second of the nonce
// search on every core (GOMAXPROCS goroutines), as the miner runs it.
func BenchmarkProofHashesParallel(b *testing.B) {
	const chunk = 1 << 14
	const prev = 1 << 40
	var next, hashes atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		var mine int64
		for pb.Next() {
			start := next.Add(1) * chunk
			if nonce, found := SearchProof(prev, start, chunk); found {
				mine += nonce + prev - start + 1
			} else {
				mine += chunk
			}
		}
		hashes.Add(mine)
	})
	b.ReportMetric(float64(hashes.Load())/b.Elapsed().Seconds()/1e6, "MH/s")
}

func TestProofDigest(t *testing.T) {
	for _, tt := range []struct {
		prev, nonce int64
		text        string
	}{
		{100, 937011, "937111"},
		{937011, -664736, "272275"},
		{1<<63 - 1, 1, "9223372036854775808"},
	} {
		text, digest := ProofDigest(tt.prev, tt.nonce)
		h := sha256.Sum256([]byte(tt.text))
		if text != tt.text || digest != hex.EncodeToString(h[:]) {
			t.Fatalf("ProofDigest(%d, %d)=%q %s, want %q and its SHA-256", tt.prev, tt.nonce, text, digest, tt.text)
		}
		if valid := strings.HasPrefix(digest, strings.Repeat("0", ProofZeros)); valid != ValidProof(tt.prev, tt.nonce) {
			t.Fatalf("digest %s and ValidProof disagree", digest)
		}
	}
}
