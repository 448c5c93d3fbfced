package api

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/views"
	"github.com/pybtc/pybtc/wire"
)

// Page is what every HTML page is rendered with: the frame's values and the
// page's own Data.
type Page struct {
	// Title names the page in the browser's tab.
	Title string
	// Section is the part of the site: "Block Scan", "Wallet" or "".
	Section string
	// Lang is the language the page speaks: "en" or "ko".
	Lang string
	// Query is the search box's value.
	Query string
	// Flash is a one-time message shown above the content.
	Flash string
	// CSRF is the token forms must send back.
	CSRF string
	// Events is the URL of the page's live updates; empty for none.
	Events string
	// Data is the page's own content.
	Data any
	// LoggedIn says a wallet session is open, so the top bar offers its
	// log-out form (which carries CSRF). The session cookie is sent to
	// the wallet's paths only, so only the wallet's pages can know.
	LoggedIn bool
	// Nav names the top bar's link of the page when it is not its
	// section's, e.g. "Mempool".
	Nav string

	url    *url.URL
	method string // of the request the page answers
	now    time.Time
	origin string
	// inBlock says the page lists one block's transactions.
	inBlock bool
}

// InBlock says the page lists the transactions of one block, which all
// share its height and confirmations.
func (p *Page) InBlock() bool { return p.inBlock }

// Origin is the node's URL as the browser reached it, for commands a
// page tells its reader to type.
func (p *Page) Origin() string { return p.origin }

// T translates a message of the page's frame or content into the page's
// language, formatting args into it as fmt.Sprintf does.
func (p *Page) T(key string, args ...any) string {
	return views.Translate(p.Lang, key, args...)
}

// Langs lists the languages a page can switch to.
func (p *Page) Langs() []views.Language { return views.Languages }

