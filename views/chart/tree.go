package chart

import (
	"cmp"
	"html/template"
	"slices"
	"strconv"
	"unicode/utf8"
)

// TreeNode is one block of a TreeChart.
type TreeNode struct {
	Height             int64
	Hash, PreviousHash string
	// Status is "main" for the main chain's blocks; anything else is drawn
	// as a stale block.
	Status string
	// Miner is who the coinbase paid; shown on hover.
	Miner string
	// Href, if not empty, makes the block a link, e.g. to its page. It may
	// be relative, http, https or mailto; anything else is dropped.
	Href string
	// Tooltip is shown on hover; empty means "#height hash (status), miner".
	Tooltip string
}

// TreeChart is the block tree near the tip: the main chain on the top
// row, each stale branch on a row below, starting beside the block it
// forked from.
type TreeChart struct {
	// ID prefixes the ids inside the SVG; required to be unique on the
	// page.
	ID string
	// Title names the chart for screen readers and on hover.
	Title string
	// Description is the chart's text alternative; may be empty.
	Description string
	// Nodes are the blocks, in any order.
	Nodes []TreeNode
	// NoData is the message drawn when Nodes is empty; empty means
	// "No data".
	NoData string
	// HiddenNote is the tooltip of the "+N" mark drawn when blocks did not
	// fit, e.g. "12 blocks are not drawn; the table lists them all".
	HiddenNote string
}

// The tree's geometry. At most treeColumns heights and treeLanes rows are
// drawn, so that neither a long branch nor a peer's thousand stale blocks
// make the picture large: the page's table lists every block.
const (
	treeColumns = 24
	treeLanes   = 8
	treeLeft    = 12
	treeRight   = width - 12
	treeTop     = 12
	treeLaneH   = 34
	treeBoxH    = 22
	treeFoot    = 28
	treeMore    = 16
	treeMaxColW = 80
)

// placedNode is a node with its place in the grid.
type placedNode struct {
	TreeNode
	col, lane int
}

