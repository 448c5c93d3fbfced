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

// Error is an application error: a code for programs and a message for people.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("pybtc error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
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

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for internal errors, whose details must not reach users.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
