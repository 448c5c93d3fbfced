package store

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/jmoiron/sqlx"
)

// Backup copies the database at src into a new file dest while nodes may be
// writing to src: VACUUM INTO reads one consistent snapshot (a read
// transaction of the write-ahead log) and writes a compact copy, without
// blocking the writer. dest must not exist. The copy is then checked with
// PRAGMA integrity_check; a copy that fails it is removed.
func Backup(ctx context.Context, src, dest string) (err error) {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("back up %s: %w", src, err)
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("back up %s: %s already exists", src, dest)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("back up %s: %w", src, err)
	}
	db, err := sqlx.Open("sqlite", dsn(src))
	if err != nil {
		return fmt.Errorf("back up %s: %w", src, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("back up %s into %s: %w", src, dest, err)
	}
	defer func() {
		if err != nil {
			os.Remove(dest)
		}
	}()
	return IntegrityCheck(ctx, dest)
}

// IntegrityCheck runs PRAGMA integrity_check on the database at path and
// returns an error unless SQLite answers "ok".
func IntegrityCheck(ctx context.Context, path string) error {
	db, err := sqlx.Open("sqlite", dsn(path, "query_only(1)"))
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer db.Close()
	var problems []string
	if err := db.SelectContext(ctx, &problems, `PRAGMA integrity_check`); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return fmt.Errorf("check %s: integrity_check says %q", path, problems)
	}
	return nil
}