// treeLayout places nodes: the newest treeColumns heights, the main chain
// in lane 0, each stale block in its parent's lane when it continues that
// branch, else in the first lane free from the column before it on. It
// returns the placed nodes, the number of columns and lanes used, the
// lowest height drawn and how many blocks were left out.
func treeLayout(nodes []TreeNode) (placed []placedNode, cols, lanes int, low int64, hidden int) {
	if len(nodes) == 0 {
		return nil, 0, 0, 0, 0
	}
	sorted := slices.Clone(nodes)
	slices.SortStableFunc(sorted, func(a, b TreeNode) int {
		if c := cmp.Compare(a.Height, b.Height); c != 0 {
			return c
		}
		if am, bm := a.Status == "main", b.Status == "main"; am != bm {
			if am {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Hash, b.Hash)
	})
	top := sorted[len(sorted)-1].Height
	// Distances are unsigned so that heights near the ends of int64 do not
	// overflow.
	span := uint64(top) - uint64(sorted[0].Height)
	cols = treeColumns
	if span < treeColumns {
		cols = int(span) + 1
	}
	low = top - int64(cols-1)

	seen := make(map[string]bool, len(sorted))
	byHash := make(map[string]int, len(sorted))
	laneLast := []int{-1}
	for _, n := range sorted {
		if seen[n.Hash] {
			continue // the same block twice is drawn once
		}
		seen[n.Hash] = true
		d := uint64(top) - uint64(n.Height)
		if d >= uint64(cols) {
			hidden++
			continue
		}
		col := cols - 1 - int(d)
		lane := -1
		if n.Status == "main" && laneLast[0] < col {
			lane = 0
		} else if i, ok := byHash[n.PreviousHash]; ok && placed[i].lane > 0 && laneLast[placed[i].lane] == placed[i].col && placed[i].col < col {
			lane = placed[i].lane
		} else {
			for k := 1; k < len(laneLast); k++ {
				if laneLast[k] < col-1 {
					lane = k
					break
				}
			}
			if lane < 0 && len(laneLast) < treeLanes {
				laneLast = append(laneLast, -1)
				lane = len(laneLast) - 1
			}
		}
		if lane < 0 {
			hidden++
			continue
		}
		laneLast[lane] = col
		byHash[n.Hash] = len(placed)
		placed = append(placed, placedNode{n, col, lane})
	}
	return placed, cols, len(laneLast), low, hidden
}

// Tree draws c as an inline SVG: one column a height, oldest left, newest
// right; the main chain on the top row and the stale branches below it,
// each joined to the block it builds on. A block whose parent is not in
// the picture gets a stub: solid at the left edge (its parent is older
// than the picture), dashed elsewhere (its parent is unknown). With no
// nodes it draws a short chart holding only the NoData message.
func Tree(c TreeChart) template.HTML {
	placed, cols, lanes, low, hidden := treeLayout(c.Nodes)
	if len(placed) == 0 {
		return template.HTML(empty(c.ID, c.Title, c.Description, c.NoData))
	}
	h := treeTop + lanes*treeLaneH + treeFoot
	if hidden > 0 {
		h += treeMore
	}
	// A few heights keep the scale of many, flush right: the newest
	// block is always at the right edge, and blocks do not swell.
	colW := min(float64(treeRight-treeLeft)/float64(cols), treeMaxColW)
	left := treeRight - float64(cols)*colW
	boxW := colW * 0.8
	x := func(col int) float64 { return left + (float64(col)+0.5)*colW }
	y := func(lane int) float64 { return treeTop + (float64(lane)+0.5)*treeLaneH }

	var w svgWriter
	linked := false
	for _, n := range c.Nodes {
		linked = linked || safeHref(n.Href) != ""
	}
	w.open("chart-tree", c.ID, c.Title, c.Description, h, linked)

	// Edges first, so that the blocks cover their ends.
	byHash := make(map[string]placedNode, len(placed))
	for _, n := range placed {
		byHash[n.Hash] = n
	}
	w.WriteString(`<g class="tree-edges" fill="none" stroke="currentColor">`)
	for _, n := range placed {
		nx, ny := x(n.col)-boxW/2, y(n.lane)
		class := "tree-edge"
		if n.Status != "main" {
			class += " tree-edge-stale"
		}
		p, ok := byHash[n.PreviousHash]
		switch {
		case ok && p.col < n.col:
			px, py := x(p.col)+boxW/2, y(p.lane)
			w.path(class, "M"+num(px)+" "+num(py)+"H"+num(nx-colW*0.1)+"V"+num(ny)+"H"+num(nx), "")
		case n.col == 0:
			w.path(class, "M"+num(left-8)+" "+num(ny)+"H"+num(nx), "")
		default:
			w.path(class+" tree-orphan", "M"+num(nx-colW*0.2)+" "+num(ny)+"H"+num(nx), ` stroke-dasharray="3 2"`)
		}
	}
	w.WriteString("</g>")

	w.WriteString("<g>")
	for _, n := range placed {
		status := "stale"
		if n.Status == "main" {
			status = "main"
		}
		tip := n.Tooltip
		if tip == "" {
			tip = "#" + strconv.FormatInt(n.Height, 10) + " " + n.Hash + " (" + status + ")"
			if n.Miner != "" {
				tip += ", " + n.Miner
			}
		}
		href := safeHref(n.Href)
		if href != "" {
			w.WriteString(`<a class="tree-link" href="`)
			w.WriteString(href)
			w.WriteString(`" tabindex="-1">`)
		} else {
			w.WriteString(`<g class="tree-item">`)
		}
		w.tooltip(tip)
		w.rect("tree-block tree-"+status, x(n.col)-boxW/2, y(n.lane)-treeBoxH/2, boxW, treeBoxH, ` rx="3"`)
		if boxW >= 30 {
			w.text("chart-label tree-hash", x(n.col), y(n.lane)+4, "middle", firstRunes(n.Hash, int(boxW/8)))
		}
		if href != "" {
			w.WriteString("</a>")
		} else {
			w.WriteString("</g>")
		}
	}
	w.WriteString("</g>")

	// Heights under the columns, a few of them when there are many.
	labelled := labelIndexes(cols)
	for col := range cols {
		if !labelled[col] {
			continue
		}
		// The outer labels hang inwards so that they stay inside the
		// viewBox.
		lx, anchor := x(col), "middle"
		switch {
		case cols > 1 && col == 0:
			lx, anchor = lx-colW/2, "start"
		case cols > 1 && col == cols-1:
			lx, anchor = lx+colW/2, "end"
		}
		w.text("chart-label chart-xlabel", lx, float64(treeTop+lanes*treeLaneH+18), anchor, "#"+strconv.FormatInt(low+int64(col), 10))
	}
	if hidden > 0 {
		w.WriteString(`<g class="tree-hidden">`)
		w.tooltip(c.HiddenNote)
		w.text("chart-label tree-more", treeRight, float64(h-6), "end", "+"+strconv.Itoa(hidden))
		w.WriteString("</g>")
	}
	w.close()
	return template.HTML(w.String())
}

// path writes a <path>; extra holds further attributes, already escaped.
func (w *svgWriter) path(class, d, extra string) {
	w.WriteString(`<path class="`)
	w.WriteString(class)
	w.WriteString(`" d="`)
	w.WriteString(d)
	w.WriteString(`"`)
	w.WriteString(extra)
	w.WriteString("/>")
}

// firstRunes is s's first n runes, at least 1.
func firstRunes(s string, n int) string {
	n = max(n, 1)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
