package node

import (
	"context"
	"math"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// peerTip is the last block of a tutorial peer's chain, as much of it as
// a nudge needs.
type peerTip struct {
	nonce    int64
	previous string // previous_hash as written: a hash, or 1 for a genesis block
	ok       bool
}

// see records b as the last block so far.
func (t *peerTip) see(b *wire.Block) {
	nonce, ok := b.Nonce.Int64()
	prev := &b.PreviousHash
	switch {
	case !ok:
		t.ok = false
	case prev.Kind == wire.String:
		*t = peerTip{nonce: nonce, previous: prev.Str, ok: true}
	case prev.Kind == wire.Number && prev.Num.Text == "1":
		*t = peerTip{nonce: nonce, previous: "1", ok: true}
	default:
		t.ok = false
	}
}

// nudgeTutorial nudges the tutorial peer u (peer.Client.NudgeTutorial)
// when its chain, length blocks ending with last, is shorter than ours: a
// tutorial node follows a longer chain only after an announcement that
// passes its check, which none does once it is on another branch, such as
// one this node refused (a spend from a key address that its key did not
// sign). It nudges once for each of our tips, and only with an address of
// its own that the peer can reach.
func (n *Node) nudgeTutorial(ctx context.Context, u peer.URL, length int64, last peerTip) {
	tip := n.Tip()
	if tip.Height <= length || !last.ok || !n.networked() {
		return
	}
	if !n.peers.markNudged(u, tip.Hash) {
		return
	}
	nonce, found := consensus.SearchProof(last.nonce, 0, math.MaxInt32)
	if !found {
		return
	}
	if err := n.client.NudgeTutorial(ctx, u, n.cfg.Self, last.previous, nonce); err != nil {
		n.log.Debug("nudge tutorial node", "peer", u.String(), "err", err)
		return
	}
	n.log.Info("nudged tutorial node onto the longest chain", "peer", u.String(), "its_height", length, "our_height", tip.Height)
}
