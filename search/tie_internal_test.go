package search

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
)

// TestCollectTop_TiesByID: phase 1 keeps the same candidates whatever
// order the documents were indexed in. Three documents say "alpha" three
// times and six say it once; with room for four, the fourth is the
// greatest id among the six tied ones (the final order's tie-break),
// whatever order the index was filled in.
func TestCollectTop_TiesByID(t *testing.T) {
	ctx := context.Background()
	ids := []string{"11", "12", "13", "21", "22", "23", "24", "25", "26"}
	text := func(id string) string {
		if id[0] == '1' {
			return "alpha alpha alpha 重复"
		}
		return "alpha 一次 once"
	}
	top := func(order []string) []string {
		t.Helper()
		idx, err := bleve.New(filepath.Join(t.TempDir(), "ix"), newMapping())
		if err != nil {
			t.Fatal(err)
		}
		defer idx.Close()
		for _, id := range order {
			if err := idx.Index(id, map[string]any{fieldBody: text(id), fieldPublished: true}); err != nil {
				t.Fatal(err)
			}
		}
		ix := &Index{idx: idx}
		adv, err := idx.Advanced()
		if err != nil {
			t.Fatal(err)
		}
		r, err := adv.Reader()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		q := bleve.NewTermQuery("alpha")
		q.SetField(fieldBody)
		col, err := ix.collectTop(ctx, q, 4, false, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range col.best {
			out = append(out, d.ID)
		}
		slices.Sort(out)
		return out
	}
	want := []string{"11", "12", "13", "26"}
	reversed := slices.Clone(ids)
	slices.Reverse(reversed)
	// The greatest tied id first, alone at its score among those kept.
	first := []string{"11", "12", "13", "26", "21", "22", "23", "24", "25"}
	for name, order := range map[string][]string{"in order": ids, "reversed": reversed, "greatest first": first} {
		if got := top(order); !slices.Equal(got, want) {
			t.Errorf("%s: candidates %v, want %v", name, got, want)
		}
	}
}
