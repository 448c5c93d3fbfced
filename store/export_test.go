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

// MustViewFigures reads an address's row of the balances view as text, as
// sqlite3 prints it.
func (db *DB) MustViewFigures(tb testing.TB, address string) (received, sent, balance string) {
	tb.Helper()
	var row struct {
		Received string `db:"received"`
		Sent     string `db:"sent"`
		Balance  string `db:"balance"`
	}
	if err := db.read.Get(&row, `
		SELECT CAST(received AS TEXT) AS received, CAST(sent AS TEXT) AS sent, CAST(balance AS TEXT) AS balance
		FROM balances
		WHERE address = ?`, address); err != nil {
		tb.Fatal(err)
	}
	return row.Received, row.Sent, row.Balance
}

// MustExecWriter runs statements on the writer's connection: a TEMP
// trigger made there fires in the writer's transactions only.
func (db *DB) MustExecWriter(tb testing.TB, query string) {
	tb.Helper()
	if _, err := db.write.Exec(query); err != nil {
		tb.Fatal(err)
	}
}

// MustMatchMempool fails unless the writer's memory of the mempool is
// what the table holds.
func (db *DB) MustMatchMempool(tb testing.TB) {
	tb.Helper()
	db.mustMatchMempool(tb)
}

// AddressSumsPlan returns how SQLite reads an address's confirmed sums,
// one EXPLAIN QUERY PLAN line per step.
func (db *DB) AddressSumsPlan(tb testing.TB) []string {
	tb.Helper()
	return db.MustQueryPlan(tb, addressSumsSQL, "alice")
}

// MustQueryPlan returns how SQLite reads query, one EXPLAIN QUERY PLAN
// line per step.
func (db *DB) MustQueryPlan(tb testing.TB, query string, args ...any) []string {
	tb.Helper()
	var rows []struct {
		ID      int64  `db:"id"`
		Parent  int64  `db:"parent"`
		NotUsed int64  `db:"notused"`
		Detail  string `db:"detail"`
	}
	if err := db.read.Select(&rows, `EXPLAIN QUERY PLAN `+query, args...); err != nil {
		tb.Fatal(err)
	}
	var plan []string
	for _, r := range rows {
		plan = append(plan, r.Detail)
	}
	return plan
}

// MustViewAll reads every row of the balances view, in satoshis as text:
// received, sent and balance by address.
func (db *DB) MustViewAll(tb testing.TB) map[string][3]string {
	tb.Helper()
	var rows []struct {
		Address  string `db:"address"`
		Received string `db:"received"`
		Sent     string `db:"sent"`
		Balance  string `db:"balance"`
	}
	if err := db.read.Select(&rows, `
		SELECT address, CAST(received AS TEXT) AS received, CAST(sent AS TEXT) AS sent, CAST(balance AS TEXT) AS balance
		FROM balances`); err != nil {
		tb.Fatal(err)
	}
	out := make(map[string][3]string, len(rows))
	for _, r := range rows {
		out[r.Address] = [3]string{r.Received, r.Sent, r.Balance}
	}
	return out
}
