package api

import (
	"context"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// handleRegister handles "POST /nodes/register": {"nodes": "http://host:port"}
// (the tutorial's form) or {"nodes": ["http://host:port", ...]}.
func (s *Server) handleRegister(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return bodyError(err)
	}
	v, err := wire.Parse(body)
	if err != nil || v.Kind != wire.Object {
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonNodeListBody, pybtc.Args{})
	}
	nodes, ok := v.Get("nodes")
	var urls []string
	switch {
	case ok && nodes.Kind == wire.String:
		urls = []string{nodes.Str}
	case ok && nodes.Kind == wire.Array && len(nodes.Arr) > 0:
		for _, n := range nodes.Arr {
			if n.Kind != wire.String {
				return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonNodeListItem, pybtc.Args{Field: "nodes"})
			}
			urls = append(urls, n.Str)
		}
	default:
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonNodeListMissing, pybtc.Args{Field: "nodes"})
	}
	// A pyBTC node says why it registers (peer.Registration), so that the
	// registrations of a class joining one node end soon; any other value,
	// or none, is the tutorial's registration.
	kind := peer.Asked
	if k, ok := v.Get("registration"); ok && k.Kind == wire.String {
		switch r := peer.Registration(k.Str); r {
		case peer.Newcomer, peer.Introduction, peer.Reply:
			kind = r
		}
	}
	reg, err := s.Node.RegisterPeersAs(c.Request().Context(), urls, kind)
	if err != nil {
		return err
	}
	message := "New nodes have been added"
	if reg.Added == 0 {
		message = "Already Registered Node"
	}
	total := make([]wire.Value, len(reg.Total))
	for i, t := range reg.Total {
		total[i] = wire.StringValue(t)
	}
	return writeJSON(c, http.StatusCreated, wire.ObjectValue(
		wire.Member{Key: "message", Value: wire.StringValue(message)},
		wire.Member{Key: "total_nodes", Value: wire.ArrayValue(total...)},
	))
}

// peerRemover is the node's call behind POST /nodes/remove; *node.Node has
// it. RemovePeer answers EINVALID for a malformed URL and ENOTFOUND for a
// peer the node does not have.
type peerRemover interface {
	RemovePeer(ctx context.Context, url string) error
}

// handleRemove handles "POST /nodes/remove": {"nodes": "http://host:port"}
// forgets that peer at once.
func (s *Server) handleRemove(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return bodyError(err)
	}
	v, err := wire.Parse(body)
	if err != nil || v.Kind != wire.Object {
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonBodyNotObject, pybtc.Args{Field: "nodes"})
	}
	nodes, ok := v.Get("nodes")
	if !ok || nodes.Kind != wire.String {
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonURLMissing, pybtc.Args{Field: "nodes"})
	}
	remover, ok := s.Node.(peerRemover)
	if !ok {
		return pybtc.Refuse(pybtc.EUNAVAILABLE, pybtc.ReasonCannotRemovePeers, pybtc.Args{})
	}
	if err := remover.RemovePeer(c.Request().Context(), nodes.Str); err != nil {
		return err
	}
	peers, err := s.Node.Peers(c.Request().Context())
	if err != nil {
		return err
	}
	total := make([]wire.Value, 0, len(peers))
	for _, p := range peers {
		if u, err := peer.ParseURL(p.URL); err == nil {
			total = append(total, wire.StringValue(u.Netloc()))
		}
	}
	return writeJSON(c, http.StatusOK, wire.ObjectValue(
		wire.Member{Key: "message", Value: wire.StringValue("Node removed")},
		wire.Member{Key: "total_nodes", Value: wire.ArrayValue(total...)},
	))
}

