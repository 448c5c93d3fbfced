package consensus

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/wire"
)

// WorkPrefix is what the hash of a block at or above the secure height
// starts with under rule W (SPEC §11): the tutorial's difficulty, applied
// to the whole block rather than to two nonces.
const WorkPrefix = "0000"

// CheckWork checks rule W: when secureFrom > 0, a block at height
// secureFrom or above must have a hash that starts with WorkPrefix, so
// that its proof of work covers the block itself. Below secureFrom, and
// always when secureFrom is 0, it holds.
func CheckWork(b pybtc.Block, secureFrom int64) error {
	if secureFrom <= 0 || b.Index < secureFrom || strings.HasPrefix(b.Hash, WorkPrefix) {
		return nil
	}
	return ruleError(ErrNoWork, "block %d: its hash %.16s… does not start with %s (rule W, from height %d)", b.Index, b.Hash, WorkPrefix, secureFrom)
}

// WorkSearch is the search for the "work" of one block: a value that
// makes the block's hash start with WorkPrefix. Since "work" is the
// block's last key, the canonical JSON before its value is the same for
// every try; the search hashes it once and keeps the SHA-256 state
// (midstate) it leaves, so that a try hashes only the value and the
// closing brace: one try costs the same whatever the block's size.
//
// A try costs one SHA-256 compression, not two, when the bytes the state
// holds beyond the last full 64-byte chunk, the value, the brace and
// SHA-256's 9 bytes of padding fit in one chunk. The value is written as
// a fixed lead of leadDigits digits and a tail of tailDigits digits that
// runs through every value: the lead is chosen so that its digits either
// leave room for the tail in the chunk or complete the chunk, and its
// state is computed once for all the tails that follow it.
//
// A WorkSearch is safe for concurrent use: callers hand disjoint ranges
// of tries to goroutines of their own (the package starts none).
type WorkSearch struct {
	block   pybtc.Block // without Hash and Raw
	compact []byte      // the compact JSON up to the value of "work"
	state   []byte      // the marshaled SHA-256 state after the canonical JSON up to the value

	leadDigits, tailDigits int
	tails                  int64 // 10^tailDigits
	firstLead              int64 // 10^(leadDigits-1)
	tries                  int64 // 9·10^(leadDigits-1) leads × tails
}

// maxWorkDigits keeps every value of work inside an int64, below 10^18.
const maxWorkDigits = 18

// NewWorkSearch starts the search for the work of the block that NewBlock
// makes of the same arguments.
func NewWorkSearch(index int64, timestamp float64, txs []pybtc.Transaction, nonce int64, previousHash string) (*WorkSearch, error) {
	raws := make([][]byte, len(txs))
	for i, t := range txs {
		raws[i] = t.Raw
	}
	canonical, compact, err := wire.EncodeBlockForWork(index, timestamp, raws, nonce, wire.StringField(previousHash))
	if err != nil {
		return nil, ruleError(ErrBadTransaction, "%v", err)
	}
	d := sha256.New()
	d.Write(canonical)
	state, err := d.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("save the SHA-256 state: %w", err)
	}
	w := &WorkSearch{
		block: pybtc.Block{
			Index:        index,
			Timestamp:    timestamp,
			Nonce:        nonce,
			PreviousHash: previousHash,
			Transactions: txs,
		},
		compact: compact,
		state:   state,
	}
	w.leadDigits, w.tailDigits = workLayout(len(canonical) % sha256.BlockSize)
	w.tails = pow10(w.tailDigits)
	w.firstLead = pow10(w.leadDigits - 1)
	w.tries = 9 * w.firstLead * w.tails
	return w, nil
}

