package store

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pybtc/pybtc"
)

// formatError turns SQLite constraint violations into ECONFLICT so that
// callers can tell "already there" from a failing disk.
func formatError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return pybtc.Refuse(pybtc.ECONFLICT, pybtc.ReasonConstraint, pybtc.Args{Detail: se.Error()})
	}
	return err
}

// storageError marks the failures of the disk under the database, not of
// the request: a full disk, a read-only file, an I/O error. The node stays
// up and keeps serving reads; writes answer EUNAVAILABLE with a reason
// that says why, and the cause stays in the chain for the logs.
func storageError(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	var why pybtc.Reason
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL:
		why = pybtc.ReasonDiskFull
	case sqlite3.SQLITE_READONLY:
		why = pybtc.ReasonReadOnly
	case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
		why = pybtc.ReasonDiskError
	default:
		return err
	}
	return fmt.Errorf("%w: %w", pybtc.Refuse(pybtc.EUNAVAILABLE, why, pybtc.Args{}), err)
}
