package search

import (
	"context"
	"sync"
	"time"
)

// synonymTTL is how long searches use the synonyms they loaded before
// reading them from the database again: a change made on another server
// reaches this one's searches within it (the server that made it reloads
// at once, ReloadSynonyms).
const synonymTTL = 5 * time.Second

// synonymCache holds the expert's synonyms (synonym → tag) for searches.
type synonymCache struct {
	mu sync.Mutex
	m  map[string]string
	at time.Time
}

// synonyms returns the synonyms, read again when older than synonymTTL. A
// failed read keeps the last ones (a search works without them).
func (ix *Index) synonyms(ctx context.Context) map[string]string {
	c := &ix.syn
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m != nil && time.Since(c.at) < synonymTTL {
		return c.m
	}
	m, err := ix.store.TagSynonyms(ctx)
	if err != nil {
		ix.log.Warn("search: load synonyms", "err", err)
		return c.m
	}
	c.m, c.at = m, time.Now()
	return m
}

// ReloadSynonyms makes the next search read the synonyms again: after the
// expert changed them, or renamed or merged a tag.
func (ix *Index) ReloadSynonyms() {
	if ix == nil {
		return
	}
	ix.syn.mu.Lock()
	ix.syn.m = nil
	ix.syn.mu.Unlock()
}
