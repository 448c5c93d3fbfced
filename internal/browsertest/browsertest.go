// Package browsertest drives Debian's Chromium, headless, for tests that need a
// real browser: Block Scan and the wallet run a script, obey a
// Content-Security-Policy and lay themselves out for a phone, and only a
// browser shows whether they do. Only tests import it.
//
// A test starts a browser with [New], which gives a context for chromedp and
// for the helpers of this package:
//
//	ctx := browsertest.New(t)
//	browsertest.Navigate(t, ctx, node.URL+"/scan")
//	browsertest.WaitText(t, ctx, "h1", "Block Scan")
//	browsertest.Screenshot(t, ctx, "scan.png")
//	browsertest.NoJSErrors(t, ctx)
//	browsertest.NoCSPViolations(t, ctx)
//
// Without a browser the test is skipped, except under CI (the variable CI is
// not empty), where it fails: CI installs Chromium, so a missing one is a
// broken runner, not a reason to pass.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout is how long a test may use its browser by default, start included:
// a hung browser fails the test instead of holding CI until go test's own
// timeout.
const Timeout = 30 * time.Second

// WaitTimeout bounds how long [WaitText] polls, so that a missing text fails
// with what the page showed instead of using up the test's whole [Timeout].
const WaitTimeout = 10 * time.Second

// Window sizes in CSS pixels: a laptop's, and a common phone's (390x844).
const (
	DesktopWidth  = 1280
	DesktopHeight = 900
	PhoneWidth    = 390
	PhoneHeight   = 844
)

// Option changes how [New] starts the browser.
type Option func(*config)

type config struct {
	width, height int
	mobile        bool
	timeout       time.Duration
}

// WindowSize makes the browser's window width x height CSS pixels.
func WindowSize(width, height int) Option {
	return func(c *config) { c.width, c.height = width, height }
}

// Phone makes the window phone-sized (PhoneWidth x PhoneHeight) and emulates a
// touch device, so that the page's viewport meta tag and its narrow-screen
// styles apply as they would on a phone.
func Phone(c *config) {
	c.width, c.height, c.mobile = PhoneWidth, PhoneHeight, true
}

// WithTimeout replaces [Timeout] for a test that needs longer, or wants to
// fail sooner.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// ChromiumPath returns the browser to run: $PYBTC_CHROMIUM if set, else
// chromium on $PATH, else Debian's /usr/bin/chromium. The error says what is
// missing and how to install it.
func ChromiumPath() (string, error) {
	if p := os.Getenv("PYBTC_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("PYBTC_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		return "", errors.New("chromium not found (apt-get install chromium, or set PYBTC_CHROMIUM)")
	}
	return "/usr/bin/chromium", nil
}

type recorderKey struct{}

// New starts a headless Chromium with a fresh profile and returns a chromedp
// context for its one tab. The context ends after [Timeout] (or WithTimeout),
// and the browser is stopped when the test ends. The tab's console is recorded
// from the start, for [Messages], [NoJSErrors] and [NoCSPViolations]; if the
// test fails, a screenshot of the page is saved as <test name>-failed.png.
func New(tb testing.TB, opts ...Option) context.Context {
	tb.Helper()
	cfg := config{width: DesktopWidth, height: DesktopHeight, timeout: Timeout}
	for _, o := range opts {
		o(&cfg)
	}
	path, err := ChromiumPath()
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("browser test under CI: %v", err)
		}
		tb.Skipf("browser test skipped: %v", err)
	}

	// The flags are spelled out rather than taken from
	// chromedp.DefaultExecAllocatorOptions, so that an upgrade of chromedp
	// cannot change how the tests' browser runs. Root cannot use Chromium's
	// sandbox, hence --no-sandbox; the rest keep the browser from reaching
	// the network or doing work that no test asked for.
	out := &lockedBuffer{}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(cfg.width, cfg.height),
		chromedp.CombinedOutput(out),
	)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	rec := &recorder{}

	// The first action on a chromedp context starts the browser, and the
	// browser lives as long as that action's context, so it cannot carry the
	// deadline itself: the start is bounded here instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Listen(tabCtx, rec.add) }()
	select {
	case err = <-started:
	case <-time.After(cfg.timeout):
		err = fmt.Errorf("no answer within %s", cfg.timeout)
	}
	if err != nil {
		cancelTab()
		cancelAlloc()
		tb.Fatalf("start %s: %v\n%s", path, err, out.String())
	}

	ctx, cancel := context.WithTimeout(context.WithValue(tabCtx, recorderKey{}, rec), cfg.timeout)
	tb.Cleanup(func() {
		// Deferred, so that the browser stops even if saving the picture
		// below ends the cleanup early.
		defer cancelAlloc()
		defer cancelTab()
		cancel()
		if tb.Failed() {
			// The test's context may be what ran out, so the last picture
			// gets a few seconds of its own.
			sctx, scancel := context.WithTimeout(tabCtx, 5*time.Second)
			defer scancel()
			if png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)); err == nil {
				saveArtifact(tb, safeName(tb.Name())+"-failed.png", png)
			}
		}
	})

	// The window's size includes what headless Chromium counts as its
	// toolbars; the viewport is set too, so that the page gets exactly the
	// size asked for.
	viewport := []chromedp.EmulateViewportOption{}
	if cfg.mobile {
		viewport = append(viewport, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(cfg.width), int64(cfg.height), viewport...)); err != nil {
		tb.Fatalf("set the viewport: %v", err)
	}
	return ctx
}

