package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pybtc/pybtc"
)

// AddPeer stores url as a peer. It reports whether the peer is new; a
// known peer is left as it is.
func (db *DB) AddPeer(ctx context.Context, url string) (_ bool, err error) {
	defer func() { err = db.noteWrite(storageError(err), addsRows) }()
	res, err := db.execWrite(ctx, `
		INSERT INTO peers (
			url,
			added_at
		) VALUES (?, ?)
		ON CONFLICT (url) DO NOTHING`, url, db.now())
	if err != nil {
		return false, fmt.Errorf("add peer %s: %w", url, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("add peer %s: %w", url, err)
	}
	return n == 1, nil
}

// RemovePeer forgets a peer; ENOTFOUND if it was not known.
func (db *DB) RemovePeer(ctx context.Context, url string) (err error) {
	defer func() { err = db.noteWrite(storageError(err), changesRows) }()
	res, err := db.execWrite(ctx, `DELETE FROM peers WHERE url = ?`, url)
	if err != nil {
		return fmt.Errorf("remove peer %s: %w", url, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonUnknownPeer, pybtc.Args{URL: url})
	}
	return nil
}

// Peers returns every peer, oldest first.
func (db *DB) Peers(ctx context.Context) ([]pybtc.Peer, error) {
	var rows []struct {
		URL          string          `db:"url"`
		AddedAt      float64         `db:"added_at"`
		LastSuccess  sql.NullFloat64 `db:"last_success"`
		LastFailure  sql.NullFloat64 `db:"last_failure"`
		Failures     int             `db:"failures"`
		RetryAt      float64         `db:"retry_at"`
		LastError    string          `db:"last_error"`
		FailingSince float64         `db:"failing_since"`
	}
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT
			url,
			added_at,
			last_success,
			last_failure,
			failures,
			retry_at,
			last_error,
			failing_since
		FROM peers
		ORDER BY added_at, url`); err != nil {
		return nil, fmt.Errorf("read peers: %w", err)
	}
	peers := make([]pybtc.Peer, len(rows))
	for i, r := range rows {
		peers[i] = pybtc.Peer{
			URL:          r.URL,
			AddedAt:      r.AddedAt,
			LastSuccess:  r.LastSuccess.Float64,
			LastFailure:  r.LastFailure.Float64,
			Failures:     r.Failures,
			RetryAt:      r.RetryAt,
			LastError:    r.LastError,
			FailingSince: r.FailingSince,
		}
	}
	return peers, nil
}

// PeerSucceeded records a successful exchange with url and clears its
// failures.
func (db *DB) PeerSucceeded(ctx context.Context, url string) (err error) {
	defer func() { err = db.noteWrite(storageError(err), changesRows) }()
	if _, err := db.execWrite(ctx, `
		UPDATE peers
		SET
			last_success = ?,
			failures = 0,
			retry_at = 0,
			last_error = '',
			failing_since = 0
		WHERE url = ?`, db.now(), url); err != nil {
		return fmt.Errorf("record peer %s: %w", url, err)
	}
	return nil
}

// PeerFailed records a failed exchange with url: it counts the failure,
// notes when the streak of failures began and sets when the peer may be
// tried again.
func (db *DB) PeerFailed(ctx context.Context, url string, reason string, retryAt float64) (err error) {
	defer func() { err = db.noteWrite(storageError(err), changesRows) }()
	if _, err := db.execWrite(ctx, `
		UPDATE peers
		SET
			last_failure = ?,
			failures = failures + 1,
			retry_at = ?,
			last_error = ?,
			failing_since = CASE WHEN failing_since = 0 THEN ? ELSE failing_since END
		WHERE url = ?`, db.now(), retryAt, reason, db.now(), url); err != nil {
		return fmt.Errorf("record peer %s: %w", url, err)
	}
	return nil
}
