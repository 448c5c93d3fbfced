package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/keys"
)

// pendingIndex holds in memory what the writer would otherwise ask an index
// of the mempool for: the seq of every pending id (a post of a known
// transaction, a block taking its transactions out), each sender's pending
// total (the overdraft check) and, per sender, recipient and amount, the
// seqs of the pending rows in arrival order (matching a tutorial node's
// re-stamped payments). An index in the file would cost every insert a
// random page of the write-ahead log and so a longer commit; the store is
// the mempool's only writer, so memory can follow it exactly.
//
// It also keeps the confirmed balance of addresses that recently sent:
// summing an address's history costs as much as the history is long (the
// miner's address may have received 100,000 coinbases), so each is summed
// once and then followed as blocks are written. The store is the chain's
// only writer too.
//
// mu is held for the whole of every write transaction that changes the
// mempool, so the index always describes the mempool as the writer's
// transaction sees it. Changes are made as the rows change; when the
// transaction does not commit, the index is marked stale and read again
// from the file by the next writer, which is simpler and safer than undoing.
type pendingIndex struct {
	mu    sync.Mutex
	stale bool
	ids   map[string]int64
	sums  map[string]pybtc.Sum
	alike map[alikeKey][]int64
	// messages holds the seq of each pending key-address spend by the
	// hash of its signed message, and messageOf the reverse: one signed
	// payment is pending once, whatever signature it carries (rule K).
	messages  map[string]int64
	messageOf map[int64]string
	// confirmed holds the confirmed balance of some addresses, at most
	// maxConfirmed of them.
	confirmed map[string]pybtc.Sum
	// changed lists the ids the current write transaction added to or
	// took from the mempool; they reach published when it commits.
	changed   []string
	published publishedIDs
}

// publishedIDs are the pending ids as of the last commit, for readers:
// Block Scan looks a pending transaction up by id, or by the start of its
// id, and the mempool has no index on ids. A reader takes the seq here
// before it reads the file, so its snapshot is at least as new: a row
// published as pending is in the snapshot, or a block that took it is.
type publishedIDs struct {
	mu   sync.RWMutex
	seqs map[string]int64
}

// maxConfirmed bounds the confirmed balances kept: past it they are
// dropped and summed again as addresses send.
const maxConfirmed = 100_000

type alikeKey struct {
	sender, recipient string
	amount            int64
}

// lock takes the index for one write transaction and returns the function
// that releases it; committed must be set before then, or the index is
// reloaded by the next writer.
func (p *pendingIndex) lock() (unlock func(committed *bool)) {
	p.mu.Lock()
	return func(committed *bool) {
		if *committed {
			p.publish()
		} else {
			p.stale = true
		}
		p.changed = p.changed[:0]
		p.mu.Unlock()
	}
}

// publish shows readers what the committed write transaction changed.
func (p *pendingIndex) publish() {
	if len(p.changed) == 0 {
		return
	}
	p.published.mu.Lock()
	defer p.published.mu.Unlock()
	for _, id := range p.changed {
		if seq, ok := p.ids[id]; ok {
			p.published.seqs[id] = seq
		} else {
			delete(p.published.seqs, id)
		}
	}
}

// publishedSeq returns the seq of the pending transaction id as of the
// last commit.
func (p *pendingIndex) publishedSeq(id string) (int64, bool) {
	p.published.mu.RLock()
	defer p.published.mu.RUnlock()
	seq, ok := p.published.seqs[id]
	return seq, ok
}

