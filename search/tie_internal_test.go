package search

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"answerbook/qa"
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

// TestFacetTop: the facets keep the max tags of most answers, ties by
// name, in that order, whatever order the tags come in.
func TestFacetTop(t *testing.T) {
	in := []qa.TagCount{{Tag: "质押", Count: 3}, {Tag: "wallet", Count: 9}, {Tag: "高血压", Count: 3}, {Tag: "ada", Count: 3}, {Tag: "plutus", Count: 1}, {Tag: "epoch", Count: 12}}
	for _, n := range []int{1, 3, 10} {
		for rot := range in {
			top := facetTop{max: n}
			for i := range in {
				top.add(in[(i+rot)%len(in)])
			}
			want := []qa.TagCount{{Tag: "epoch", Count: 12}, {Tag: "wallet", Count: 9}, {Tag: "ada", Count: 3}, {Tag: "质押", Count: 3}, {Tag: "高血压", Count: 3}, {Tag: "plutus", Count: 1}}
			want = want[:min(n, len(want))]
			if fmt.Sprint(top.items) != fmt.Sprint(want) {
				t.Errorf("max %d, rotation %d: %v, want %v", n, rot, top.items, want)
			}
		}
	}
}