// workLayout returns the digits of the lead and of the tail of the value
// of work, for a canonical JSON that leaves held bytes past its last full
// chunk: the most digits (the most tries) among the layouts whose tries
// take one compression, and of those the longest tail (the fewest leads
// to hash). A chunk holds the bytes held, the digits, "}", the 0x80 that
// starts the padding and the 8-byte length: at most 64. There always is
// such a layout: with at most 47 held, a 1-digit lead and a 2-digit tail;
// with 48 or more, a lead that completes the chunk.
func workLayout(held int) (lead, tail int) {
	const room = sha256.BlockSize - 1 - 1 - 8
	for l := 1; l < maxWorkDigits; l++ {
		for t := 2; l+t <= maxWorkDigits; t++ {
			if (held+l)%sha256.BlockSize+t > room {
				continue
			}
			if l+t > lead+tail || (l+t == lead+tail && t > tail) {
				lead, tail = l, t
			}
		}
	}
	return lead, tail
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// Tries returns how many values of work the search can try: Search takes
// tries numbered from 0 to Tries()-1. It is at least 9 million (hundreds
// of times the 65,536 tries expected).
func (w *WorkSearch) Tries() int64 { return w.tries }

// Work returns the value of work that try number i tries.
func (w *WorkSearch) Work(i int64) int64 {
	return (w.firstLead+i/w.tails)*w.tails + i%w.tails
}

// Search tries the values of work numbered start, start+1, …,
// start+count-1 (those below Tries()) and returns the first that makes
// the block's hash start with WorkPrefix. It is the unit of work of a
// parallel search, like SearchProof.
func (w *WorkSearch) Search(start, count int64) (work int64, found bool) {
	end := min(start+count, w.tries)
	if start < 0 || start >= end {
		return 0, false
	}
	d := sha256.New()
	restore := d.(encoding.BinaryUnmarshaler)
	save := d.(encoding.BinaryAppender)
	leadState := make([]byte, 0, len(w.state))
	lead := make([]byte, 0, maxWorkDigits)
	suffix := make([]byte, w.tailDigits+1) // the tail's digits, then "}"
	suffix[w.tailDigits] = '}'
	digits := suffix[:w.tailDigits]
	sum := make([]byte, 0, sha256.Size)
	for i := start; i < end; {
		// The state after the lead, once for the tails that follow it.
		if err := restore.UnmarshalBinary(w.state); err != nil {
			panic(err) // the state is the one MarshalBinary made
		}
		d.Write(strconv.AppendInt(lead[:0], w.firstLead+i/w.tails, 10))
		leadState, _ = save.AppendBinary(leadState[:0])
		tail := i % w.tails
		for j := len(digits) - 1; j >= 0; j-- {
			digits[j] = byte('0' + tail%10)
			tail /= 10
		}
		n := min(end-i, w.tails-i%w.tails)
		for range n {
			restore.UnmarshalBinary(leadState)
			d.Write(suffix)
			sum = d.Sum(sum[:0])
			if sum[0] == 0 && sum[1] == 0 {
				return w.Work(i), true
			}
			i++
			// The next tail; it never carries out of the tail, whose last
			// value ends this lead's run.
			for j := len(digits) - 1; j >= 0; j-- {
				if digits[j] != '9' {
					digits[j]++
					break
				}
				digits[j] = '0'
			}
		}
	}
	return 0, false
}

// Block returns the block whose work is work: its compact JSON, as GET
// /chain serves it, and its hash, taken from the saved state.
func (w *WorkSearch) Block(work int64) pybtc.Block {
	text := strconv.AppendInt(nil, work, 10)
	d := sha256.New()
	if err := d.(encoding.BinaryUnmarshaler).UnmarshalBinary(w.state); err != nil {
		panic(err) // the state is the one MarshalBinary made
	}
	d.Write(text)
	d.Write([]byte("}"))
	b := w.block
	b.Hash = hex.EncodeToString(d.Sum(nil))
	raw := make([]byte, 0, len(w.compact)+len(text)+1)
	raw = append(append(append(raw, w.compact...), text...), '}')
	b.Raw = raw
	return b
}
