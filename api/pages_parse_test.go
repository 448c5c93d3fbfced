package api

import (
	"io/fs"
	"path"
	"testing"

	"github.com/pybtc/pybtc/views"
)

// TestPagesParse: every page's template parses, with the layout and the
// partials, into the set the server renders from. A node parses them only
// when its first page is asked for, so a broken one must fail here.
func TestPagesParse(t *testing.T) {
	set, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(views.FS, "pages/*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("no pages: %v", err)
	}
	for _, name := range names {
		if tpl, ok := set[path.Base(name)]; !ok || tpl.Lookup("base") == nil {
			t.Errorf("%s: no base layout", name)
		}
	}
}
