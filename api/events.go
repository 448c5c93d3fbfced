package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
)

// Live updates of the explorer's pages, as Server-Sent Events.
const (
	// maxEventStreams bounds the open streams: each holds a connection and
	// a goroutine for as long as a page is open.
	maxEventStreams = 256
	// mempoolPoll is how often a stream looks at the mempool's size. New
	// blocks are pushed at once; transactions may arrive thousands a
	// second, and a page needs to hear of them only now and then.
	mempoolPoll = time.Second
	// keepAlive is how often an idle stream sends a comment, so proxies and
	// browsers do not give up on it.
	keepAlive = 20 * time.Second
)

// statusEvent is the data of every event: where the chain and the mempool
// stand.
type statusEvent struct {
	Height  int64   `json:"height"`
	Hash    string  `json:"hash"`
	Time    float64 `json:"timestamp"`
	Pending int64   `json:"pending"`
}

// handleEvents handles "GET /scan/events": an event stream that says
// "block" when the tip moves and "mempool" when the number of pending
// transactions changes, each with a statusEvent; with ?forks=1 it also
// says "forks" when the chain tips change without the tip moving (a stale
// block or branch arrived). Pages reload their live parts when they hear
// one.
func (s *Server) handleEvents(c echo.Context) error {
	select {
	case s.streams <- struct{}{}:
		defer func() { <-s.streams }()
	default:
		return pybtc.Refuse(pybtc.EUNAVAILABLE, pybtc.ReasonTooManyStreams, pybtc.Args{})
	}
	ctx := c.Request().Context()
	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	send := func(name string, tip pybtc.ChainTip, pending int64) error {
		data, err := json.Marshal(statusEvent{tip.Height, tip.Hash, tip.Timestamp, pending})
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data); err != nil {
			return err
		}
		w.Flush()
		return nil
	}
	// Browsers reconnect on their own; ask them to wait a little.
	fmt.Fprint(w, "retry: 2000\n\n")
	tip, moved := s.Node.WatchTip()
	pending, err := s.Explorer.PendingCount(ctx)
	if err != nil {
		return nil // the stream has begun: nothing to answer with
	}
	// Only the pages that draw the block tree ask for the tree's version,
	// read once a poll, so every other stream costs nothing more. The
	// first read comes before the first event, so that any change after
	// it is told.
	watchForks := c.QueryParam("forks") == "1"
	var forks string
	if watchForks {
		if forks, err = s.Explorer.TreeVersion(ctx); err != nil {
			return nil
		}
	}
	if err := send("status", tip, pending); err != nil {
		return nil
	}
	poll := time.NewTicker(mempoolPoll)
	defer poll.Stop()
	idle := time.NewTimer(keepAlive)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.closing:
			return nil
		case <-moved:
			tip, moved = s.Node.WatchTip()
			if pending, err = s.Explorer.PendingCount(ctx); err != nil {
				return nil
			}
			err = send("block", tip, pending)
		case <-poll.C:
			if watchForks {
				var key string
				if key, err = s.Explorer.TreeVersion(ctx); err != nil {
					return nil
				}
				if key != forks {
					forks = key
					if err = send("forks", tip, pending); err != nil {
						return nil
					}
				}
			}
			var n int64
			if n, err = s.Explorer.PendingCount(ctx); err != nil {
				return nil
			}
			if n == pending {
				continue
			}
			pending = n
			err = send("mempool", tip, pending)
		case <-idle.C:
			_, err = fmt.Fprint(w, ": keep-alive\n\n")
			w.Flush()
		}
		if err != nil {
			return nil
		}
		idle.Reset(keepAlive)
	}
}
