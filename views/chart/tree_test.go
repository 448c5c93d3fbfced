package chart

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// mainChain returns main blocks from height from to to, each building on
// the one before.
func mainChain(from, to int64) []TreeNode {
	var out []TreeNode
	for h := from; h <= to; h++ {
		out = append(out, TreeNode{Height: h, Hash: fmt.Sprintf("m%d", h), PreviousHash: fmt.Sprintf("m%d", h-1), Status: "main", Href: fmt.Sprintf("/scan/block/m%d", h)})
	}
	return out
}

// branch returns n stale blocks named prefix0, prefix1, … forking off
// parent at height from.
func branch(prefix, parent string, from int64, n int) []TreeNode {
	var out []TreeNode
	prev := parent
	for i := range n {
		hash := fmt.Sprintf("%s%d", prefix, i)
		out = append(out, TreeNode{Height: from + int64(i), Hash: hash, PreviousHash: prev, Status: "stale", Href: "/scan/block/" + hash})
		prev = hash
	}
	return out
}

// blocksDrawn maps each drawn block's tooltip's first word (#height) and
// hash to its rect's class and position.
type drawn struct {
	class string
	x, y  float64
}

func drawnBlocks(tb testing.TB, root *node) map[string]drawn {
	tb.Helper()
	out := map[string]drawn{}
	for _, g := range append(root.withClass("a", "tree-link"), root.withClass("g", "tree-item")...) {
		title := g.named("title")[0].Text
		rect := g.withClass("rect", "tree-block")[0]
		hash := strings.Fields(title)[1]
		out[hash] = drawn{rect.Attr["class"], floatAttr(tb, rect, "x"), floatAttr(tb, rect, "y")}
	}
	return out
}

func TestTree(t *testing.T) {
	forkAt3 := append(mainChain(1, 6), branch("s", "m3", 4, 2)...)
	tests := []struct {
		name           string
		nodes          []TreeNode
		blocks, hidden int
		stale, orphans int
		lanes          int // rows of blocks
		staleRightOf   [2]string
		sameColumnAs   [2]string
		maxBytes       int
	}{
		{name: "OneBlock", nodes: mainChain(1, 1), blocks: 1, lanes: 1},
		{name: "MainOnly", nodes: mainChain(1, 10), blocks: 10, lanes: 1},
		{name: "Fork", nodes: forkAt3, blocks: 8, stale: 2, lanes: 2, staleRightOf: [2]string{"s0", "m3"}, sameColumnAs: [2]string{"s0", "m4"}},
		{name: "TwoForksShareALane", nodes: append(append(mainChain(1, 10), branch("a", "m2", 3, 1)...), branch("b", "m7", 8, 1)...),
			blocks: 12, stale: 2, lanes: 2},
		{name: "LongBranch", nodes: append(mainChain(1, 520), branch("s", "m10", 11, 500)...),
			blocks: treeColumns + 14, hidden: 520 + 500 - treeColumns - 14, stale: 14, lanes: 2},
		{name: "ThousandStale", nodes: func() []TreeNode {
			n := mainChain(1, 20)
			for i := range 1000 {
				n = append(n, branch(fmt.Sprintf("x%d-", i), fmt.Sprintf("m%d", i%19+1), int64(i%19+2), 1)...)
			}
			return n
		}(), // A lane takes a new branch only after a free column, so that
			// no branch seems to continue another: 7 lanes of 10.
			blocks: 20 + 70, hidden: 1000 - 70, stale: 70, lanes: treeLanes, maxBytes: 60_000},
		{name: "DuplicateHeights", nodes: append(append(mainChain(1, 3), TreeNode{Height: 3, Hash: "other-main", PreviousHash: "m2", Status: "main"}), mainChain(3, 3)...),
			blocks: 4, lanes: 2},
		{name: "MissingParents", nodes: append(mainChain(1, 3), TreeNode{Height: 3, Hash: "orphan", PreviousHash: "nowhere", Status: "stale"}),
			blocks: 4, stale: 1, orphans: 1, lanes: 2},
		{name: "ExtremeHeights", nodes: []TreeNode{{Height: math.MinInt64, Hash: "low", Status: "main"}, {Height: math.MaxInt64, Hash: "high", Status: "main"}, {Height: math.MaxInt64 - 1, Hash: "below", Status: "stale", PreviousHash: "x"}},
			blocks: 2, hidden: 1, stale: 1, orphans: 2, lanes: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Tree(TreeChart{ID: "tree", Title: "Block tree", Nodes: tt.nodes, HiddenNote: "not drawn"})
			root := mustParseSVG(t, out)
			got := drawnBlocks(t, root)
			if len(got) != tt.blocks {
				t.Fatalf("%d blocks drawn, want %d", len(got), tt.blocks)
			}
			stale, lanes := 0, map[float64]bool{}
			for _, b := range got {
				if strings.Contains(b.class, "tree-stale") {
					stale++
				}
				lanes[b.y] = true
			}
			if stale != tt.stale || len(lanes) != tt.lanes {
				t.Errorf("%d stale blocks on %d rows, want %d on %d", stale, len(lanes), tt.stale, tt.lanes)
			}
			more := root.withClass("text", "tree-more")
			switch {
			case tt.hidden == 0 && len(more) != 0:
				t.Errorf("says %q blocks are not drawn, want none", more[0].Text)
			case tt.hidden > 0 && (len(more) != 1 || more[0].Text != fmt.Sprintf("+%d", tt.hidden)):
				t.Errorf("hidden mark %v, want +%d", texts(more), tt.hidden)
			}
			if n := len(root.withClass("path", "tree-orphan")); n != tt.orphans {
				t.Errorf("%d dashed stubs of unknown parents, want %d", n, tt.orphans)
			}
			if a := tt.staleRightOf; a[0] != "" && (got[a[0]].x <= got[a[1]].x || got[a[0]].y <= got[a[1]].y) {
				t.Errorf("%s at %v is not right of and below %s at %v", a[0], got[a[0]], a[1], got[a[1]])
			}
			if a := tt.sameColumnAs; a[0] != "" && got[a[0]].x != got[a[1]].x {
				t.Errorf("%s and %s, of one height, are in columns %v and %v", a[0], a[1], got[a[0]].x, got[a[1]].x)
			}
			if tt.maxBytes > 0 && len(out) > tt.maxBytes {
				t.Errorf("%d bytes of SVG, want at most %d", len(out), tt.maxBytes)
			}
			vb := strings.Fields(root.Attr["viewBox"])
			bottom := floatAttr(t, &node{Attr: map[string]string{"h": vb[3]}}, "h")
			for _, b := range got {
				if b.x < 0 || b.x > width || b.y < 0 || b.y > bottom {
					t.Errorf("block at %v outside the viewBox %v", b, vb)
				}
			}
		})
	}
}

