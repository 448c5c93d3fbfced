package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pybtc/pybtc/store"
)

const backupUsage = `Usage: pybtc backup [--db PATH] DEST

Copies a node's database into the new file DEST while the node runs: one
consistent snapshot, written compactly (SQLite's VACUUM INTO), then checked
with PRAGMA integrity_check. DEST must not exist.

To restore, stop the node and start it on the copy:

  pybtc node --db DEST      (or: mv DEST data/node-5000.db, then pybtc node)

The copy keeps the original's peers: a node started on it rejoins the
original's network. To start it on its own, add --forget-peers:

  pybtc node --db DEST --forget-peers

Flags:
`

// runBackup runs "pybtc backup" and returns the exit code: 0 done, 1 the
// backup failed, 2 a usage error.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pybtc backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", env("PYBTC_DB", filepath.Join("data", "node-5000.db")), "the node's SQLite file (env PYBTC_DB)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), backupUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	dest := fs.Arg(0)
	if err := store.Backup(ctx, *db, dest); err != nil {
		fmt.Fprintln(stderr, "pybtc backup:", err)
		return 1
	}
	info, err := os.Stat(dest)
	if err != nil {
		fmt.Fprintln(stderr, "pybtc backup:", err)
		return 1
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes, integrity ok)\n", *db, dest, info.Size())
	return 0
}
