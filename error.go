// Package accord holds Accord's domain types, the service interfaces every
// storage backend implements, and the one error type the whole program uses.
// Sub-packages depend on this package, never the other way round.
package accord

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to exactly one HTTP status in http/error.go.
const (
	EINVALID         = "invalid"
	EUNAUTHENTICATED = "unauthenticated"
	EFORBIDDEN       = "forbidden"
	ENOTFOUND        = "not-found"
	ECONFLICT        = "conflict"
	EINTERNAL        = "internal"
)

// Error is an application error whose Message is safe to show to the caller.
// Internal details stay in the wrapped error and are logged, never returned.
type Error struct {
	Code    string
	Message string
	Err     error // optional cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("accord %s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("accord %s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted, user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err. Errors that are not
// *Error are internal and get a generic message so no detail leaks.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error has occurred."
}
