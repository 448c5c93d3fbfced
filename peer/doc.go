// Package peer owns every byte a node sends to or receives from another
// node over the tutorial's HTTP protocol: registering with a peer,
// relaying a transaction, announcing a mined block and fetching a chain.
//
// # Addresses
//
// A peer is named by a URL that ParseURL has validated: http or https, a
// host and an explicit port, nothing else. Validation happens once, where
// an address enters the node (a flag, a registration, the database), so
// the rest of the node handles only the URL type and never builds a
// request from unchecked text. SameNode recognises the node's own address
// under its loopback aliases, so that a node never registers itself.
//
// # Bounded exchanges
//
// Peers are untrusted and may be slow, broken or hostile. Every call of a
// Client therefore has
//   - a connect timeout and a response-header timeout (in the transport);
//   - a total timeout (RequestTimeout or ChainTimeout), applied through a
//     context, so that a peer that accepts the connection and never
//     answers, or trickles bytes forever, costs at most that long;
//   - a cap on the bytes read (MaxSmallBytes or MaxChainBytes), so that
//     a huge answer costs at most that much memory; the rest is never read;
//   - no redirects: a peer answers for itself or not at all.
//
// Failures are reported as errors that name the operation and the peer
// and wrap one of ErrStatus, ErrTooLarge, ErrMalformed, or
// context.DeadlineExceeded for any timeout, so that callers can tell them
// apart with errors.Is. Backoff gives the schedule on which a failing peer
// is tried again.
//
// # What is sent
//
// Requests are what a tutorial node expects, with two deliberate
// differences: announcements carry a correct Content-Type header (the
// tutorial misspells it and so is not heard by strict servers), and
// relayed transactions keep their timestamp, so that every pyBTC node
// stores the same transaction id. Bodies are written with the consensus
// package's codec, which keeps every number exactly as it came: an amount
// of 3 is not relayed as 3.0, nor 3.0 as 3, because a block that
// includes the transaction hashes its text.
//
// # What is read
//
// Chain answers are decoded with the consensus codec too, so that blocks
// keep their exact form, extra keys included, and hash as the peer hashed
// them. FetchChain checks only the shape of the answer; the node validates
// the blocks themselves.
package peer
