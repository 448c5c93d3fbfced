package node

import (
	"context"
	"errors"
	"sync/atomic"
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
// to disk.
//
// A batch's sync overlaps the next batch's requests: the store commits
// without waiting for the disk (StagePending), an acknowledger waits for
// the sync and answers the batch, and meanwhile the posts that arrive are
// read, parsed, checked against the policy and gathered; when the sync
// ends they are committed at once and handed to the next sync. Clients
// that post in a loop so form two groups that take turns: one group's
// requests are served while the other's sync runs. A full batch (MaxBatch)
// is committed at once, while the sync before it runs.
//
// The next batch is not committed before the running sync ends, although
// that would overlap its inserts with the sync too: the posts arriving
// after it would then make a third commit for the same sync, and each
// commit writes its own pages of the log; measured, that cost more than
// the inserts it overlapped (BENCHMARKS.md).
//
// With nothing on its way, a batch waits for as many posts as were lately
// on their way at once, at most as long as the last sync took (and never
// more than maxCommitDelay): a sync costs about as much for one post as for
// sixteen, and clients that were answered together come back together.
// This is the group-commit delay of database servers (PostgreSQL's
// commit_delay, MySQL's binlog_group_commit_sync_delay), with the count and
// the time taken from the last syncs instead of settings.
func (n *Node) runBatcher() {
	defer close(n.stopped)
	p := newPipeline()
	go p.acknowledge(n)
	defer p.close()
	for {
		batch := make([]submission, 0, n.cfg.MaxBatch)
		select {
		case s := <-n.submissions:
			batch = append(batch, s)
		case <-n.stop:
			n.drain(p)
			return
		}
		batch = n.gather(batch, p)
		p.clients = max(p.clients-1, p.posts+len(batch)+len(n.submissions))
		p.send(n, batch)
	}
}

// pipelineDepth is how many batches may be on their way to disk at once:
// one syncing and a full one waiting.
const pipelineDepth = 2

// maxCommitDelay bounds how long a post waits for others when nothing is
// on its way to disk.
const maxCommitDelay = 2 * time.Millisecond

// pipeline is the batcher's way to disk: committed batches wait in staged
// for the acknowledger.
type pipeline struct {
	staged chan staged
	// synced gets the size of each batch once it is on disk; acked is
	// closed when the acknowledger ends.
	synced chan int
	acked  chan struct{}
	// syncTime is how long the last batch waited for its sync.
	syncTime atomic.Int64

	// The batcher's own: the batches on their way and their posts, and
	// how many clients post at once (the most posts on their way, gathered
	// and queued, forgotten one a batch).
	onTheirWay, posts, clients int
}

func newPipeline() *pipeline {
	return &pipeline{
		staged: make(chan staged, pipelineDepth),
		synced: make(chan int, pipelineDepth),
		acked:  make(chan struct{}),
	}
}

// send commits batch and hands it to the acknowledger, waiting first for
// room.
func (p *pipeline) send(n *Node, batch []submission) {
	for p.onTheirWay >= pipelineDepth {
		p.noteSynced(<-p.synced)
	}
	p.onTheirWay++
	p.posts += len(batch)
	p.staged <- n.stage(batch)
}

// noteSynced notes a batch of size posts on disk.
func (p *pipeline) noteSynced(posts int) {
	p.onTheirWay--
	p.posts -= posts
}

// acknowledge answers the staged batches, in order, as they reach the
// disk, until close. The batcher learns that a batch is on disk once its
// clients are answered: committing the next batch meanwhile would take
// the processor from the answers, and the clients would come back later.
func (p *pipeline) acknowledge(n *Node) {
	defer close(p.acked)
	for st := range p.staged {
		start := time.Now()
		err := st.err
		if err == nil {
			err = st.durable()
		}
		p.syncTime.Store(int64(time.Since(start)))
		n.answer(st, err)
		p.synced <- len(st.batch)
	}
}

func (p *pipeline) close() {
	close(p.staged)
	<-p.acked
}

// gather adds to batch what arrives until it is full or should be
// committed (see runBatcher).
func (n *Node) gather(batch []submission, p *pipeline) []submission {
	// waitFrom is when the batch began to wait for others with nothing on
	// its way: its first post, or the end of the last sync.
	waitFrom := time.Now()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for len(batch) < cap(batch) {
		// The batcher is the queue's only reader: what is counted is there.
		for len(batch) < cap(batch) && len(n.submissions) > 0 {
			batch = append(batch, <-n.submissions)
		}
		for len(p.synced) > 0 {
			p.noteSynced(<-p.synced)
			waitFrom = time.Now()
		}
		var timeout <-chan time.Time
		if p.onTheirWay == 0 {
			wait := time.Until(waitFrom.Add(min(time.Duration(p.syncTime.Load()), maxCommitDelay)))
			if len(batch) >= p.clients || wait <= 0 {
				return batch
			}
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			timeout = timer.C
		}
		select {
		case s := <-n.submissions:
			batch = append(batch, s)
		case posts := <-p.synced:
			p.noteSynced(posts)
			waitFrom = time.Now()
		case <-timeout:
			return batch
		}
	}
	return batch
}

// staged is a committed batch on its way to disk.
type staged struct {
	batch   []submission
	results []error
	err     error
	// durable returns once the commit is on disk.
	durable func() error
	start   time.Time
}

// stage commits batch without waiting for the disk.
func (n *Node) stage(batch []submission) staged {
	txs := make([]pybtc.Transaction, len(batch))
	for i, s := range batch {
		txs[i] = s.tx
	}
	// The commit must not be cut short by one client's cancelled request:
	// others in the batch are waiting for it.
	st := staged{batch: batch, start: time.Now()}
	st.results, st.durable, st.err = n.store.StagePending(context.Background(), txs, !n.cfg.AllowOverdraft)
	return st
}

// answer answers each submission of a staged batch with its result, or
// with err, the failure of its commit or sync.
func (n *Node) answer(st staged, err error) {
	n.commitNanos.Add(int64(time.Since(st.start)))
	if err != nil {
		n.log.Error("commit transactions", "count", len(st.batch), "err", err)
	} else {
		n.commits.Add(1)
		n.committed.Add(int64(len(st.batch)))
	}
	for i, s := range st.batch {
		if err != nil {
			s.done <- err
		} else {
			s.done <- st.results[i]
		}
	}
}

// drain answers what was queued before the stop: those requests are in
// flight and graceful shutdown finishes them.
func (n *Node) drain(p *pipeline) {
	for {
		select {
		case s := <-n.submissions:
			p.send(n, []submission{s})
		default:
			return
		}
	}
}
