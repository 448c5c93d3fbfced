// Package node runs the sequence of a pyBTC node: accept a transaction
// (policy → group commit → answer), mine a block (snapshot → proof-of-work
// search on every core → store and clear the mempool in one database
// transaction), and, later, take blocks from peers.
//
// A Node is safe for concurrent use. Writes go through two serialising
// points: the batcher, which turns many concurrent transaction posts into
// one commit, and the mining lock, which lets one block be made at a time.
package node
