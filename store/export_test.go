package store

import "testing"

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
