package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/refusal"
	"github.com/pybtc/pybtc/wire"
)

// statusOf maps application error codes to HTTP statuses.
var statusOf = map[string]int{
	pybtc.EINVALID:     http.StatusBadRequest,
	pybtc.ENOTFOUND:    http.StatusNotFound,
	pybtc.ECONFLICT:    http.StatusConflict,
	pybtc.EUNAVAILABLE: http.StatusServiceUnavailable,
	pybtc.EINTERNAL:    http.StatusInternalServerError,
}

// handleError answers every error as {"message": "..."}: echo's own errors
// (unknown route, body too large) with their status, application errors by
// their code, anything else as a logged 500 with a generic message. Groups
// whose errors are pages render them first (pageErrors).
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, message := s.describe(err, c)
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	writeJSON(c, status, wire.ObjectValue(wire.Member{Key: "message", Value: wire.StringValue(message)}))
}

// jsonErrors answers the errors of a group of JSON routes as JSON, whatever
// the client accepts.
func (s *Server) jsonErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := next(c); err != nil {
			s.handleError(err, c)
		}
		return nil
	}
}

// pageErrors answers the errors of a group of HTML pages with a page of
// section, in the visitor's language; a client that asks for JSON, and a
// HEAD, get the JSON answer.
func (s *Server) pageErrors(section string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			r := c.Request()
			if err == nil || c.Response().Committed || r.Method == http.MethodHead ||
				strings.Contains(r.Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON) {
				return err
			}
			status, message := s.describe(err, c)
			if rerr := s.renderError(c, section, status, message, err); rerr != nil {
				return err
			}
			return nil
		}
	}
}

func (s *Server) describe(err error, c echo.Context) (int, string) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusRequestEntityTooLarge:
			return he.Code, fmt.Sprintf("request body must be at most %d bytes", MaxBodyBytes)
		case http.StatusNotFound:
			return he.Code, fmt.Sprintf("%s %s: no such route", c.Request().Method, c.Request().URL.Path)
		case http.StatusMethodNotAllowed:
			return he.Code, fmt.Sprintf("%s is not allowed on %s", c.Request().Method, c.Request().URL.Path)
		}
		return he.Code, fmt.Sprint(he.Message)
	}
	if errors.Is(err, context.Canceled) {
		// The client went away; nobody reads this answer.
		return 499, "request cancelled"
	}
	code := pybtc.ErrorCode(err)
	if code == pybtc.EINTERNAL {
		s.Logger.Error("internal error", "method", c.Request().Method, "uri", c.Request().RequestURI, "err", err)
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return status, refusal.Message(err)
}

// writeJSON answers v as Flask's jsonify does: sorted keys, compact
// separators, non-ASCII escaped, a trailing newline.
func writeJSON(c echo.Context, status int, v wire.Value) error {
	buf := wire.AppendCompact(make([]byte, 0, 256), v)
	buf = append(buf, '\n')
	return c.Blob(status, echo.MIMEApplicationJSON, buf)
}

// renderError answers an error of an HTML page with a page that says what
// went wrong, in the visitor's language: a refusal is worded for the
// reader, anything else shows message.
func (s *Server) renderError(c echo.Context, section string, status int, message string, err error) error {
	p := s.newPage(c, section)
	if e, ok := refusal.Of(err); ok && e.Code != pybtc.EINTERNAL {
		message = refusal.Sentence(p.Lang, e)
	}
	heading := "Something went wrong"
	switch {
	case status == http.StatusNotFound:
		heading = "Not found"
	case status < 500:
		heading = "Bad request"
	}
	p.Title = p.T(heading)
	p.Query = c.QueryParam("q")
	p.Data = struct {
		Status           int
		Heading, Message string
	}{status, p.T(heading), message}
	return s.render(c, status, "error.html", p)
}
