// Package node runs the sequence of a pyBTC node: accept a transaction
// (policy → group commit → answer → relay to the peers), mine a block
// (snapshot → proof-of-work search on every core → store and clear the
// mempool in one database transaction → announce it), and take blocks from
// peers (a sync with each peer, periodic and on an announcement or
// /nodes/resolve, that adopts a longer valid chain, reorganising when it
// left this one).
//
// A Node is safe for concurrent use. Writes go through three serialising
// points: the batcher, which turns many concurrent transaction posts into
// one commit; the mining lock, which lets one block be made at a time; and
// the chain lock, which every change of the chain, mined or a peer's,
// holds.
package node
