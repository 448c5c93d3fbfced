package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/migrations"
)

// DB is a node's database: one writer connection and a pool of readers.
type DB struct {
	// Path is the SQLite file. Required.
	Path string
	// Now returns the current time; it stamps rows such as a mempool entry's
	// arrival. May be nil, meaning time.Now.
	Now func() time.Time
	// Pragmas are added to the writer connection's, e.g. "max_page_count(100)"
	// to give the database a size limit, as a full disk would. May be nil.
	Pragmas []string
	// SyncLog syncs the opened write-ahead log file before the writes it
	// holds are acknowledged (see walSync); nil means (*os.File).Sync.
	// Tests replace it to see what was on disk when.
	SyncLog func(*os.File) error

	write   *sqlx.DB
	read    *sqlx.DB
	pending pendingIndex
	health  writeHealth
	wal     *walSync
	// addresses keeps the chain's sums of the addresses read last.
	addresses addressCache
	// generation counts the write transactions that committed (every
	// write notes itself, see noteWrite): what was read from a generation
	// still holds while it has not moved.
	generation atomic.Int64
	// tips keeps the last answer of Tips and its generation.
	tips struct {
		sync.Mutex
		generation int64
		tips       []pybtc.TipInfo
	}
	stmts struct {
		addressSums, confirmedHeight, insertPending *sqlx.Stmt
	}
}

// NewDB returns a DB for the file at path; call Open before use.
func NewDB(path string) *DB {
	return &DB{Path: path, Now: time.Now}
}

// dsn puts the pragmas in the connection string so that every connection of
// a pool gets them, not only the one an Exec happens to run on.
func dsn(path string, extra ...string) string {
	q := url.Values{}
	pragmas := []string{"page_size(4096)", "busy_timeout(10000)", "foreign_keys(1)", "journal_mode(wal)", "synchronous(full)"}
	pragmas = append(pragmas, extra...)
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	return "file:" + uriPath.Replace(path) + "?" + q.Encode()
}

// uriPath escapes what SQLite's file URIs read as the end of the path (a
// query, a fragment) or as an escape: unescaped, a database named
// "class#2.db" would open "class", the file of another node.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// Open creates the file if needed, applies pending migrations and checks
// that the journal is in WAL mode.
func (db *DB) Open(ctx context.Context) error {
	if db.Path == "" {
		return fmt.Errorf("open database: path required")
	}
	if db.Now == nil {
		db.Now = time.Now
	}
	if dir := filepath.Dir(db.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("open database: %w", err)
		}
	}
	// The writer checkpoints every 2,000 frames of the write-ahead log
	// (8 MB) rather than SQLite's 1,000: a checkpoint syncs the database
	// file inside one group commit, whose clients all wait for it, and a
	// longer log writes each page that changed often (the mempool's last
	// pages) once for more commits. The log still restarts at every
	// checkpoint, so its size stays bounded.
	//
	// The writer commits with synchronous=NORMAL, which does not sync the
	// log at each commit; walSync does, after the commit returns and
	// before anything is acknowledged, so that the next write runs while
	// the disk syncs (see walSync for why that keeps every acknowledged
	// write).
	pragmas := append([]string{"wal_autocheckpoint(2000)", "synchronous(normal)"}, db.Pragmas...)
	w, err := sqlx.Open("sqlite", dsn(db.Path, pragmas...)+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("open database %s: %w", db.Path, err)
	}
	// One writer: SQLite serialises writers anyway, and a single connection
	// means a BEGIN never waits on the busy timeout behind our own writes.
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db.write = w
	db.wal = newWALSync(db.Path, db.SyncLog)

	var mode string
	if err := w.GetContext(ctx, &mode, `PRAGMA journal_mode`); err != nil {
		db.Close()
		return fmt.Errorf("open database %s: %w", db.Path, err)
	} else if mode != "wal" {
		db.Close()
		return fmt.Errorf("open database %s: journal_mode is %q, want wal", db.Path, mode)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return err
	}
	if err := db.wal.wait(db.wal.noteCommit()); err != nil {
		db.Close()
		return fmt.Errorf("open database %s: %w", db.Path, err)
	}

	if err := db.prepare(ctx); err != nil {
		db.Close()
		return err
	}
	db.pending.stale = true
	if err := db.pending.load(ctx, w); err != nil {
		db.Close()
		return fmt.Errorf("open database %s: %w", db.Path, err)
	}

	r, err := sqlx.Open("sqlite", dsn(db.Path, "query_only(1)"))
	if err != nil {
		db.Close()
		return fmt.Errorf("open database %s: %w", db.Path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db.read = r
	return nil
}

func (db *DB) prepare(ctx context.Context) error {
	var err error
	for _, st := range []struct {
		stmt **sqlx.Stmt
		sql  string
	}{
		{&db.stmts.addressSums, addressSumsSQL},
		{&db.stmts.confirmedHeight, confirmedHeightSQL},
		{&db.stmts.insertPending, insertPendingSQL},
	} {
		if *st.stmt, err = db.write.PreparexContext(ctx, st.sql); err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
	}
	return nil
}

// Close closes the connections; the last one to close folds the
// write-ahead log into the database file.
func (db *DB) Close() error {
	var errs []error
	for _, st := range []*sqlx.Stmt{db.stmts.addressSums, db.stmts.confirmedHeight, db.stmts.insertPending} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// migrate applies, in lexical order, each migration file numbered above the
// schema version recorded in PRAGMA user_version, each in its own
// transaction together with the new version number.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)

	var version int
	if err := db.write.GetContext(ctx, &version, `PRAGMA user_version`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	latest := 0
	for _, name := range names {
		n, err := migrationNumber(name)
		if err != nil {
			return err
		}
		latest = max(latest, n)
		if n <= version {
			continue
		}
		if err := db.applyMigration(ctx, name, n); err != nil {
			return err
		}
	}
	if version > latest {
		return fmt.Errorf("migrate: database schema version %d is newer than this program's %d", version, latest)
	}
	return nil
}

func migrationNumber(name string) (int, error) {
	prefix, _, _ := strings.Cut(name, "_")
	n, err := strconv.Atoi(prefix)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("migrate %s: name must start with a positive number", name)
	}
	return n, nil
}

func (db *DB) applyMigration(ctx context.Context, name string, n int) error {
	body, err := fs.ReadFile(migrations.FS, name)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	tx, err := db.write.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	// PRAGMA takes no bound parameters; n is a parsed integer.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, n)); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	return nil
}

// beginWrite starts a write transaction on the single writer connection.
// Once a sync is known to have failed it starts none: a write the node
// could not promise would otherwise be stored though its caller was told
// it failed, and a client that posts again would pay twice. (A write
// committed while the failing sync still ran is stored and answered 503
// all the same: the overlap that makes syncs cheap leaves that window.)
func (db *DB) beginWrite(ctx context.Context) (*sqlx.Tx, error) {
	if err := db.wal.err(); err != nil {
		return nil, err
	}
	return db.write.BeginTxx(ctx, nil)
}

// execWrite runs one statement on the writer connection, as its own
// write transaction.
func (db *DB) execWrite(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := db.wal.err(); err != nil {
		return nil, err
	}
	return db.write.ExecContext(ctx, query, args...)
}

// beginRead starts a read-only snapshot: every query in it sees the same
// chain, even while the writer commits.
func (db *DB) beginRead(ctx context.Context) (*sqlx.Tx, error) {
	return db.read.BeginTxx(ctx, nil)
}

func (db *DB) now() float64 {
	return float64(db.Now().UnixMicro()) / 1e6
}