// publishedWithPrefix returns up to limit pending ids, in order, that
// start with prefix, as of the last commit.
func (p *pendingIndex) publishedWithPrefix(prefix string, limit int) []string {
	p.published.mu.RLock()
	var ids []string
	for id := range p.published.seqs {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	p.published.mu.RUnlock()
	slices.Sort(ids)
	return ids[:min(len(ids), limit)]
}

// publishedCount returns the number of pending transactions as of the
// last commit.
func (p *pendingIndex) publishedCount() int {
	p.published.mu.RLock()
	defer p.published.mu.RUnlock()
	return len(p.published.seqs)
}

type selecter interface {
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// load rebuilds the index from the mempool as q sees it, if it is stale.
func (p *pendingIndex) load(ctx context.Context, q selecter) error {
	if !p.stale && p.sums != nil {
		return nil
	}
	var rows []struct {
		Seq       int64  `db:"seq"`
		ID        string `db:"id"`
		Sender    string `db:"sender"`
		Recipient string `db:"recipient"`
		Amount    int64  `db:"amount"`
		Raw       []byte `db:"raw"`
	}
	// Only a key-address spend's JSON is needed: its signed message.
	if err := q.SelectContext(ctx, &rows, `
		SELECT
			seq,
			id,
			sender,
			recipient,
			amount,
			CASE WHEN sender LIKE '`+keys.Prefix+`%' THEN raw END AS raw
		FROM mempool
		ORDER BY seq`); err != nil {
		return fmt.Errorf("read mempool index: %w", err)
	}
	p.confirmed = make(map[string]pybtc.Sum)
	p.ids = make(map[string]int64, len(rows))
	p.sums = make(map[string]pybtc.Sum)
	p.alike = make(map[alikeKey][]int64)
	p.messages = make(map[string]int64)
	p.messageOf = make(map[int64]string)
	for _, r := range rows {
		p.add(r.Seq, r.ID, r.Sender, r.Recipient, r.Amount)
		if r.Raw == nil {
			continue
		}
		message, ok, err := keyMessage(pybtc.Transaction{ID: r.ID, Sender: r.Sender, Raw: r.Raw})
		if err != nil {
			return fmt.Errorf("read mempool index: %w", err)
		}
		if ok {
			p.addMessage(r.Seq, message)
		}
	}
	// What the file says is committed: readers may see it at once.
	p.published.mu.Lock()
	p.published.seqs = maps.Clone(p.ids)
	p.published.mu.Unlock()
	p.changed = p.changed[:0]
	p.stale = false
	return nil
}

// pending is what sender has pending in all.
func (p *pendingIndex) pending(sender string) pybtc.Sum {
	return p.sums[sender]
}

// seq returns the seq of the pending row with this id.
func (p *pendingIndex) seq(id string) (int64, bool) {
	seq, ok := p.ids[id]
	return seq, ok
}

// add records a row just inserted; seq is above every present one.
func (p *pendingIndex) add(seq int64, id, sender, recipient string, amount int64) {
	p.ids[id] = seq
	p.changed = append(p.changed, id)
	p.sums[sender] = p.sums[sender].AddAmount(pybtc.Amount(amount))
	k := alikeKey{sender, recipient, amount}
	p.alike[k] = append(p.alike[k], seq)
}

// addTransaction records t, a row just inserted as seq, with its signed
// message when it is a key-address spend.
func (p *pendingIndex) addTransaction(seq int64, t pybtc.Transaction) error {
	message, ok, err := keyMessage(t)
	if err != nil {
		return err
	}
	p.add(seq, t.ID, t.Sender, t.Recipient, int64(t.Amount))
	if ok {
		p.addMessage(seq, message)
	}
	return nil
}

// addMessage records that the pending row seq is the key-address spend
// whose signed message has this hash.
func (p *pendingIndex) addMessage(seq int64, message string) {
	p.messages[message] = seq
	p.messageOf[seq] = message
}

// messageSeq returns the seq of the pending key-address spend whose signed
// message has this hash.
func (p *pendingIndex) messageSeq(message string) (int64, bool) {
	seq, ok := p.messages[message]
	return seq, ok
}

// remove records a row just deleted.
func (p *pendingIndex) remove(seq int64, id, sender, recipient string, amount int64) {
	delete(p.ids, id)
	if message, ok := p.messageOf[seq]; ok {
		delete(p.messageOf, seq)
		delete(p.messages, message)
	}
	p.changed = append(p.changed, id)
	if s := p.sums[sender].SubAmount(pybtc.Amount(amount)); s != (pybtc.Sum{}) {
		p.sums[sender] = s
	} else {
		delete(p.sums, sender)
	}
	k := alikeKey{sender, recipient, amount}
	seqs := p.alike[k]
	// Blocks take the oldest first: dropping the head costs nothing.
	for i, s := range seqs {
		if s != seq {
			continue
		}
		if i == 0 {
			seqs = seqs[1:]
		} else {
			seqs = append(seqs[:i], seqs[i+1:]...)
		}
		break
	}
	if len(seqs) == 0 {
		delete(p.alike, k)
	} else {
		p.alike[k] = seqs
	}
}

// oldestAlike returns the seq of the oldest pending row with this sender,
// recipient and amount.
func (p *pendingIndex) oldestAlike(sender, recipient string, amount int64) (int64, bool) {
	seqs := p.alike[alikeKey{sender, recipient, amount}]
	if len(seqs) == 0 {
		return 0, false
	}
	return seqs[0], true
}

// balance returns the confirmed balance of address if it is kept.
func (p *pendingIndex) balance(address string) (pybtc.Sum, bool) {
	b, ok := p.confirmed[address]
	return b, ok
}

// keepBalance records the confirmed balance of address as just summed.
func (p *pendingIndex) keepBalance(address string, balance pybtc.Sum) {
	if len(p.confirmed) >= maxConfirmed {
		clear(p.confirmed)
	}
	p.confirmed[address] = balance
}

// confirm records a transaction just stored in a block of the main chain.
func (p *pendingIndex) confirm(sender, recipient string, amount int64) {
	if b, ok := p.confirmed[sender]; ok {
		p.confirmed[sender] = b.SubAmount(pybtc.Amount(amount))
	}
	if b, ok := p.confirmed[recipient]; ok {
		p.confirmed[recipient] = b.AddAmount(pybtc.Amount(amount))
	}
}

// forgetBalances drops every kept balance: blocks were just removed.
func (p *pendingIndex) forgetBalances() {
	clear(p.confirmed)
}
