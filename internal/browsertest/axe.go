package browsertest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The accessibility checker is axe-core, taken from the npm registry when the
// tests run: it is neither a dependency of the node nor served by it. The
// version is pinned, and the tarball must match the integrity the registry
// published for it (npm view axe-core@<version> dist.integrity), so that a
// changed or tampered package cannot pass as this one.
const (
	AxeVersion   = "4.14.1"
	AxeIntegrity = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)

// axeURL is where the registry serves the pinned tarball.
var axeURL = "https://registry.npmjs.org/axe-core/-/axe-core-" + AxeVersion + ".tgz"

// AxeRules are the rules every check must have run, whatever axe's defaults
// become in another version: form labels, contrast, focus order and
// headings, the points of the accessibility pass.
var AxeRules = []string{
	"label", "select-name", "button-name", "link-name", "image-alt",
	"color-contrast", "tabindex", "heading-order", "page-has-heading-one",
	"empty-heading", "html-has-lang", "document-title", "landmark-one-main",
	"duplicate-id-aria", "aria-valid-attr-value",
}

var (
	axeOnce   sync.Once
	axeScript string
	axeErr    error
)

// AxeScript returns the source of axe.min.js: from the cache directory
// ($PYBTC_AXE_CACHE, else pybtc-test under the user's cache directory) or,
// the first time, downloaded from the npm registry into it. Either way the
// tarball's integrity is checked before use. If it cannot be had, the test
// is skipped with the reason, except under CI, where it fails: CI reaches
// the registry, so a missing checker is a broken runner, not a pass.
func AxeScript(tb testing.TB) string {
	tb.Helper()
	axeOnce.Do(func() { axeScript, axeErr = loadAxe() })
	if axeErr != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("accessibility check under CI: %v", axeErr)
		}
		tb.Skipf("accessibility check skipped: %v", axeErr)
	}
	return axeScript
}

func axeCacheDir() (string, error) {
	if d := os.Getenv("PYBTC_AXE_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "pybtc-test"), nil
}

func loadAxe() (string, error) {
	dir, err := axeCacheDir()
	if err != nil {
		return "", fmt.Errorf("axe-core cache directory: %w", err)
	}
	path := filepath.Join(dir, "axe-core-"+AxeVersion+".tgz")
	tgz, err := os.ReadFile(path)
	if err != nil || checkIntegrity(tgz) != nil {
		if tgz, err = downloadAxe(); err != nil {
			return "", err
		}
		if err := checkIntegrity(tgz); err != nil {
			return "", fmt.Errorf("%s: %w", axeURL, err)
		}
		// The cache only saves a download; a failure to write it is
		// not the test's concern.
		if os.MkdirAll(dir, 0o755) == nil {
			tmp := path + ".tmp"
			if os.WriteFile(tmp, tgz, 0o644) == nil {
				_ = os.Rename(tmp, path)
			}
		}
	}
	js, err := untar(tgz, "package/axe.min.js")
	if err != nil {
		return "", fmt.Errorf("axe-core %s: %w", AxeVersion, err)
	}
	return string(js), nil
}

func downloadAxe() ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, axeURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download axe-core: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: %s", axeURL, resp.Status)
	}
	// The tarball is about 600 KB; the bound keeps a wrong answer small.
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", axeURL, err)
	}
	return body, nil
}

func checkIntegrity(tgz []byte) error {
	sum := sha512.Sum512(tgz)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != AxeIntegrity {
		return fmt.Errorf("integrity %s, want %s", got, AxeIntegrity)
	}
	return nil
}

func untar(tgz []byte, name string) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("no %s in the tarball", name)
		}
		if err != nil {
			return nil, err
		}
		if h.Name == name {
			return io.ReadAll(tr)
		}
	}
}

// AxeViolation is one rule that the page breaks, with the elements that
// break it.
type AxeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []AxeNode `json:"nodes"`
}

// AxeNode is one element that breaks a rule.
type AxeNode struct {
	// Target is the CSS selector of the element.
	Target  []any  `json:"target"`
	HTML    string `json:"html"`
	Summary string `json:"failureSummary"`
}

// String formats the violation for a test's log: the rule, its impact, what
// it asks for, then each element and why it fails.
func (v AxeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for _, n := range v.Nodes {
		why := strings.Join(strings.Fields(strings.ReplaceAll(n.Summary, "\n", "; ")), " ")
		html := strings.Join(strings.Fields(n.HTML), " ")
		if r := []rune(html); len(r) > 160 {
			html = string(r[:160]) + "…"
		}
		fmt.Fprintf(&b, "\n      %s  %s\n        %s", fmt.Sprint(n.Target...), html, why)
	}
	return b.String()
}

type axeResult struct {
	Violations []AxeViolation `json:"violations"`
	Ran        []string       `json:"ran"`
}

// Axe runs axe-core on the page loaded in the tab of ctx and returns the
// rules it breaks. The script is put in the page through the DevTools
// protocol, which the page's Content-Security-Policy does not govern, so the
// page is checked as served. Axe's default rules run (WCAG 2.x A and AA and
// best practices); that [AxeRules] ran is checked.
func Axe(tb testing.TB, ctx context.Context) []AxeViolation {
	tb.Helper()
	src := AxeScript(tb)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](src+"\n;typeof axe")); err != nil {
		tb.Fatalf("load axe-core into the page: %v", err)
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](`axe.run(document, {resultTypes: ["violations"]}).then(r => ({
		violations: r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target, html: n.html, failureSummary: n.failureSummary || ""}))})),
		ran: [].concat(r.violations, r.passes, r.incomplete, r.inapplicable).map(x => x.id),
	}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("run axe-core: %v", err)
	}
	ran := map[string]bool{}
	for _, id := range r.Ran {
		ran[id] = true
	}
	for _, id := range AxeRules {
		if !ran[id] {
			tb.Fatalf("axe-core %s did not run rule %s", AxeVersion, id)
		}
	}
	return r.Violations
}

// AxeReport formats violations for a test's failure message, one rule per
// entry.
func AxeReport(vs []AxeViolation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("  " + v.String() + "\n")
	}
	return b.String()
}
