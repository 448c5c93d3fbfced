package store

import (
	"context"
	"testing"
)

// MustViewBalance reads an address's balance from the balances view, as a
// person with sqlite3 would.
func (db *DB) MustViewBalance(tb testing.TB, address string) int64 {
	tb.Helper()
	var n int64
	if err := db.read.Get(&n, `SELECT COALESCE((SELECT balance FROM balances WHERE address = ?), 0)`, address); err != nil {
		tb.Fatal(err)
	}
	return n
}

func (db *DB) Concat(ctx context.Context, from, to int64) (string, error) {
	var s string
	err := db.read.GetContext(ctx, &s, `SELECT group_concat(raw, ',') FROM (SELECT raw FROM blocks WHERE height >= ? AND height < ? ORDER BY height)`, from, to)
	return s, err
}
