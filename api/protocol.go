package api

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/wire"
)

// welcome is the tutorial's GET / text, kept word for word.
const welcome = "Welcome to the Blockchain API. Use /chain to view the chain, /mine to mine a block, or /transactions/new to create a transaction."

// handleIndex handles "GET /": the tutorial's text, or for a browser
// (Accept: text/html) a page about the node.
func (s *Server) handleIndex(c echo.Context) error {
	if !strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/html") {
		return c.String(http.StatusOK, welcome)
	}
	peers, err := s.Node.Peers(c.Request().Context())
	if err != nil {
		return err
	}
	p := s.newPage(c, "")
	p.Data = struct {
		Welcome string
		Tip     pybtc.ChainTip
		Peers   int
	}{welcome, s.Node.Tip(), len(peers)}
	return s.render(c, http.StatusOK, "home.html", p)
}

// handleChain handles "GET /chain": {"chain": [...], "length": N}, streamed
// block by block from the database. ?since=N starts the list at block N and
// ?limit=L stops it after L blocks, so that a peer catching up reads only
// what it lacks, in pieces; "length" is always the whole chain's.
//
// It writes through a 128 KiB buffer (fewer socket writes than smaller
// ones, measured), taken from a pool so that the many small answers of
// peers polling with since do not each allocate one.
func (s *Server) handleChain(c echo.Context) error {
	from, err := queryInt(c, "since", 1, 1, math.MaxInt64)
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 0, 1, math.MaxInt64)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	res := c.Response()
	w, _ := s.chainWriters.Get().(*bufio.Writer)
	if w == nil {
		w = bufio.NewWriterSize(res, chainBufferSize)
	} else {
		w.Reset(res)
	}
	defer func() {
		w.Reset(nil) // hold no answer while pooled
		s.chainWriters.Put(w)
	}()
	first := true
	var length int64 // written last, where Flask's sorted keys put it
	err = s.Chain.StreamChain(ctx, from, limit,
		func(n int64) error {
			length = n
			res.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
			res.WriteHeader(http.StatusOK)
			_, err := w.WriteString(`{"chain":[`)
			return err
		},
		func(raw []byte) error {
			if !first {
				w.WriteByte(',')
			}
			first = false
			_, err := w.Write(raw)
			return err
		})
	if err != nil {
		if !res.Committed {
			return err
		}
		// The status line is gone: cut the connection so the client sees a
		// broken answer, not a shorter chain.
		s.Logger.Error("stream chain", "err", err)
		panic(http.ErrAbortHandler)
	}
	fmt.Fprintf(w, `],"length":%d}`+"\n", length)
	return w.Flush()
}

// handleNewTransaction handles "POST /transactions/new".
func (s *Server) handleNewTransaction(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		err = bodyError(err)
		s.metrics.countSubmission("api", node.Accepted{}, err)
		return err
	}
	var acc node.Accepted
	t, err := consensus.ReadTransaction(body)
	if err == nil {
		acc, err = s.Node.SubmitTransaction(c.Request().Context(), t)
	}
	s.metrics.countSubmission("api", acc, err)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, wire.ObjectValue(
		wire.Member{Key: "message", Value: wire.StringValue(fmt.Sprintf("Transaction will be added to Block {%d}", acc.Block))},
		wire.Member{Key: "transaction_id", Value: wire.StringValue(acc.Transaction.ID)},
	))
}

// handleMine handles "GET /mine": mines one block and describes it.
// ?miner=ADDR pays the reward to ADDR instead of the node's address.
func (s *Server) handleMine(c echo.Context) error {
	miner := c.QueryParam("miner")
	if miner != "" {
		if err := consensus.CheckAddress("miner", miner); err != nil {
			return err
		}
	}
	b, err := s.Node.Mine(c.Request().Context(), miner)
	if err != nil {
		return err
	}
	v, err := wire.Parse(b.Raw)
	if err != nil {
		return fmt.Errorf("mine: reread block %d: %w", b.Index, err)
	}
	members := []wire.Member{{Key: "message", Value: wire.StringValue("new block found")}}
	for _, key := range []string{"index", "transactions", "nonce", "previous_hash"} {
		f, _ := v.Get(key)
		members = append(members, wire.Member{Key: key, Value: f})
	}
	members = append(members, wire.Member{Key: "hash", Value: wire.StringValue(b.Hash)})
	return writeJSON(c, http.StatusOK, wire.ObjectValue(members...))
}

// queryInt reads an integer query parameter within [lo, hi]; absent, it is
// fallback; anything else is EINVALID.
func queryInt(c echo.Context, name string, fallback, lo, hi int64) (int64, error) {
	q := c.QueryParam(name)
	if q == "" {
		return fallback, nil
	}
	n, err := strconv.ParseInt(q, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonQueryParam, pybtc.Args{Field: name, Limit: lo})
	}
	return n, nil
}

func bodyError(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he
	}
	return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonBodyUnreadable, pybtc.Args{Detail: err.Error()})
}

// chainBufferSize is the buffer GET /chain writes through.
const chainBufferSize = 128 * 1024