func TestTreeEmpty(t *testing.T) {
	root := mustParseSVG(t, Tree(TreeChart{ID: "tree", Title: "Block tree", NoData: "No blocks yet"}))
	if got := texts(root.withClass("text", "chart-message")); len(got) != 1 || got[0] != "No blocks yet" {
		t.Fatalf("empty tree says %q", got)
	}
}

func TestTreeNewestRight(t *testing.T) {
	root := mustParseSVG(t, Tree(TreeChart{ID: "t", Title: "t", Nodes: mainChain(5, 9)}))
	got := drawnBlocks(t, root)
	for h := int64(6); h <= 9; h++ {
		if got[fmt.Sprintf("m%d", h)].x <= got[fmt.Sprintf("m%d", h-1)].x {
			t.Fatalf("block %d is not right of block %d", h, h-1)
		}
	}
	if labels := texts(root.withClass("text", "chart-xlabel")); labels[0] != "#5" || labels[len(labels)-1] != "#9" {
		t.Fatalf("height labels %v, want #5 … #9", labels)
	}
	if links := root.withClass("a", "tree-link"); len(links) != 5 || links[0].Attr["href"] != "/scan/block/m5" {
		t.Fatalf("blocks are not links to their pages")
	}
}

func TestTreeEscaping(t *testing.T) {
	const evil = `<script>alert(1)</script>"'&` + "\x00"
	out := Tree(TreeChart{ID: evil, Title: evil, Description: evil, Nodes: []TreeNode{
		{Height: 1, Hash: evil, PreviousHash: evil, Status: evil, Miner: evil, Href: "javascript:alert(1)"},
		{Height: 2, Hash: "b", PreviousHash: evil, Status: "main", Href: "/scan/block/b?x=&lt"},
	}})
	if strings.Contains(strings.ToLower(string(out)), "<script") || strings.Contains(string(out), "javascript:") {
		t.Fatalf("hostile values pass through:\n%s", out)
	}
	root := mustParseSVG(t, out)
	if n := len(root.withClass("a", "tree-link")); n != 1 {
		t.Fatalf("%d links, want 1: the javascript: one dropped", n)
	}
}
