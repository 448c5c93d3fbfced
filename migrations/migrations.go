// Package migrations holds the database schema history as numbered SQL
// files, applied in lexical order by the store at start-up.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
