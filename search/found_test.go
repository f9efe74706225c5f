package search_test

import (
	"reflect"
	"testing"

	"answerbook/qa"
	"answerbook/search"
)

// TestLoadHits: the answers come back in the hits' order with their hits;
// what the database does not show the actor (member-only for a visitor,
// unpublished, missing) is left out.
func TestLoadHits(t *testing.T) {
	e := newEnv(t)
	public1 := e.publish("缓存 cache one", "body one", true)
	members := e.publish("缓存 cache two", "body two", false)
	public3 := e.publish("缓存 cache three", "body three", true)
	gone := e.publish("缓存 cache four", "body four", true)
	no := false
	if _, err := e.store.UpdateAnswer(e.ctx, e.expert, gone.ID, qa.AnswerUpdate{Published: &no}); err != nil {
		t.Fatal(err)
	}
	hits := []search.Hit{
		{ID: public3.ID, Score: 4, Snippet: "<mark>three</mark>"},
		{ID: 999999, Score: 3.5},
		{ID: members.ID, Score: 3, Snippet: "two"},
		{ID: gone.ID, Score: 2},
		{ID: public1.ID, Score: 1, Snippet: "one"},
	}
	loaded := func(a qa.Actor) []search.Found {
		t.Helper()
		found, err := search.LoadHits(e.ctx, e.store, a, hits)
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	ids := func(fs []search.Found) []int64 {
		var out []int64
		for _, f := range fs {
			if f.Answer == nil || f.Answer.ID != f.ID {
				t.Fatalf("hit %d carries answer %+v", f.ID, f.Answer)
			}
			out = append(out, f.ID)
		}
		return out
	}

	t.Run("RankOrder", func(t *testing.T) {
		found := loaded(e.expert)
		if got, want := ids(found), []int64{public3.ID, members.ID, public1.ID}; !reflect.DeepEqual(got, want) {
			t.Fatalf("expert: ids %v, want %v", got, want)
		}
		if found[0].Snippet != "<mark>three</mark>" || found[0].Score != 4 || found[2].Snippet != "one" {
			t.Fatalf("hits not carried: %+v", found)
		}
		if found[0].Answer.Title() != "缓存 cache three" {
			t.Fatalf("title %q", found[0].Answer.Title())
		}
	})
	t.Run("VisitorPublicOnly", func(t *testing.T) {
		if got, want := ids(loaded(qa.Visitor())), []int64{public3.ID, public1.ID}; !reflect.DeepEqual(got, want) {
			t.Fatalf("visitor: ids %v, want %v", got, want)
		}
	})
	t.Run("NoHits", func(t *testing.T) {
		found, err := search.LoadHits(e.ctx, e.store, qa.Visitor(), nil)
		if err != nil || found == nil || len(found) != 0 {
			t.Fatalf("no hits: %v, %v", found, err)
		}
	})
}
