package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/pybtc/pybtc/internal/browsertest"
	"github.com/pybtc/pybtc/node"
)

// tourPage is a page a learner visits, under a stable name.
type tourPage struct{ name, path string }

// tourEnv is a node as a learner has it after a first hour: a few dozen
// blocks, payments among alice, bob and a Korean address, one payment
// waiting in the mempool, and a peer.
type tourEnv struct {
	*Env
	URL   string
	pages []tourPage
}

const koreanAddress = "김철수"

func mustOpenTourEnv(t *testing.T) *tourEnv {
	t.Helper()
	// No sync: the peer is a name on the peers page, not a node to reach.
	e := MustOpenEnv(t, node.Config{SyncInterval: -1})
	ctx := t.Context()
	e.MustMine(t)
	for range 20 {
		if _, err := e.Node.Mine(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	paid := e.MustPost(t, "alice", "bob", "0.5")
	e.MustPost(t, "alice", koreanAddress, "0.25")
	e.MustMine(t)
	e.MustPost(t, "bob", koreanAddress, "0.125")
	e.MustPost(t, koreanAddress, "alice", "0.0625")
	e.MustMine(t)
	e.MustPost(t, "alice", "carol", "0.1")
	if _, err := e.DB.AddPeer(ctx, "http://127.0.0.1:5001"); err != nil {
		t.Fatal(err)
	}
	tip, err := e.DB.Tip(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler)
	t.Cleanup(srv.Close)
	return &tourEnv{Env: e, URL: srv.URL, pages: []tourPage{
		{"home", "/scan"},
		{"block", "/scan/block/" + strconv.FormatInt(tip.Height-1, 10)},
		{"tx", "/scan/tx/" + paid},
		{"address", "/scan/address/" + url.PathEscape(koreanAddress)},
		{"mempool", "/scan/mempool"},
		{"peers", "/scan/peers"},
		{"tree", "/scan/tree"},
		{"reorgs", "/scan/reorgs"},
		{"refused", "/scan/refused"},
		{"search", "/scan/search?q=alice"},
		{"wallet", "/wallet"},
	}}
}

// tourLook is a way of looking at the pages: a window width and a colour
// scheme.
type tourLook struct {
	name  string
	width int
	dark  bool
	opts  []browsertest.Option
}

var tourLooks = []tourLook{
	{"390", browsertest.PhoneWidth, false, []browsertest.Option{browsertest.Phone}},
	{"1280", browsertest.DesktopWidth, false, nil},
	// The pages follow prefers-color-scheme: dark colours need contrast too.
	{"1280-dark", browsertest.DesktopWidth, true, nil},
}

// tour visits every page of e in each look, in English and Korean: first
// the wallet's login page, then, logged in to alice's wallet, the pages of
// e, and calls visit on each once it has loaded. Each look is its own
// browser; at its end no page may have thrown, broken the
// Content-Security-Policy or asked for anything outside the node.
func (e *tourEnv) tour(t *testing.T, visit func(t *testing.T, ctx context.Context, p tourPage, look tourLook, lang string)) {
	for _, look := range tourLooks {
		t.Run(look.name, func(t *testing.T) {
			ctx := browsertest.New(t, append(look.opts, browsertest.WithTimeout(4*time.Minute))...)
			if look.dark {
				if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
				}); err != nil {
					t.Fatalf("prefer a dark colour scheme: %v", err)
				}
			}
			reqs := browsertest.RecordRequests(t, ctx)
			open := func(p tourPage, lang string) {
				t.Helper()
				target := e.URL + p.path
				if strings.Contains(target, "?") {
					target += "&lang=" + lang
				} else {
					target += "?lang=" + lang
				}
				if status := browsertest.Navigate(t, ctx, target); status != http.StatusOK {
					t.Fatalf("%s: status %d", target, status)
				}
				visit(t, ctx, p, look, lang)
			}
			for _, lang := range []string{"en", "ko"} {
				open(tourPage{"login", "/wallet"}, lang)
			}
			e.login(t, ctx, "alice")
			for _, lang := range []string{"en", "ko"} {
				for _, p := range e.pages {
					open(p, lang)
				}
			}
			browsertest.NoJSErrors(t, ctx)
			browsertest.NoCSPViolations(t, ctx)
			reqs.NoForeignRequests(t, ctx, e.URL)
		})
	}
}

// login logs the browser in to address's wallet through the login form.
func (e *tourEnv) login(t *testing.T, ctx context.Context, address string) {
	t.Helper()
	browsertest.Navigate(t, ctx, e.URL+"/wallet?lang=en")
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#login input[name="address"]`), address),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
	); err != nil {
		t.Fatalf("log in as %s: %v", address, err)
	}
	waitTrue(t, ctx, `location.pathname === "/wallet" && document.getElementById("balance") !== null`, "the wallet of "+address)
}

// TestScreens saves a full-page picture of each page a learner visits, at
// a phone's and a laptop's width, in English and Korean, as
// artifacts/screens/<page>-<width>-<lang>.png (and, in the dark colour
// scheme, <page>-1280-<lang>-dark.png): the pictures the README shows. No page may throw, break its Content-Security-Policy or load
// anything from outside the node.
func TestScreens(t *testing.T) {
	e := mustOpenTourEnv(t)
	if err := os.MkdirAll(filepath.Join(browsertest.ArtifactsDir(t), "screens"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.tour(t, func(t *testing.T, ctx context.Context, p tourPage, look tourLook, lang string) {
		if p.name == "wallet" {
			// Logged in: the page shows alice's balance, not the login form.
			browsertest.WaitText(t, ctx, "#balance", "pyBTC")
		}
		name := p.name + "-" + strconv.Itoa(look.width) + "-" + lang
		if look.dark {
			name += "-dark"
		}
		browsertest.Screenshot(t, ctx, filepath.Join("screens", name+".png"))
	})
}

// TestA11y runs axe-core on each page a learner visits, at both widths, in
// the dark colour scheme too, and in both languages, and lists every rule a page breaks (labels, contrast,
// focus order, headings and the rest of axe's WCAG 2 A/AA and best-practice
// rules) with the elements that break it, before failing.
func TestA11y(t *testing.T) {
	browsertest.AxeScript(t) // skip early, not after building a node, when there is no checker
	e := mustOpenTourEnv(t)
	// The same fault shows in every look and language: each is listed
	// once, with where it was seen.
	// A fault is a rule a page breaks at some elements; its report is the
	// first one seen, in whichever language.
	type fault struct{ page, rule, targets string }
	var (
		faults []fault
		report = map[fault]string{}
		seenIn = map[fault][]string{}
	)
	e.tour(t, func(t *testing.T, ctx context.Context, p tourPage, look tourLook, lang string) {
		for _, v := range browsertest.Axe(t, ctx) {
			var targets []string
			for _, n := range v.Nodes {
				targets = append(targets, fmt.Sprint(n.Target...))
			}
			f := fault{p.name + " (" + p.path + ")", v.ID, strings.Join(targets, ", ")}
			if seenIn[f] == nil {
				faults = append(faults, f)
				report[f] = v.String()
			}
			seenIn[f] = append(seenIn[f], look.name+"/"+lang)
		}
	})
	if len(faults) > 0 {
		var b strings.Builder
		for _, f := range faults {
			fmt.Fprintf(&b, "%s, in %s:\n    %s\n", f.page, strings.Join(seenIn[f], " "), report[f])
		}
		t.Errorf("%d accessibility faults:\n%s", len(faults), b.String())
	}
}
