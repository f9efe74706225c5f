package server

import (
	"os"
	"runtime/debug"
)

// DefaultGCPercent is the garbage collector's target a server runs with
// (serve --gc-percent): the heap may grow to three times what is live
// between two collections, instead of Go's twice. A search allocates much
// that dies at once (postings iterators, matches, the page's JSON); at
// 100,000 answers the collector's share of a search's CPU fell enough for
// a fifth more searches per second (941 → 1,130 req/s) for about 25 MB more
// heap (258 → 283 MB RSS, most of it the index's mapped files), measured
// with cmd/searchbench.
const DefaultGCPercent = 200

// SetGCPercent sets the collector's target to percent unless the GOGC
// variable is set (then Go's own reading of it stands); percent < 0 turns
// the collector off, as GOGC=off does.
func SetGCPercent(percent int) {
	if os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(percent)
}
