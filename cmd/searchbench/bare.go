package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"

	"answerbook/qa"
	"answerbook/qa/markdown"
)

// The bare-bleve baseline: what the library alone costs on the same
// documents and queries. A plain index (one text field holding the title,
// the question and the answer, in the project's analyzer so that Chinese is
// split the same way; bleve's defaults otherwise: stored, term vectors),
// batches of 1000, one MatchQuery per query for 10 hits, no facets, no
// snippets, no HTTP.

// bareAnalyzer is the name search registers its analyzer under.
const bareAnalyzer = "answerbook_text_v2"

type bareFigures struct {
	docs          int
	indexRate     float64
	search        string
	size          int64
	indexDuration time.Duration
}

func bareBaseline(ctx context.Context, s *qa.Store, dir string, queries []string) (*bareFigures, error) {
	im := bleve.NewIndexMapping()
	im.DefaultAnalyzer = bareAnalyzer
	path := filepath.Join(dir, "bare-bleve")
	if err := os.RemoveAll(path); err != nil { // from an earlier run (-reuse)
		return nil, err
	}
	idx, err := bleve.New(path, im)
	if err != nil {
		return nil, err
	}
	defer idx.Close()
	f := &bareFigures{}
	start := time.Now()
	var after int64
	for {
		ids, err := s.PublishedAnswerIDs(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			break
		}
		as, err := s.FindAnswersForIndex(ctx, ids)
		if err != nil {
			return nil, err
		}
		b := idx.NewBatch()
		for _, a := range as {
			text := []string{a.Title(), markdown.PlainText(a.BodyMarkdown)}
			if a.Question != nil {
				text = append(text, markdown.PlainText(a.Question.Body))
			}
			if err := b.Index(fmt.Sprint(a.ID), map[string]any{"text": strings.Join(text, "\n")}); err != nil {
				return nil, err
			}
			f.docs++
		}
		if err := idx.Batch(b); err != nil {
			return nil, err
		}
		after = ids[len(ids)-1]
	}
	f.indexDuration = time.Since(start)
	f.indexRate = float64(f.docs) / f.indexDuration.Seconds()
	var lat []time.Duration
	for round := 0; round < 3; round++ {
		for _, q := range queries {
			mq := bleve.NewMatchQuery(q)
			mq.SetField("text")
			t := time.Now()
			if _, err := idx.SearchInContext(ctx, bleve.NewSearchRequest(mq)); err != nil {
				return nil, err
			}
			if round > 0 {
				lat = append(lat, time.Since(t))
			}
		}
	}
	f.search = percentiles(lat)
	f.size = dirSize(path)
	return f, nil
}
