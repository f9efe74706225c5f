package qa

import (
	"errors"
	"fmt"
	"strings"
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
	// EMETHOD is a known address asked with a method it does not answer
	// (HTTP 405); the API's error body says "invalid" (INTERFACE.md's codes)
	// and the status and the Allow header say the rest.
	EMETHOD = "method_not_allowed"
)

// Args are the named values of a message: the placeholders of its English
// text here and of its translations in the catalogs ({{.Max}}). An argument
// named Field holds a field key ("question_body"), Status a status; the
// adapters translate those two, and show whole numbers in the reader's
// digits.
type Args map[string]any

// Error is the one error type of the domain: a code, a stable message key
// with its arguments (for the catalogs and for API clients that translate),
// the English message that is safe to show to the user, and optionally the
// internal cause for the logs.
type Error struct {
	Code    string
	Key     Key
	Args    Args
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

// Is makes errors.Is(err, E(key)) true for any error of that key, so callers
// test an error's meaning by its key, never by its text.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Key != "" && t.Key == e.Key && t.Err == nil
}

// E returns the *Error of a message key: the key's code (messages.go) and its
// English text with args filled in. A key without an entry there panics in
// the tests that walk every key (TestMessages), never in production: it
// yields an internal error.
func E(key Key, args Args) *Error {
	m, ok := messages[key]
	if !ok {
		return &Error{Code: EINTERNAL, Key: KeyInternal, Message: "internal error", Err: fmt.Errorf("unknown message key %q", key)}
	}
	return &Error{Code: m.code, Key: key, Args: args, Message: m.english(args)}
}

// Wrap returns a copy of e with an internal cause for the logs.
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// Errorf returns an *Error with the given code and a message without a key.
// It is for the command line, whose messages are English only; everything a
// page or the API can show is keyed (E), and a test keeps Errorf out of the
// packages that serve them.
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
	if IsUnreachable(err) {
		// Not our failure but the database's absence: 503 and "try
		// again", while the pool keeps trying to reconnect.
		return E(KeyDBUnavailable, nil).Wrap(fmt.Errorf("%s: %w", what, err))
	}
	return &Error{Code: EINTERNAL, Key: KeyInternal, Message: "internal error", Err: fmt.Errorf("%s: %w", what, err)}
}

// NotFound turns err into the domain's answer for a lookup of what (a noun:
// "question", "answer"): a missing row (gorm's ErrRecordNotFound, or an
// *Error already ENOTFOUND) becomes ENOTFOUND "<what> not found"; any other
// failure stays an internal error — a broken database is never reported as
// "not found". nil stays nil.
func NotFound(err error, what string) error {
	if err == nil {
		return nil
	}
	if isMissingRow(err) || ErrorCode(err) == ENOTFOUND {
		return E(KeyNotFound, Args{"What": what}).Wrap(err)
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return Internal(err, "find "+what)
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

// ErrorKey returns the message key of err: the key of the first *Error in
// its chain; KeyInternal for any other non-nil error, or for an internal
// *Error; "" for nil and for an unkeyed (command-line) error.
func ErrorKey(err error) Key {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Code == EINTERNAL {
			return KeyInternal
		}
		return e.Key
	}
	return KeyInternal
}

// ErrorArgs returns the arguments of err's message; nil for internal errors,
// whose details are never shown.
func ErrorArgs(err error) Args {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Args
	}
	return nil
}

// ErrorMessage returns the user-safe message of err; for errors that are not
// an *Error it returns "internal error", never the internal text.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Code == EINTERNAL {
			return "internal error"
		}
		return e.Message
	}
	return "internal error"
}

// FieldName is the English name of a field key ("question_body" → "question
// body"), as the English messages say it.
func FieldName(key string) string { return strings.ReplaceAll(key, "_", " ") }
