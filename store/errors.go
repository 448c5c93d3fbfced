package store

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pybtc/pybtc"
)

// formatError turns SQLite constraint violations into ECONFLICT so that
// callers can tell "already there" from a failing disk.
func formatError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return pybtc.Errorf(pybtc.ECONFLICT, "%s", se.Error())
	}
	return err
}
