package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/migrations"
	"github.com/pybtc/pybtc/store"
)

// mustSchemaAt creates a database at path with the migrations up to and
// including version, as an older pyBTC left it.
func mustSchemaAt(tb testing.TB, path string, version int) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	for n := 1; n <= version; n++ {
		names, err := fs.Glob(migrations.FS, fmt.Sprintf("%04d_*.sql", n))
		if err != nil || len(names) != 1 {
			tb.Fatalf("migration %d: %v %v", n, names, err)
		}
		body, err := fs.ReadFile(migrations.FS, names[0])
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := raw.Exec(string(body)); err != nil {
			tb.Fatalf("%s: %v", names[0], err)
		}
	}
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		tb.Fatal(err)
	}
	return raw
}

// TestMigrateMempoolWithoutIDIndex opens a database made before the
// mempool's ids moved to memory: its pending transactions keep their seqs
// and stay known (a second post of one is refused, a block takes it out),
// and the table has no index left to write on every post.
func TestMigrateMempoolWithoutIDIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw := mustSchemaAt(t, path, 4)
	pending := MustTx(t, "alice", "bob", "1", 5)
	if _, err := raw.Exec(`INSERT INTO mempool (seq, id, sender, recipient, amount, timestamp, received_at, raw)
		VALUES (7, ?, ?, ?, ?, ?, 5, ?)`, pending.ID, pending.Sender, pending.Recipient, int64(pending.Amount), pending.Timestamp, string(pending.Raw)); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.AppendBlock(ctx, consensus.Genesis()); err != nil {
		t.Fatal(err)
	}
	found, err := db.FindTransaction(ctx, pending.ID)
	if err != nil || len(found) != 1 || !found[0].Pending() {
		t.Fatalf("pending transaction after the migration: %+v, %v", found, err)
	}
	res, err := db.AddPending(ctx, []pybtc.Transaction{pending}, false)
	if err != nil || pybtc.ErrorCode(res[0]) != pybtc.ECONFLICT {
		t.Fatalf("posting it again: %v, %v; want ECONFLICT", res, err)
	}
	var indexes int
	if err := sqlRow(t, path, `SELECT COUNT(*) FROM pragma_index_list('mempool')`, &indexes); indexes != 0 || err != nil {
		t.Fatalf("mempool has %d indexes (%v), want none", indexes, err)
	}

	MustAppend(t, db, "miner", pending)
	if n, err := db.PendingCount(ctx); n != 0 || err != nil {
		t.Fatalf("%d pending after the block took it (%v), want 0", n, err)
	}
}

// sqlRow reads one row of query from the file at path on a connection of
// its own, as sqlite3 would while the node runs.
func sqlRow(tb testing.TB, path, query string, dest ...any) error {
	tb.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer raw.Close()
	return raw.QueryRow(query).Scan(dest...)
}
