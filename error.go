package pybtc

import (
	"errors"
	"fmt"
)

// Application error codes. The HTTP layer maps each to one status code.
const (
	EINVALID     = "invalid"     // the request breaks a rule; the caller can fix it
	ENOTFOUND    = "not_found"   // the thing asked for does not exist
	ECONFLICT    = "conflict"    // the request clashes with what is stored (e.g. a duplicate)
	EUNAVAILABLE = "unavailable" // the node cannot take the request now (shutting down, full)
	EINTERNAL    = "internal"    // a fault of the node itself; details go to the log only
)

// ErrPending marks the refusal of a transaction that is already pending:
// nothing was stored, yet the transaction will be mined as it is, so a
// node answers the post as accepted.
var ErrPending = errors.New("already pending")

// Error is an application error, a refusal: a code for programs and for
// the HTTP status, and the reason with its Args, which the edge words for
// its reader (package refusal). Refuse makes one; nothing carries a
// sentence below the edge.
type Error struct {
	Code   string
	Reason Reason
	Args   Args
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("pybtc error: code=%s reason=%s args=%+v", e.Code, e.Reason, e.Args)
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// AsError returns the first *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