// handleResolve handles "GET /nodes/resolve". A miner announcing a block
// sends {"miner_node": URL, "new_nonce": n}; the body is read as JSON
// whatever its Content-Type says; a pyBTC node adds "new_hash", the
// block's hash. With a known miner the node catches up with it, unless it
// has that block as its last already; otherwise, and without a body, it
// asks every peer.
func (s *Server) handleResolve(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return bodyError(err)
	}
	miner, hash := "", ""
	if len(body) > 0 {
		v, err := wire.Parse(body)
		if err != nil || v.Kind != wire.Object {
			return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonBodyNotObject, pybtc.Args{Field: "miner_node"})
		}
		m, ok := v.Get("miner_node")
		if !ok || m.Kind != wire.String {
			return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonURLMissing, pybtc.Args{Field: "miner_node"})
		}
		miner = m.Str
		// A pyBTC node names its new block; a tutorial node does not. A
		// name that is no block hash is not taken: the announcement is then
		// answered as a tutorial node's, after a sync with the miner.
		if h, ok := v.Get("new_hash"); ok && h.Kind == wire.String && isBlockHash(h.Str) {
			hash = h.Str
		}
	}
	replaced, err := s.Node.Resolve(c.Request().Context(), miner, hash)
	if err != nil {
		return err
	}
	message := "Our chain is authoritative"
	if replaced {
		message = "Our chain was replaced"
	}
	tip := s.Node.Tip()
	return writeJSON(c, http.StatusOK, wire.ObjectValue(
		wire.Member{Key: "message", Value: wire.StringValue(message)},
		wire.Member{Key: "length", Value: wire.IntValue(tip.Height)},
		wire.Member{Key: "tip", Value: wire.StringValue(tip.Hash)},
	))
}

// handlePeers handles "GET /nodes": every peer with its state.
func (s *Server) handlePeers(c echo.Context) error {
	peers, err := s.Node.Peers(c.Request().Context())
	if err != nil {
		return err
	}
	now := s.now()
	list := make([]wire.Value, len(peers))
	for i, p := range peers {
		list[i] = wire.ObjectValue(
			wire.Member{Key: "url", Value: wire.StringValue(p.URL)},
			wire.Member{Key: "state", Value: wire.StringValue(string(p.State(now)))},
			wire.Member{Key: "added_at", Value: wire.FloatValue(p.AddedAt)},
			wire.Member{Key: "last_success", Value: optionalTime(p.LastSuccess)},
			wire.Member{Key: "last_failure", Value: optionalTime(p.LastFailure)},
			wire.Member{Key: "failures", Value: wire.IntValue(int64(p.Failures))},
			wire.Member{Key: "retry_at", Value: optionalTime(p.RetryAt)},
			wire.Member{Key: "last_error", Value: wire.StringValue(p.LastError)},
			wire.Member{Key: "failing_since", Value: optionalTime(p.FailingSince)},
		)
	}
	return writeJSON(c, http.StatusOK, wire.ObjectValue(
		wire.Member{Key: "nodes", Value: wire.ArrayValue(list...)},
		wire.Member{Key: "length", Value: wire.IntValue(int64(len(peers)))},
	))
}

func optionalTime(t float64) wire.Value {
	if t == 0 {
		return wire.Value{Kind: wire.Null}
	}
	return wire.FloatValue(t)
}

// handleTutorialCheck answers what a tutorial node reads when this node
// nudges it (peer.Client.NudgeTutorial): of the "miner's chain" it reads
// only chain[-2]["previous_hash"], to compare it with its last block's. The
// answer is that previous hash (the integer 1 for a genesis block, as the
// tutorial writes it); the tutorial node then reads its peers' real
// chains. Anything but a block hash or 1 is refused.
func (s *Server) handleTutorialCheck(c echo.Context) error {
	previous := c.Param("previous")
	value := wire.StringValue(previous)
	switch {
	case previous == "1":
		value = wire.IntValue(1)
	case !isHex(previous, 64):
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonBlockName, pybtc.Args{Got: wire.Abbreviate([]byte(previous))})
	}
	body := wire.AppendCompact(nil, wire.ObjectValue(
		wire.Member{Key: "chain", Value: wire.ArrayValue(
			wire.ObjectValue(wire.Member{Key: "previous_hash", Value: value}),
			wire.ObjectValue(),
		)},
		wire.Member{Key: "length", Value: wire.IntValue(2)},
	))
	return c.JSONBlob(http.StatusOK, body)
}

// isBlockHash reports whether s reads as a block's hash: 64 lower-case
// hexadecimal digits, as SHA-256 hashes are written.
func isBlockHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