// Navigate loads url in the tab, waits for its load event and returns the
// HTTP status of the document. A page that cannot load at all (refused
// connection, bad address) fails the test.
func Navigate(tb testing.TB, ctx context.Context, url string) int {
	tb.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		tb.Fatalf("navigate to %s: %v", url, err)
	}
	if resp == nil {
		tb.Fatalf("navigate to %s: no response", url)
	}
	return int(resp.Status)
}

// textOf reads the rendered text (innerText) of the first element that
// matches selector; ok is false when none does. It asks the page directly
// instead of using chromedp.Text, which waits for the element without bound.
func textOf(ctx context.Context, selector string) (text string, ok bool, err error) {
	sel, _ := json.Marshal(selector)
	r, err := chromedp.Run(ctx, chromedp.Evaluate[elementText](fmt.Sprintf(
		`(() => { const e = document.querySelector(%s); return e ? {found: true, text: e.innerText} : {found: false, text: ""}; })()`, sel)))
	return r.Text, r.Found, err
}

type elementText struct {
	Found bool   `json:"found"`
	Text  string `json:"text"`
}

// Text returns the rendered text of the first element that matches the CSS
// selector, as a reader sees it (innerText). No such element fails the test.
func Text(tb testing.TB, ctx context.Context, selector string) string {
	tb.Helper()
	text, ok, err := textOf(ctx, selector)
	if err != nil {
		tb.Fatalf("text of %q: %v", selector, err)
	}
	if !ok {
		tb.Fatalf("no element matches %q", selector)
	}
	return text
}

// WaitText polls, for up to [WaitTimeout], until the first element that
// matches the CSS selector shows text containing substring, and returns that
// text. It is for pages that change after load, such as the live updates of
// Block Scan. On failure it reports the text last seen.
func WaitText(tb testing.TB, ctx context.Context, selector, substring string) string {
	tb.Helper()
	wctx, cancel := context.WithTimeout(ctx, WaitTimeout)
	defer cancel()
	var (
		last  string
		found bool
	)
	for {
		text, ok, err := textOf(wctx, selector)
		switch {
		case err != nil && wctx.Err() == nil:
			tb.Fatalf("text of %q: %v", selector, err)
		case ok && strings.Contains(text, substring):
			return text
		case ok:
			last, found = text, true
		}
		select {
		case <-wctx.Done():
			if !found {
				tb.Fatalf("no element matches %q after %s", selector, WaitTimeout)
			}
			tb.Fatalf("%q shows %q, not %q, after %s", selector, last, substring, WaitTimeout)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Screenshot saves a PNG of the whole page, beyond the window, as the test
// artifact name (".png" added if missing) in [ArtifactsDir], logs where, and
// returns the path. The name is the file's whole name, so tests must choose
// different ones.
func Screenshot(tb testing.TB, ctx context.Context, name string) string {
	tb.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	if filepath.Ext(name) != ".png" {
		name += ".png"
	}
	return saveArtifact(tb, name, png)
}

// ArtifactsDir returns the directory for files that a test run leaves behind,
// creating it: $PYBTC_ARTIFACTS if set, else artifacts/ at the root of the
// module (git ignores it), so that CI can collect them from one place.
func ArtifactsDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("PYBTC_ARTIFACTS")
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			tb.Fatalf("artifacts directory: %v", err)
		}
		dir = filepath.Join(root, "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatalf("artifacts directory: %v", err)
	}
	return dir
}

func saveArtifact(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(ArtifactsDir(tb), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatalf("save %s: %v", name, err)
	}
	tb.Logf("saved %s", path)
	return path
}

// moduleRoot finds go.mod upwards from the working directory, which go test
// sets to the package being tested.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// safeName turns a test name such as "TestScan/Phone" into a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' || r == ':' {
			return '_'
		}
		return r
	}, s)
}

// lockedBuffer holds the browser's output, which its own goroutine writes, for
// the message of a failed start.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
