// Package peer owns every byte a node sends to or receives from another
// node, over the tutorial's HTTP protocol: registering, relaying
// transactions, announcing blocks and fetching chains.
//
// Every call has a connect timeout, a total timeout and a cap on the size
// of the answer, so a peer that never answers, trickles bytes or sends a
// huge body costs bounded time and memory. Answers are decoded with the
// consensus package's JSON codec, which keeps blocks exactly as they came.
package peer
