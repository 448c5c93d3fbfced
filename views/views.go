// Package views holds the node's HTML templates and static files, embedded
// in the binary so that pages work offline and without a CDN.
package views

import "embed"

// FS holds the templates (pages/*.html) and static files (static/*).
//
//go:embed pages/*.html static/*
var FS embed.FS