// LangURL is the current page in language lang. A page that answers a
// form's post (/wallet/send, /lab/NAME/run) cannot be fetched again: its
// link leads to the page the form belongs to, one level up.
func (p *Page) LangURL(lang string) string {
	u := *p.url
	if p.method != "" && p.method != http.MethodGet && p.method != http.MethodHead {
		u.Path, u.RawQuery = path.Dir(u.Path), ""
	}
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// langCookie remembers a language picked with ?lang=.
const langCookie = "lang"

// pageLang picks the page's language: ?lang= (remembered in a cookie), the
// cookie, then the browser's Accept-Language, then English.
func pageLang(c echo.Context) string {
	if l := c.QueryParam("lang"); views.Supported(l) {
		c.SetCookie(&http.Cookie{
			Name:     langCookie,
			Value:    l,
			Path:     "/",
			MaxAge:   365 * 24 * 3600,
			HttpOnly: true,
			SameSite: http.SameSiteLaxMode,
		})
		return l
	}
	if ck, err := c.Cookie(langCookie); err == nil && views.Supported(ck.Value) {
		return ck.Value
	}
	return views.FromAcceptLanguage(c.Request().Header.Get("Accept-Language"))
}

// newPage starts the envelope of an HTML page for the request.
func (s *Server) newPage(c echo.Context, section string) *Page {
	p := &Page{Section: section, Lang: pageLang(c), url: c.Request().URL, method: c.Request().Method, now: s.clock(), origin: c.Scheme() + "://" + c.Request().Host}
	if section == walletSection && s.sessions != nil {
		if _, ok := s.sessions.current(c); ok {
			p.LoggedIn = true
			if token, ok := c.Get(csrfKey).(string); ok {
				p.CSRF = token
			}
		}
	}
	return p
}

// Current reports whether the top bar's link name leads to this page.
func (p *Page) Current(name string) bool {
	if p.Nav != "" {
		return name == p.Nav
	}
	return name == p.Section
}

// timeFormat is the one way pages write a time: tables' tooltips, detail
// pages and chart axes alike.
const timeFormat = "2006-01-02 15:04:05 UTC"

// Age writes when ts was as an age that app.js keeps ticking ("3 min
// ago"), with the time and the raw epoch of the tutorial's JSON in its
// tooltip.
func (p *Page) Age(ts float64) template.HTML {
	t := timeOf(ts).UTC()
	return template.HTML(`<time class="age" datetime="` + t.Format(time.RFC3339) + `" data-ts="` + wire.FormatFloat(ts) +
		`" title="` + template.HTMLEscapeString(t.Format(timeFormat)+" · "+wire.FormatFloat(ts)) + `">` +
		template.HTMLEscapeString(p.age(ts)) + `</time>`)
}

// age says how long ago ts was in one unit, rounded down, as app.js says
// it from the patterns AgePatterns gives it.
func (p *Page) age(ts float64) string {
	d := p.now.Sub(timeOf(ts))
	switch {
	case d < -time.Second:
		return p.T("in the future")
	case d < time.Minute:
		return p.T("%d s ago", max(int64(d/time.Second), 0))
	case d < time.Hour:
		return p.T("%d min ago", int64(d/time.Minute))
	case d < 48*time.Hour:
		return p.T("%d h ago", int64(d/time.Hour))
	}
	return p.T("%d d ago", int64(d/(24*time.Hour)))
}

// AgePatterns are the page language's patterns of an age, for app.js to
// tick ages in the words the server wrote them in.
func (p *Page) AgePatterns() string {
	return strings.Join([]string{p.T("%d s ago"), p.T("%d min ago"), p.T("%d h ago"), p.T("%d d ago"), p.T("in the future")}, "|")
}

// groupAmount writes a pyBTC amount with all eight decimals, grouped in
// threes by narrow no-break spaces ("0.123 456 78"), so that a column of
// them lines up on the decimal point and reads digit by digit.
func groupAmount(s string) string {
	whole, frac, _ := strings.Cut(s, ".")
	frac += strings.Repeat("0", max(8-len(frac), 0))
	const gap = "\u202f"
	return whole + "." + frac[:3] + gap + frac[3:6] + gap + frac[6:]
}

// templateFuncs are the helpers every template may call. They depend on
// nothing per request: translation goes through Page.T.
var templateFuncs = template.FuncMap{
	"short":   shortHash,
	"clip":    clip,
	"utc":     func(ts float64) string { return timeOf(ts).UTC().Format(timeFormat) },
	"iso":     func(ts float64) string { return timeOf(ts).UTC().Format(time.RFC3339) },
	"raw":     func(ts float64) string { return wire.FormatFloat(ts) },
	"amount":  func(a fmt.Stringer) string { return a.String() }, // a pybtc.Amount or a pybtc.Sum
	"amt":     func(a fmt.Stringer) string { return groupAmount(a.String()) },
	"party":   func(p *Page, address string) partyView { return partyView{p, address} },
	"sat":     func(a pybtc.Amount) int64 { return int64(a) },
	"addrURL": addressURL,
	"add":     func(a, b int64) int64 { return a + b },
	"sub":     func(a, b int64) int64 { return a - b },
}

// partyView is a sender or recipient with the page that shows it, so
// that the partial "party" can say "master" in the page's language.
type partyView struct {
	P       *Page
	Address string
}

// pageSet holds each page's template: the layout and partials, parsed once
// and cloned for every page, so that pages may each define "content".
type pageSet map[string]*template.Template

// sharedPages parses views once a process, when a page is first asked for:
// a node that only speaks the protocol, as a classroom's do, never holds
// them (about 3.5 MB). The parsed pages are read-only (html/template
// executes concurrently) and the same for every server, so a process that
// runs many nodes, devnet or a classroom, holds them once. Every page's
// test renders it, so a broken template fails the tests, not a node.
var sharedPages = sync.OnceValues(parsePages)

func parsePages() (pageSet, error) {
	base, err := template.New("").Funcs(templateFuncs).ParseFS(views.FS, "layout/*.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(views.FS, "pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse pages: %w", err)
	}
	set := pageSet{}
	for _, name := range names {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		if set[path.Base(name)], err = t.ParseFS(views.FS, name); err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
	}
	return set, nil
}

// pageHeaders sets the security headers of the HTML pages and their
// assets: no inline script or style, no framing, no guessing of content
// types.
var pageHeaders = middleware.SecureWithConfig(middleware.SecureConfig{
	ContentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	ContentTypeNosniff: "nosniff",
	XFrameOptions:      "DENY",
	ReferrerPolicy:     "same-origin",
})

// noStore keeps every answer out of caches, where the next user of a
// shared computer would find a wallet page or redirect.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// render executes page name with p into a buffer first, so that a failing
// template gives a clean error, not half a page.
func (s *Server) render(c echo.Context, status int, name string, p *Page) error {
	pages, err := sharedPages()
	if err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	t, ok := pages[name]
	if !ok {
		return fmt.Errorf("render %s: no such page", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Response().Header().Add("Vary", "Accept-Language, Cookie")
	return c.HTMLBlob(status, buf.Bytes())
}

// staticFiles serves views/static under /static.
func staticFiles() http.Handler {
	sub, err := fs.Sub(views.FS, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	files := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// No file has a name that is not UTF-8, and io/fs calls such a
		// name invalid, which the file server answers with a 500.
		if !utf8.ValidString(r.URL.Path) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	})
}

// shortHash shortens a 64-character hash to its ends; the full value goes
// in a title or a link.
func shortHash(h string) string {
	if len(h) <= 16 {
		return h
	}
	return h[:8] + "…" + h[len(h)-6:]
}

// clip shortens a long address for tables, keeping it readable.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 32 {
		return s
	}
	r := []rune(s)
	return string(r[:20]) + "…" + string(r[len(r)-8:])
}

