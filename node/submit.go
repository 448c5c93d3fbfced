package node

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/wire"
)

// Accepted describes a transaction the node took.
type Accepted struct {
	Transaction pybtc.Transaction
	// Block is the index of the block it is expected in: the tip's + 1.
	Block int64
	// Known is true when the same transaction was already pending:
	// nothing new was stored.
	Known bool
	// Relay is true when the node passes it on to its peers: it came from
	// a client, not from a peer, and was new.
	Relay bool
}

type submission struct {
	tx   pybtc.Transaction
	done chan error
}

// SubmitTransaction applies the policy to t, a transaction posted to POST
// /transactions/new as read (consensus.ReadTransaction), and stores it in
// the mempool. It returns
// only after the commit, so an accepted transaction survives a crash.
// Concurrent calls share commits. Errors: EINVALID for a policy refusal
// (a pybtc.Reason and the field, worded by package refusal), ECONFLICT for a transaction
// a block of the chain already holds, EUNAVAILABLE while shutting down.
func (n *Node) SubmitTransaction(ctx context.Context, t wire.Transaction) (Accepted, error) {
	nt, err := consensus.AdmitTransaction(&t, n.now())
	if err != nil {
		return Accepted{}, err
	}
	if err := n.checkRoom(ctx); err != nil {
		return Accepted{}, err
	}
	s := submission{tx: nt.Transaction, done: make(chan error, 1)}
	select {
	case n.submissions <- s:
	case <-n.stop:
		return Accepted{}, errClosed
	case <-ctx.Done():
		return Accepted{}, ctx.Err()
	}
	// Wait for the commit even if the client goes away: the batcher holds
	// the transaction and will answer on done. A submission that slipped in
	// after the batcher's last drain is never committed.
	select {
	case err = <-s.done:
	case <-n.stopped:
		select {
		case err = <-s.done:
		default:
			return Accepted{}, errClosed
		}
	}
	// A transaction already pending is answered as accepted: it will be
	// mined as it is. One that a block holds is refused (ECONFLICT): a 201
	// would promise a block that never takes it.
	known := errors.Is(err, pybtc.ErrPending)
	if err != nil && !known {
		return Accepted{}, err
	}
	acc := Accepted{Transaction: nt.Transaction, Block: n.Tip().Height + 1, Known: known, Relay: !nt.Shared && !known}
	if acc.Relay && n.networked() {
		n.peers.relay(acc.Transaction.Raw, consensus.IsKeySpend(acc.Transaction))
	}
	return acc, nil
}

// runBatcher commits submissions in batches: it takes what is waiting, up
// to MaxBatch, and commits it at once, so concurrent posts share the sync
// to disk. The store syncs after the commit, without the writer's
// connection (see store.walSync): while a batch waits for its sync, a
// block can be written, and its sync shares the batch's or follows it.
//
// The batcher itself does not commit the next batch while the last syncs.
// Doing so splits clients that post in a loop into two groups that take
// turns, each sync taking half the posts; measured against this schedule
// with 16 clients, that was as fast or slower (slower whenever a sync
// takes more than about 0.2 ms), because a client's round trip, not the
// processors, sets the pace (BENCHMARKS.md).
//
// A sync costs about as much for one post as for sixteen, so the batcher
// also waits for the clients it has just answered: a client that posts in
// a loop sends its next post within moments, and without the wait it
// would miss the batch that starts first and join the one after, so the
// clients split into groups that take turns, each committing alone. The
// next batch waits until as many posts as the last commit answered (plus
// those that queued meanwhile) are in, or for as long as the last commit
// took, at most maxCommitDelay; a client that does not come back costs at
// most that once. This is the group-commit delay of database servers
// (PostgreSQL's commit_delay, MySQL's binlog_group_commit_sync_delay), with
// the count and the time taken from the last commit instead of settings.
func (n *Node) runBatcher() {
	defer close(n.stopped)
	batch := make([]submission, 0, n.cfg.MaxBatch)
	txs := make([]pybtc.Transaction, 0, n.cfg.MaxBatch)
	expect, delay := 0, time.Duration(0)
	for {
		batch = batch[:0]
		select {
		case s := <-n.submissions:
			batch = append(batch, s)
		case <-n.stop:
			n.drain()
			return
		}
		batch = n.gather(batch, expect, delay)
		txs = txs[:0]
		for _, s := range batch {
			txs = append(txs, s.tx)
		}
		delay = min(n.commit(batch, txs), maxCommitDelay)
		expect = min(len(batch)+len(n.submissions), cap(batch))
		// The clients just answered are runnable on this goroutine's
		// processor; yield it so they write their answers (and their
		// clients send the next posts) before this goroutine takes the CPU
		// again.
		runtime.Gosched()
	}
}

// maxCommitDelay bounds how long a batch waits for expected posts.
const maxCommitDelay = 2 * time.Millisecond

// gather adds to batch what is queued and then, until batch holds expect
// posts, what arrives within delay; it stops early when the node stops.
func (n *Node) gather(batch []submission, expect int, delay time.Duration) []submission {
	// The batcher is the queue's only reader: what is counted is there.
	for len(batch) < cap(batch) && len(n.submissions) > 0 {
		batch = append(batch, <-n.submissions)
	}
	if len(batch) >= expect || delay <= 0 {
		return batch
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for len(batch) < expect {
		select {
		case s := <-n.submissions:
			batch = append(batch, s)
		case <-timer.C:
			return batch
		case <-n.stop:
			return batch
		}
	}
	return batch
}

// commit stores txs in one commit, answers each submission of batch and
// returns how long the commit took.
func (n *Node) commit(batch []submission, txs []pybtc.Transaction) time.Duration {
	// The commit must not be cut short by one client's cancelled request:
	// others in the batch are waiting for it.
	start := time.Now()
	results, err := n.store.AddPending(context.Background(), txs, !n.cfg.AllowOverdraft)
	took := time.Since(start)
	n.commitNanos.Add(int64(took))
	if err != nil {
		n.log.Error("commit transactions", "count", len(txs), "err", err)
	} else {
		n.commits.Add(1)
		n.committed.Add(int64(len(txs)))
	}
	for i, s := range batch {
		if err != nil {
			s.done <- err
		} else {
			s.done <- results[i]
		}
	}
	return took
}

// drain answers what was queued before the stop: those requests are in
// flight and graceful shutdown finishes them.
func (n *Node) drain() {
	for {
		select {
		case s := <-n.submissions:
			n.commit([]submission{s}, []pybtc.Transaction{s.tx})
		default:
			return
		}
	}
}
