package search

import (
	"container/heap"
	"context"
	"sort"
	"sync"

	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"answerbook/qa"
)

// Phase 1 of a relevance search walks every candidate: bleve's collector
// reads each candidate's tags from doc values for the facets, which was
// about half the time of a search of 100k answers. collectTop walks the
// candidates itself and counts their tags from a table made once per index
// snapshot (document number → tags).

// tagTable is the tags of every document of one index snapshot.
type tagTable struct {
	snap  bindex.IndexReader // the snapshot it was made from (identity only)
	names []string
	tags  map[uint64][]uint32
}

// tagTables makes and keeps the table of the current snapshot. A search
// that finds the table out of date starts a new one in the background and
// counts its facets the old way meanwhile.
type tagTables struct {
	mu       sync.Mutex
	cur      *tagTable
	building bool
}

// get returns the table of snapshot r, or nil (and starts making it).
func (ix *Index) tagTableFor(r bindex.IndexReader) *tagTable {
	tt := &ix.tags
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if tt.cur != nil && tt.cur.snap == r {
		return tt.cur
	}
	if !tt.building {
		tt.building = true
		go ix.makeTagTable()
	}
	return nil
}

// makeTagTable reads the tags field's postings of the current snapshot.
func (ix *Index) makeTagTable() {
	t := ix.readTagTable()
	ix.tags.mu.Lock()
	if t != nil {
		ix.tags.cur = t
	}
	ix.tags.building = false
	ix.tags.mu.Unlock()
}

func (ix *Index) readTagTable() *tagTable {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return nil
	}
	adv, err := ix.idx.Advanced()
	if err != nil {
		return nil
	}
	r, err := adv.Reader()
	if err != nil {
		return nil
	}
	defer r.Close()
	dict, err := r.FieldDict(fieldTags)
	if err != nil {
		return nil
	}
	defer dict.Close()
	t := &tagTable{snap: r, tags: map[uint64][]uint32{}}
	ctx := context.Background()
	for {
		e, err := dict.Next()
		if err != nil {
			return nil
		}
		if e == nil {
			break
		}
		i := uint32(len(t.names))
		t.names = append(t.names, e.Term)
		tfr, err := r.TermFieldReader(ctx, []byte(e.Term), fieldTags, false, false, false)
		if err != nil {
			return nil
		}
		var d bindex.TermFieldDoc
		for {
			next, err := tfr.Next(&d)
			if err != nil {
				tfr.Close()
				return nil
			}
			if next == nil {
				break
			}
			n := next.ID.Value()
			t.tags[n] = append(t.tags[n], i)
			d.Reset()
		}
		tfr.Close()
	}
	return t
}

// hitHeap keeps the best hits: the worst on top; among equal scores the
// later hit is worse (bleve's order).
type hitHeap []*bsearch.DocumentMatch

func (h hitHeap) Len() int { return len(h) }
func (h hitHeap) Less(i, j int) bool {
	if h[i].Score != h[j].Score {
		return h[i].Score < h[j].Score
	}
	return h[i].HitNumber > h[j].HitNumber
}
func (h hitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)   { *h = append(*h, x.(*bsearch.DocumentMatch)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// collected is phase 1 of a relevance search: the total, the ids of the
// best k candidates, and the tag facets.
type collected struct {
	total  int
	ids    []string
	facets []qa.TagCount
}

// collectTop runs q over snapshot r with the table t: the best k hits by
// score and, with facets, the 30 commonest tags of all hits.
func (ix *Index) collectTop(ctx context.Context, q query.Query, k int, facets bool, r bindex.IndexReader, t *tagTable) (*collected, error) {
	s, err := q.Searcher(ctx, r, ix.idx.Mapping(), bsearch.SearcherOptions{})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	sctx := &bsearch.SearchContext{
		DocumentMatchPool: bsearch.NewDocumentMatchPool(k+1+s.DocumentMatchPoolSize(), 0),
		IndexReader:       r,
	}
	var counts []int
	if facets {
		counts = make([]int, len(t.names))
	}
	best := make(hitHeap, 0, k+1)
	out := &collected{}
	var hitNumber uint64
	for {
		if hitNumber%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		d, err := s.Next(sctx)
		if err != nil {
			return nil, err
		}
		if d == nil {
			break
		}
		hitNumber++
		d.HitNumber = hitNumber
		out.total++
		if facets {
			for _, tag := range t.tags[d.IndexInternalID.Value()] {
				counts[tag]++
			}
		}
		switch {
		case len(best) < k:
			heap.Push(&best, d)
		case d.Score > best[0].Score:
			sctx.DocumentMatchPool.Put(best[0])
			best[0] = d
			heap.Fix(&best, 0)
		default:
			sctx.DocumentMatchPool.Put(d)
		}
	}
	out.ids = make([]string, 0, len(best))
	for _, d := range best {
		id, err := r.ExternalID(d.IndexInternalID)
		if err != nil {
			return nil, err
		}
		out.ids = append(out.ids, id)
	}
	out.facets = []qa.TagCount{}
	if facets {
		for i, n := range counts {
			if n > 0 {
				out.facets = append(out.facets, qa.TagCount{Tag: t.names[i], Count: n})
			}
		}
		sort.Slice(out.facets, func(i, j int) bool {
			if out.facets[i].Count != out.facets[j].Count {
				return out.facets[i].Count > out.facets[j].Count
			}
			return out.facets[i].Tag < out.facets[j].Tag
		})
		out.facets = out.facets[:min(len(out.facets), 30)]
	}
	return out, nil
}
