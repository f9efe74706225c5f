package search

import (
	"context"
	"sync"
	"time"

	"answerbook/qa"
)

// Found is a hit with its answer, as the actor may see it (a list item: a
// teaser, no bodies).
type Found struct {
	Hit
	Answer *qa.Answer
}

// LoadHits loads the answers of hits from the store in one query and
// returns them in the hits' (rank) order, each with its hit: the index
// finds, the database says what is shown (ARCHITECTURE.md, Reads). A hit
// whose answer the store does not show the actor, because it was
// unpublished or deleted after the index saw it or is member-only for a
// visitor, is left out; a member-only hit the storefront shows a visitor
// has no snippet. No hits is an empty list, not an error.
func LoadHits(ctx context.Context, store *qa.Store, actor qa.Actor, hits []Hit) ([]Found, error) {
	var ix *Index
	return ix.LoadHits(ctx, store, actor, hits)
}

// LoadHits is the package's LoadHits through the index's cache of answer
// rows (hitCache), while the follower is caught up with the change log:
// then the rows it holds are what the database holds (each change's
// answers are forgotten as the follower applies it), and a search of hot
// answers makes no query. While the follower is behind, or on a nil index,
// the rows come from the database.
func (ix *Index) LoadHits(ctx context.Context, store *qa.Store, actor qa.Actor, hits []Hit) ([]Found, error) {
	if len(hits) == 0 {
		return []Found{}, nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	byID := make(map[int64]*qa.Answer, len(ids))
	missing, gen, cached := ids, uint64(0), ix != nil && ix.cacheFresh()
	if cached {
		missing, gen = ix.hits.lookup(ids, byID)
	}
	if len(missing) > 0 {
		rows, err := store.AnswerRows(ctx, missing)
		if err != nil {
			return nil, err
		}
		if cached {
			ix.hits.keep(gen, rows)
		}
		for _, a := range rows {
			byID[a.ID] = a
		}
	}
	out := make([]Found, 0, len(hits))
	for _, h := range hits {
		a := store.ListItem(actor, byID[h.ID])
		if a == nil {
			continue
		}
		if !store.MayRead(actor, a) {
			// A storefront teaser (qa.Actor.Teasers): its passage is
			// text the actor may not read.
			h.Snippet = ""
		}
		out = append(out, Found{Hit: h, Answer: a})
	}
	return out, nil
}

// hitCacheSize bounds the rows hitCache holds (a row is under 1 KiB: its
// excerpt, question title and tags).
const hitCacheSize = 20000

// hitCache holds answer rows (qa.Store.AnswerRows) by id. The follower
// forgets the answers of every change it applies; a row read from the
// database is kept only if nothing was forgotten while it was read (gen),
// so a row read before a change and kept after it cannot outlive it.
type hitCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[int64]*qa.Answer
}

// lookup puts the rows it holds into into and returns the ids it lacks,
// with the generation to keep their rows under.
func (c *hitCache) lookup(ids []int64, into map[int64]*qa.Answer) ([]int64, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var missing []int64
	for _, id := range ids {
		if a, ok := c.m[id]; ok {
			into[id] = a
		} else {
			missing = append(missing, id)
		}
	}
	return missing, c.gen
}

// keep stores rows read in generation gen, unless something was forgotten
// since.
func (c *hitCache) keep(gen uint64, rows []*qa.Answer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil {
		c.m = make(map[int64]*qa.Answer)
	}
	if len(c.m)+len(rows) > hitCacheSize {
		// Full: drop a tenth, whichever the map's order gives.
		n := hitCacheSize / 10
		for id := range c.m {
			if n == 0 {
				break
			}
			delete(c.m, id)
			n--
		}
	}
	for _, a := range rows {
		c.m[a.ID] = a
	}
}

// forget drops the rows of ids (all of them when ids is nil).
func (c *hitCache) forget(ids []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if ids == nil {
		c.m = nil
		return
	}
	for _, id := range ids {
		delete(c.m, id)
	}
}

// cacheFresh reports whether the follower runs and found itself caught up
// with the change log lately (within two polls): the cache then lags the
// database by no more than the follower does.
func (ix *Index) cacheFresh() bool {
	at := ix.caughtUp.Load()
	return ix.following.Load() && at > 0 && time.Since(time.Unix(0, at)) <= 2*ix.poll+100*time.Millisecond
}
