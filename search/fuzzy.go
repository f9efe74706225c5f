package search

import (
	"context"
	"strings"
	"sync"

	bindex "github.com/blevesearch/bleve_index_api"
)

// Typo tolerance. When a search finds fewer than fuzzyBelow answers, its
// longer Latin words (fuzzyWords) also match the index's terms one edit
// away (the first letter kept), in the title and the body. bleve's fuzzy
// query builds a Levenshtein automaton for each word and field at every
// search, which was the largest share of what a search allocated under
// load (a query that finds little is asked again and again); the terms a
// word expands to are kept per index snapshot instead, and searched as
// plain terms.

// fuzzyTerm is a term of the index one edit away from a query word, in
// the text field textFields[field].
type fuzzyTerm struct {
	field int
	term  string
}

// fuzzyFields are the fields typo-tolerant terms are looked up in.
var fuzzyFields = []int{inTitle, inBody}

// maxFuzzyTerms bounds the terms a word expands to in one field.
const maxFuzzyTerms = 50

// fuzzyTerms keeps the expansions of words for one index snapshot.
type fuzzyTerms struct {
	mu   sync.Mutex
	snap bindex.IndexReader // identity only
	m    map[string][]fuzzyTerm
}

// expand returns the terms one edit away from each of words, from the
// index's current snapshot (nil when there is none or it cannot be read).
func (c *fuzzyTerms) expand(ctx context.Context, ix *Index, words []string) []fuzzyTerm {
	if len(words) == 0 {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	r, err := ix.snapshot()
	if err != nil {
		return nil
	}
	defer r.Close()
	fr, ok := r.(bindex.IndexReaderFuzzy)
	if !ok {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != r || c.m == nil {
		c.snap, c.m = r, map[string][]fuzzyTerm{}
	}
	var out []fuzzyTerm
	for _, w := range words {
		w = strings.ToLower(w)
		terms, ok := c.m[w]
		if !ok {
			if terms, err = lookupFuzzy(fr, w); err != nil {
				return nil
			}
			if len(c.m) < maxFuzzyCache {
				c.m[w] = terms
			}
		}
		out = append(out, terms...)
	}
	return out
}

// maxFuzzyCache bounds the words fuzzyTerms keeps per snapshot.
const maxFuzzyCache = 10000

// lookupFuzzy reads the terms one edit away from w (its first letter
// kept) in each of fuzzyFields.
func lookupFuzzy(r bindex.IndexReaderFuzzy, w string) ([]fuzzyTerm, error) {
	var out []fuzzyTerm
	prefix := string([]rune(w)[:1])
	for _, f := range fuzzyFields {
		d, err := r.FieldDictFuzzy(textFields[f], w, 1, prefix)
		if err != nil {
			return nil, err
		}
		for n := 0; n < maxFuzzyTerms; n++ {
			e, err := d.Next()
			if err != nil {
				d.Close()
				return nil, err
			}
			if e == nil {
				break
			}
			out = append(out, fuzzyTerm{f, e.Term})
		}
		if err := d.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
