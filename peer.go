package pybtc

import "time"

// Peer is another node this node exchanges transactions and blocks with.
type Peer struct {
	// URL is the peer's base URL, scheme://host:port.
	URL string
	// AddedAt is when the peer was registered, float seconds since the epoch.
	AddedAt float64
	// LastSuccess and LastFailure are the times of the last exchange that
	// worked and that failed; zero means never.
	LastSuccess, LastFailure float64
	// Failures counts failed exchanges since the last success.
	Failures int
	// RetryAt is when a failing peer may be tried again; zero when it is
	// not backing off.
	RetryAt float64
	// LastError describes the last failure.
	LastError string
	// FailingSince is when the current streak of failures began; zero
	// while the peer answers.
	FailingSince float64

	// What the sync learned from the peer's last answer to GET /chain,
	// kept in memory only: zero until the peer answers one after start.

	// Height is the length of the peer's chain, as it claimed it; zero
	// when unknown.
	Height int64
	// TipHash is the hash of the peer's last block; empty when unknown,
	// because a peer that is not ahead sends no blocks.
	TipHash string
	// LastSeen is when the peer last answered a request for its chain.
	LastSeen float64
	// RTT is how long that answer took to begin.
	RTT time.Duration
}

// PeerState names a peer's condition as shown to people.
type PeerState string

// The states of a peer.
const (
	PeerNew        PeerState = "new"         // never contacted yet
	PeerOK         PeerState = "ok"          // the last exchange worked
	PeerFailing    PeerState = "failing"     // the last exchange failed
	PeerBackingOff PeerState = "backing off" // failing, and not asked again before RetryAt
)

// State returns the peer's condition at time now.
func (p Peer) State(now float64) PeerState {
	switch {
	case p.Failures > 0 && p.RetryAt > now:
		return PeerBackingOff
	case p.Failures > 0:
		return PeerFailing
	case p.LastSuccess > 0:
		return PeerOK
	}
	return PeerNew
}