// addressURL is the explorer's page of address: addresses may hold any
// character but controls, slashes and question marks included.
func addressURL(a string) string {
	return "/scan/address/" + url.PathEscape(a)
}

func timeOf(ts float64) time.Time {
	if math.IsNaN(ts) || math.IsInf(ts, 0) {
		return time.Time{}
	}
	sec, frac := math.Modf(ts)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// ago says how long ago ts was, in the page's language: "3 min 5 s".
func (p *Page) ago(now time.Time, ts float64) string {
	d := now.Sub(timeOf(ts)).Round(time.Second)
	if d < 0 {
		return p.T("in the future")
	}
	return p.T("%s ago", p.duration(d))
}

// duration formats d briefly in the page's language: tenths of a second
// below ten seconds (blocks of a busy test network come that fast), whole
// units above.
func (p *Page) duration(d time.Duration) string {
	if d >= 0 && d < 10*time.Second {
		return p.T("%.1f s", d.Seconds())
	}
	d = d.Round(time.Second)
	h, m, sec := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	var parts []string
	if h > 0 {
		parts = append(parts, p.T("%d h", h))
	}
	if m > 0 {
		parts = append(parts, p.T("%d min", m))
	}
	if sec > 0 || len(parts) == 0 {
		parts = append(parts, p.T("%d s", sec))
	}
	return strings.Join(parts, " ")
}

// pageParam reads ?page= (default 1): 400 for anything but a whole number
// of 1 or more, 404 beyond the last page.
func (p *Page) pageParam(c echo.Context, pages int64) (int64, error) {
	v := c.QueryParam("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonPageParam, pybtc.Args{Got: v})
	}
	if n > max(pages, 1) {
		return 0, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoSuchPage, pybtc.Args{Count: n, Limit: max(pages, 1)})
	}
	return n, nil
}

// pager describes the links between the pages of a list.
type pager struct {
	Page, Pages                   int64
	First, Prev, Next, Last       string
	Label, Text                   string
	FirstText, PrevText, NextText string
	LastText                      string
}

// newPager links the pages of u's list; page 1 is the newest.
func (p *Page) newPager(page, pages int64, newer, older string) pager {
	link := func(n int64) string {
		u := *p.url
		q := u.Query()
		q.Del("lang")
		if n == 1 {
			q.Del("page")
		} else {
			q.Set("page", strconv.FormatInt(n, 10))
		}
		u.RawQuery = q.Encode()
		return u.RequestURI()
	}
	pg := pager{
		Page: page, Pages: pages,
		Label:     p.T("Pages"),
		Text:      p.T("page %d of %d", page, pages),
		FirstText: p.T("first"), PrevText: p.T(newer), NextText: p.T(older), LastText: p.T("last"),
	}
	if page > 1 {
		pg.Prev = link(page - 1)
		if page > 2 {
			pg.First = link(1)
		}
	}
	if page < pages {
		pg.Next = link(page + 1)
		if page < pages-1 {
			pg.Last = link(pages)
		}
	}
	return pg
}

// pagesOf is the number of pages of size for n items (at least 1).
func pagesOf(n int64, size int) int64 {
	return max((n+int64(size)-1)/int64(size), 1)
}
