package server

import (
	"os"
	"runtime/debug"
)

// DefaultGCPercent is the garbage collector's target a server runs with
// (serve --gc-percent): Go's own. A higher one trades memory for speed: a
// search allocates much that dies at once (postings iterators, matches,
// the page's JSON), and at 200 the collector's share of a search's CPU fell
// enough for about a fifth more searches per second (cardano over HTTP
// 3,237-3,621 → 3,938-4,544 req/s; 100,000 answers 941-1,050 →
// 1,130-1,184) for about 25-30 MB more heap (100,000 answers: 233-258 →
// 262-288 MB RSS, of which 174-201 MB the index's mapped files), measured
// with cmd/searchbench. The default keeps a 100,000-answer server near
// 250 MB; an operator with memory to spare sets 200.
const DefaultGCPercent = 100

// SetGCPercent sets the collector's target to percent unless the GOGC
// variable is set (then Go's own reading of it stands); percent < 0 turns
// the collector off, as GOGC=off does.
func SetGCPercent(percent int) {
	if os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(percent)
}
