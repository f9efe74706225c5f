package search

import (
	"errors"
	"os"
	"strings"
)

// bleveError is a kind of failure of bleve (or of bbolt beneath it) that the
// index must tell apart, though the libraries export no value or type for it.
type bleveError int

const (
	// bleveTimeout: another process holds the index's bolt file past the
	// open timeout (runtimeConfig's bolt_timeout; bbolt's ErrTimeout says
	// "timeout", and bleve wraps it as text).
	bleveTimeout bleveError = iota
	// bleveTooComplex: a query needs more leaf searchers or disjunction
	// clauses than the limits allow (bleve's "TooManyTermSearchers" and
	// "TooManyClauses", made with fmt.Errorf).
	bleveTooComplex
)

// bleveSays reports whether err is the given kind of bleve failure. It is
// the one place in the project that reads a third-party library's error
// text, because bleve v2 offers nothing to test with errors.Is or errors.As
// for these; TestBleveSays provokes each kind from the real library, so an
// upgrade that changes the wording fails there, not in production.
func bleveSays(err error, kind bleveError) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	switch kind {
	case bleveTimeout:
		return errors.Is(err, os.ErrDeadlineExceeded) || strings.Contains(msg, "timeout")
	case bleveTooComplex:
		return strings.Contains(msg, "TooManyTermSearchers") || strings.Contains(msg, "TooManyClauses")
	}
	return false
}
