package main

import (
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// plainBleve is the baseline the ranking is measured against: bleve
// alone, an in-memory index of the sentences with its default mapping (the
// standard analyzer: one token per Han character, English words lower-cased)
// and one MatchQuery per query, BM25.
type plainBleve struct{ idx bleve.Index }

func newPlainBleve(sentences map[string]string) (*plainBleve, error) {
	m := bleve.NewIndexMapping()
	m.ScoringModel = "bm25"
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		return nil, err
	}
	b := idx.NewBatch()
	for s, id := range sentences {
		if err := b.Index(id, map[string]any{"t": s}); err != nil {
			return nil, err
		}
		if b.Size() >= 1000 {
			if err := idx.Batch(b); err != nil {
				return nil, err
			}
			b.Reset()
		}
	}
	return &plainBleve{idx}, idx.Batch(b)
}

// rank returns the ids of the best n sentences for q, and the time taken.
func (p *plainBleve) rank(q string, n int) ([]string, time.Duration, error) {
	t0 := time.Now()
	mq := bleve.NewMatchQuery(q)
	mq.SetField("t")
	res, err := p.idx.Search(bleve.NewSearchRequestOptions(mq, n, 0, false))
	if err != nil {
		return nil, 0, fmt.Errorf("plain bleve %q: %w", q, err)
	}
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out, time.Since(t0), nil
}
