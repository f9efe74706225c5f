package qa

import (
	"errors"
	"fmt"
)

// Error codes. They are the codes of the JSON API's error shape, so they are
// part of the outside interface (INTERFACE.md).
const (
	ECONFLICT     = "conflict"
	EFORBIDDEN    = "forbidden"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ERATELIMITED  = "rate_limited"
	ETOOLARGE     = "too_large"
	EUNAUTHORIZED = "unauthorized"
	EUNAVAILABLE  = "unavailable"
)

// Error is the one error type of the domain: a code, a message that is safe
// to show to the user, and optionally the internal cause for the logs.
type Error struct {
	Code    string
	Message string
	Err     error
}

// Error implements error; it includes the internal cause, so it is for logs,
// never for clients (they get Message).
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected cause as an EINTERNAL error whose message says
// nothing about the cause.
func Internal(err error, what string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Code: EINTERNAL, Message: "internal error", Err: fmt.Errorf("%s: %w", what, err)}
}

// ErrorCode returns the code of err: the code of the first *Error in its
// chain, EINTERNAL for any other non-nil error, "" for nil.
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

// ErrorMessage returns the user-safe message of err; for errors that are not
// an *Error it returns "internal error", never the internal text.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
