package search_test

import (
	"errors"
	"testing"

	"answerbook/qa"
	"answerbook/search"
)

// TestIndex_SearchPages: searches page within qa's bounds (qa.NewSearchPage),
// and Similar within its own count.
func TestIndex_SearchPages(t *testing.T) {
	e := newEnv(t)
	e.publish("分页 paging", "pages of hits", true)
	for _, c := range []struct {
		name string
		q    search.Query
		key  qa.Key
		msg  string
	}{
		{"LastPage", search.Query{Text: "paging", Page: 500, PerPage: 20}, "", ""},
		{"ErrPastLastPage", search.Query{Text: "paging", Page: 501, PerPage: 20}, qa.KeyPage, "page must be between 1 and 500"},
		{"ErrPerPage", search.Query{Text: "paging", PerPage: qa.MaxPerPage + 1}, qa.KeyPerPage, "per_page must be between 1 and 100"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.ix.Search(e.ctx, c.q)
			if c.key == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, qa.E(c.key, nil)) || qa.ErrorMessage(err) != c.msg {
				t.Fatalf("err %v, want %s %q", err, c.key, c.msg)
			}
		})
	}
	t.Run("ErrSimilarPerPage", func(t *testing.T) {
		_, err := e.ix.Similar(e.ctx, search.SimilarQuery{Title: "paging", PerPage: 21})
		if !errors.Is(err, qa.E(qa.KeyPerPage, nil)) || qa.ErrorMessage(err) != "per_page must be between 1 and 20" {
			t.Fatalf("err %v", err)
		}
	})
}
