// Package views holds the node's HTML templates, their translations and
// static files, embedded in the binary so that pages work offline and
// without a CDN.
//
// Templates come in three folders: layout/ (the frame every page shares),
// partials/ (pieces several pages use) and pages/ (one file per page, each
// defining "content" and optionally "title"). The api package parses the
// layout and partials once and clones them for each page.
package views

import "embed"

// FS holds layout/*.html, partials/*.html, pages/*.html and static/*.
//
//go:embed layout/*.html partials/*.html pages/*.html static/*
var FS embed.FS
