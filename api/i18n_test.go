package api_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pybtc/pybtc/views"
)

// TestEveryMessageSpeaksKorean finds every message the pages translate, in
// the templates ({{.T "..."}}) and in this package's code (p.T("...") and
// p.errorf(code, "...") and fail(field, "...")), and checks that Korean has it: a message added in
// English only would show up untranslated to Korean readers.
func TestEveryMessageSpeaksKorean(t *testing.T) {
	keys := map[string]string{}
	tmpl := regexp.MustCompile(`\.T "((?:[^"\\]|\\.)*)"`)
	err := fs.WalkDir(views.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".html" {
			return err
		}
		src, err := fs.ReadFile(views.FS, path)
		for _, m := range tmpl.FindAllSubmatch(src, -1) {
			keys[string(m[1])] = path
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`(?:\.T|errorf|fail)\((?:pybtc\.E[A-Z]+, |"[a-z]+", )?("(?:[^"\\]|\\.)*")`)
	sources, _ := filepath.Glob("*.go")
	sources = slices.DeleteFunc(sources, func(name string) bool { return strings.HasSuffix(name, "_test.go") })
	for _, name := range sources {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range code.FindAllSubmatch(src, -1) {
			key, err := strconv.Unquote(string(m[1]))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			keys[key] = name
		}
	}
	// Messages chosen at run time rather than written out.
	for _, key := range []string{"in", "out", "self", "new", "ok", "failing", "backing off", "newer", "older", "previous", "next",
		"Not found", "Bad request", "Something went wrong", "Block Scan", "Wallet", "active", "valid-fork", "invalid"} {
		keys[key] = "code"
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d messages: the patterns no longer match the code", len(keys))
	}
	for key, where := range keys {
		if !views.HasTranslation("ko", key) {
			t.Errorf("%s: %q has no Korean translation", where, key)
		}
	}
}
