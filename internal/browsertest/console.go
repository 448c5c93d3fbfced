package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Message is one line of the tab's console: a call of the console API, an
// uncaught exception, or an entry of the browser's own log (failed loads,
// Content-Security-Policy violations).
type Message struct {
	// Source is "exception" for an uncaught exception or unhandled promise
	// rejection, "console" for a call such as console.error, or the browser
	// log's source: "network", "security", "javascript", "other", ….
	Source string

	// Level is "error", "warning", "info", "log", "debug" (or another
	// console API name such as "assert").
	Level string

	// Text is what the DevTools console shows.
	Text string

	// URL and Line say where the message came from, when the browser knows.
	URL  string
	Line int64
}

// String formats the message as one line for a test's log.
func (m Message) String() string {
	s := fmt.Sprintf("%s %s: %s", m.Source, m.Level, m.Text)
	if m.URL != "" {
		s += fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
	}
	return s
}

// IsJSError reports whether the message is a script's failure: an uncaught
// exception, or a call of console.error or console.assert.
func (m Message) IsJSError() bool {
	switch m.Source {
	case "exception":
		return true
	case "console", "javascript":
		return m.Level == "error" || m.Level == "assert"
	}
	return false
}

// IsCSPViolation reports whether the message is the browser refusing
// something because of the page's Content-Security-Policy. Chromium reports
// each refusal ("Refused to execute inline script because it violates the
// following Content Security Policy directive: …") as an error of its log.
func (m Message) IsCSPViolation() bool {
	return m.Source != "console" && m.Source != "exception" &&
		strings.Contains(m.Text, "Content Security Policy")
}

// recorder keeps every console message of a tab, in order.
type recorder struct {
	mu   sync.Mutex
	msgs []Message
}

// add runs inside chromedp's read loop, so it only converts and appends.
func (r *recorder) add(ev any) {
	var m Message
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		m = Message{Source: "exception", Level: "error", Text: d.Text, URL: d.URL, Line: d.LineNumber}
		if d.Exception != nil && d.Exception.Description != "" {
			// The description is the error and its stack; the first line
			// is what matters in a test's log.
			first, _, _ := strings.Cut(d.Exception.Description, "\n")
			m.Text += " " + first
		}
	case *runtime.EventConsoleAPICalled:
		m = Message{Source: "console", Level: string(ev.Type), Text: argsText(ev.Args)}
		if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
			m.URL, m.Line = st.CallFrames[0].URL, st.CallFrames[0].LineNumber
		}
	case *log.EventEntryAdded:
		e := ev.Entry
		m = Message{Source: string(e.Source), Level: string(e.Level), Text: e.Text, URL: e.URL, Line: e.LineNumber}
	default:
		return
	}
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case a.Type == runtime.RemoteObjectTypeString && json.Unmarshal(a.Value, &s) == nil:
		case a.Description != "":
			s = a.Description
		case len(a.Value) > 0:
			s = string(a.Value)
		default:
			s = string(a.Type)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// Messages returns the console messages of the tab of ctx (from [New]) so
// far, oldest first. It first makes a round trip to the browser: events that
// the browser sent before are then recorded.
func Messages(tb testing.TB, ctx context.Context) []Message {
	tb.Helper()
	r, ok := ctx.Value(recorderKey{}).(*recorder)
	if !ok {
		tb.Fatal("browsertest: the context does not come from browsertest.New")
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int]("0")); err != nil {
		tb.Fatalf("browsertest: reach the browser: %v", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.msgs...)
}

// JSErrors returns the messages that are script failures ([Message.IsJSError]).
func JSErrors(tb testing.TB, ctx context.Context) []Message {
	tb.Helper()
	return filter(Messages(tb, ctx), Message.IsJSError)
}

// CSPViolations returns the messages that report something blocked by the
// page's Content-Security-Policy ([Message.IsCSPViolation]).
func CSPViolations(tb testing.TB, ctx context.Context) []Message {
	tb.Helper()
	return filter(Messages(tb, ctx), Message.IsCSPViolation)
}

// NoJSErrors fails the test if a page of the tab threw an uncaught exception
// or called console.error, listing them.
func NoJSErrors(tb testing.TB, ctx context.Context) {
	tb.Helper()
	if errs := JSErrors(tb, ctx); len(errs) > 0 {
		tb.Fatalf("JavaScript errors:\n%s", lines(errs))
	}
}

// NoCSPViolations fails the test if the Content-Security-Policy of a page of
// the tab blocked a script, style, image or connection, listing them.
func NoCSPViolations(tb testing.TB, ctx context.Context) {
	tb.Helper()
	if v := CSPViolations(tb, ctx); len(v) > 0 {
		tb.Fatalf("Content-Security-Policy violations:\n%s", lines(v))
	}
}

// NoConsoleErrors fails the test on any console message at level error:
// those of NoJSErrors and NoCSPViolations, and also resources that failed to
// load (a 404 for a stylesheet, a refused connection). A missing
// /favicon.ico is not counted: Chromium asks for it on its own, some time
// after the load, so counting it would make the check depend on timing and
// not on the page.
func NoConsoleErrors(tb testing.TB, ctx context.Context) {
	tb.Helper()
	isErr := func(m Message) bool {
		if u, err := url.Parse(m.URL); err == nil && u.Path == "/favicon.ico" && m.Source == "network" {
			return false
		}
		return m.Level == "error" || m.IsJSError()
	}
	if errs := filter(Messages(tb, ctx), isErr); len(errs) > 0 {
		tb.Fatalf("console errors:\n%s", lines(errs))
	}
}

func filter(msgs []Message, keep func(Message) bool) []Message {
	var out []Message
	for _, m := range msgs {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

func lines(msgs []Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("  " + m.String() + "\n")
	}
	return b.String()
}
