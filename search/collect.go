package search

import (
	"container/heap"
	"context"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/numeric"
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

// tagTable is what a search reads of every document of one index snapshot,
// by document number: its tags (for facets) and the number of distinct
// terms of its title (to rank similar answers), instead of reading doc
// values (a snappy-compressed chunk per document) at each search.
type tagTable struct {
	snap  bindex.IndexReader // the snapshot it was made from (identity only)
	names []string
	// The tags of document n are tags[start[n]:start[n+1]] (indexes of
	// names); documents past len(start)-1 have none.
	start []uint32
	tags  []uint32
	// titleTerms[n] is the title_terms value of document n; 0 past its end.
	titleTerms []uint8
}

// docTags returns the tags of document n.
func (t *tagTable) docTags(n uint64) []uint32 {
	if n+1 >= uint64(len(t.start)) {
		return nil
	}
	return t.tags[t.start[n]:t.start[n+1]]
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
	r, err := ix.snapshot()
	if err != nil {
		return nil
	}
	defer r.Close()
	dict, err := r.FieldDict(fieldTags)
	if err != nil {
		return nil
	}
	defer dict.Close()
	t := &tagTable{snap: r}
	type link struct{ doc, tag uint32 }
	var links []link
	var maxDoc uint64
	ctx := context.Background()
	// postings calls fn with each document of term in field.
	postings := func(term, field string, fn func(n uint64)) bool {
		tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
		if err != nil {
			return false
		}
		defer tfr.Close()
		var d bindex.TermFieldDoc
		for {
			next, err := tfr.Next(&d)
			if err != nil {
				return false
			}
			if next == nil {
				return true
			}
			fn(next.ID.Value())
			d.Reset()
		}
	}
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
		if !postings(e.Term, fieldTags, func(n uint64) {
			links = append(links, link{uint32(n), i})
			maxDoc = max(maxDoc, n)
		}) {
			return nil
		}
	}
	// Counting sort of the links by document, keeping the tags' order.
	t.start = make([]uint32, maxDoc+2)
	for _, l := range links {
		t.start[l.doc+1]++
	}
	for n := 1; n < len(t.start); n++ {
		t.start[n] += t.start[n-1]
	}
	t.tags = make([]uint32, len(links))
	fill := append([]uint32(nil), t.start...)
	for _, l := range links {
		t.tags[fill[l.doc]] = l.tag
		fill[l.doc]++
	}
	// The title's number of terms: the exact (shift 0) terms of the
	// numeric field.
	tdict, err := r.FieldDict(fieldTitleTerms)
	if err != nil {
		return nil
	}
	defer tdict.Close()
	for {
		e, err := tdict.Next()
		if err != nil {
			return nil
		}
		if e == nil {
			break
		}
		pc := numeric.PrefixCoded(e.Term)
		if shift, err := pc.Shift(); err != nil || shift != 0 {
			continue
		}
		i, err := pc.Int64()
		if err != nil {
			continue
		}
		v := uint8(min(255, max(0, int(numeric.Int64ToFloat64(i)))))
		if !postings(e.Term, fieldTitleTerms, func(n uint64) {
			for uint64(len(t.titleTerms)) <= n {
				t.titleTerms = append(t.titleTerms, 0)
			}
			t.titleTerms[n] = v
		}) {
			return nil
		}
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
	if h[i].ID != "" && h[j].ID != "" {
		// Equal scores: the answer id decides, as in the final order, so
		// that every server keeps the same candidates whatever its
		// segments' history (document numbers differ from index to index).
		return h[i].ID < h[j].ID
	}
	return h[i].HitNumber > h[j].HitNumber
}

// tieBreak makes the candidates tied with d's score comparable by answer
// id (their ids read only now: exact ties are few), and reports whether d
// goes before the worst of them.
func tieBreak(best *hitHeap, d *bsearch.DocumentMatch, r bindex.IndexReader) (bool, error) {
	var err error
	if d.ID, err = r.ExternalID(d.IndexInternalID); err != nil {
		return false, err
	}
	if err := settleTies(best, r); err != nil {
		return false, err
	}
	if w := (*best)[0]; w.ID == "" { // alone at its score in the heap, tied with d
		if w.ID, err = r.ExternalID(w.IndexInternalID); err != nil {
			return false, err
		}
	}
	return d.ID > (*best)[0].ID, nil
}

// settleTies makes the worst candidate the one with the smallest answer id
// among those tied at the worst score, so that the one a better hit evicts
// is the same in every index, whatever order its documents came in. Tied
// with the top of a min-heap means tied with one of its children.
func settleTies(best *hitHeap, r bindex.IndexReader) error {
	h := *best
	if len(h) == 0 {
		return nil
	}
	worst := h[0].Score
	if !(len(h) > 1 && h[1].Score == worst || len(h) > 2 && h[2].Score == worst) {
		return nil
	}
	var err error
	loaded := false
	for _, b := range h {
		if b.Score == worst && b.ID == "" {
			if b.ID, err = r.ExternalID(b.IndexInternalID); err != nil {
				return err
			}
			loaded = true
		}
	}
	if loaded { // else the tied ones were in id order already
		heap.Init(best)
	}
	return nil
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
	total int
	// best are the candidates (IndexInternalID and ID set), best first.
	best   []*bsearch.DocumentMatch
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
	// Without the snapshot's table (it is being made), the tags are read
	// from doc values, as bleve's facets would: slower, the same counts,
	// and the same candidates as with the table.
	var dvr bindex.DocValueReader
	byName := map[string]int{}
	if facets && t != nil {
		counts = getCounts(len(t.names))
	} else if facets {
		if dvr, err = r.DocValueReader([]string{fieldTags}); err != nil {
			return nil, err
		}
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
		switch {
		case facets && t != nil:
			for _, tag := range t.docTags(d.IndexInternalID.Value()) {
				counts[tag]++
			}
		case facets:
			if err := dvr.VisitDocValues(d.IndexInternalID, func(_ string, term []byte) { byName[string(term)]++ }); err != nil {
				return nil, err
			}
		}
		switch {
		case len(best) < k:
			heap.Push(&best, d)
		case d.Score > best[0].Score:
			if err := settleTies(&best, r); err != nil {
				return nil, err
			}
			sctx.DocumentMatchPool.Put(best[0])
			best[0] = d
			heap.Fix(&best, 0)
		case d.Score == best[0].Score:
			before, err := tieBreak(&best, d, r)
			if err != nil {
				return nil, err
			}
			if before {
				sctx.DocumentMatchPool.Put(best[0])
				best[0] = d
				heap.Fix(&best, 0)
			} else {
				sctx.DocumentMatchPool.Put(d)
			}
		default:
			sctx.DocumentMatchPool.Put(d)
		}
	}
	out.best = make([]*bsearch.DocumentMatch, len(best))
	for i := len(best) - 1; i >= 0; i-- {
		d := heap.Pop(&best).(*bsearch.DocumentMatch)
		if d.ID == "" {
			if d.ID, err = r.ExternalID(d.IndexInternalID); err != nil {
				return nil, err
			}
		}
		out.best[i] = d
	}
	out.facets = []qa.TagCount{}
	if facets {
		top := facetTop{max: maxFacets}
		for i, n := range counts {
			if n > 0 {
				top.add(qa.TagCount{Tag: t.names[i], Count: n})
				counts[i] = 0
			}
		}
		putCounts(counts)
		for name, n := range byName {
			top.add(qa.TagCount{Tag: name, Count: n})
		}
		out.facets = append(out.facets, top.items...)
	}
	return out, nil
}

// maxFacets is how many tags a search's facets list.
const maxFacets = 30

// facetTop keeps the max tags of most answers (ties by name), in order,
// without listing and sorting every tag the candidates have (thousands,
// in a large archive: the largest allocation of a search).
type facetTop struct {
	max   int
	items []qa.TagCount
}

func (f *facetTop) add(tc qa.TagCount) {
	before := func(a, b qa.TagCount) bool { return a.Count > b.Count || a.Count == b.Count && a.Tag < b.Tag }
	i := sort.Search(len(f.items), func(i int) bool { return before(tc, f.items[i]) })
	if i >= f.max {
		return
	}
	if len(f.items) < f.max {
		f.items = append(f.items, qa.TagCount{})
	}
	copy(f.items[i+1:], f.items[i:])
	f.items[i] = tc
}

// countsPool holds the tag counters of searches, all zero.
var countsPool sync.Pool

// getCounts returns n zero counters.
func getCounts(n int) []int {
	if c, ok := countsPool.Get().(*[]int); ok && cap(*c) >= n {
		return (*c)[:n]
	}
	return make([]int, n)
}

// putCounts gives back counters that are all zero again.
func putCounts(c []int) { countsPool.Put(&c) }
