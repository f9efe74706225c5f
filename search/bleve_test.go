package search

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"answerbook/qa"
)

// TestBleveSays provokes each kind of failure that bleveSays reads from the
// real libraries, so that a bleve or bbolt upgrade that words them
// differently fails here.
func TestBleveSays(t *testing.T) {
	dir := t.TempDir()
	s := testStore(t, dir)
	ix, stop := runIndex(t, s, dir)
	defer stop()

	t.Run("TooComplex", func(t *testing.T) {
		terms := make([]query.Query, maxTermSearchers+1)
		for i := range terms {
			q := bleve.NewTermQuery(fmt.Sprintf("term%d", i))
			q.SetField(fieldBody)
			terms[i] = q
		}
		ctx := context.Background()
		ix.mu.RLock()
		_, err := ix.idx.SearchInContext(ctx, bleve.NewSearchRequest(bleve.NewDisjunctionQuery(terms...)))
		ix.mu.RUnlock()
		if !bleveSays(err, bleveTooComplex) || bleveSays(err, bleveTimeout) {
			t.Fatalf("bleve's error %v is not read as too complex", err)
		}
		if e := searchError(ctx, err); !errors.Is(e, qa.E(qa.KeyQueryComplex, nil)) {
			t.Fatalf("searchError = %v, want %s", e, qa.KeyQueryComplex)
		}
	})
	t.Run("Timeout", func(t *testing.T) {
		// The running index holds its bolt file: a second open waits for
		// bolt_timeout and fails.
		start := time.Now()
		_, err := Open(Config{Dir: filepath.Join(dir, "index"), Store: s})
		if !errors.Is(err, errLocked) {
			t.Fatalf("second Open after %v: %v, want errLocked", time.Since(start), err)
		}
	})
	t.Run("Other", func(t *testing.T) {
		if bleveSays(nil, bleveTimeout) || bleveSays(errors.New("disk full"), bleveTooComplex) || bleveSays(errors.New("disk full"), bleveTimeout) {
			t.Fatal("bleveSays reads an unrelated error as bleve's")
		}
	})
}
