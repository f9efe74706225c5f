package search

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"answerbook/qa"
)

// TestLoadHits_CacheFollowsChanges: the rows LoadHits keeps for hot hits
// are forgotten as the follower applies each change — an edit made through
// another handle on the database (another server) included — so a search
// never shows an answer's old title, tags or visibility once the index has
// the change; a visitor still finds only public answers.
func TestLoadHits_CacheFollowsChanges(t *testing.T) {
	dir := t.TempDir()
	cfg := storeConfig(t, dir)
	s := openStore(t, cfg)
	ctx := context.Background()
	expert, err := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "x@example.com", Name: "专家", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	member, err := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "m@example.com", Name: "会员"})
	if err != nil {
		t.Fatal(err)
	}
	act := qa.Actor{Member: expert, Scope: qa.ScopeWrite}
	reader := qa.Actor{Member: member, Scope: qa.ScopeRead}
	ix, stop := runIndex(t, s, filepath.Join(dir, "ix"))
	defer stop()
	title := "缓存 staking cache"
	a, err := s.CreateAnswer(ctx, act, qa.AnswerCreate{Title: &title, Body: "质押奖励 rewards", Tags: []string{"staking"}, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	wait := func(seq int64) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := ix.WaitFor(wctx, seq); err != nil {
			t.Fatal(err)
		}
		// The follower marks itself caught up right after the batch.
		for deadline := time.Now().Add(5 * time.Second); !ix.cacheFresh(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the follower never caught up")
			}
		}
	}
	wait(a.ChangeSeq)
	load := func(who qa.Actor) []Found {
		t.Helper()
		res, err := ix.Search(ctx, Query{Text: "缓存", PerPage: 10})
		if err != nil {
			t.Fatal(err)
		}
		found, err := ix.LoadHits(ctx, s, who, res.Hits)
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	if f := load(reader); len(f) != 1 || !slices.Equal(f[0].Answer.Tags, []string{"staking"}) {
		t.Fatalf("first search: %+v", f)
	}
	ix.hits.mu.Lock()
	_, kept := ix.hits.m[a.ID]
	ix.hits.mu.Unlock()
	if !kept {
		t.Fatal("the hit's row was not kept")
	}

	// An edit through another handle on the same database, as another
	// server makes it: found by the follower's poll, not by a wake-up.
	other := openStore(t, cfg)
	tags := []string{"staking", "质押"}
	up, err := other.UpdateAnswer(ctx, act, a.ID, qa.AnswerUpdate{Tags: &tags})
	if err != nil {
		t.Fatal(err)
	}
	wait(up.ChangeSeq)
	if f := load(reader); len(f) != 1 || !slices.Equal(f[0].Answer.Tags, tags) {
		t.Fatalf("after the edit: %+v", f)
	}

	// Member-only: a visitor no longer finds it, the member does.
	off := false
	up, err = other.UpdateAnswer(ctx, act, a.ID, qa.AnswerUpdate{Public: &off})
	if err != nil {
		t.Fatal(err)
	}
	wait(up.ChangeSeq)
	if f := load(reader); len(f) != 1 || f[0].Answer.Public {
		t.Fatalf("member after member-only: %+v", f)
	}
	res, _ := ix.Search(ctx, Query{Text: "缓存", PerPage: 10})
	if f, err := ix.LoadHits(ctx, s, qa.Visitor(), res.Hits); err != nil || len(f) != 0 {
		t.Fatalf("visitor after member-only: %+v %v", f, err)
	}

	// Unpublished: gone for everyone, even with the hit of an older search.
	old := res.Hits
	up, err = other.UpdateAnswer(ctx, act, a.ID, qa.AnswerUpdate{Published: &off})
	if err != nil {
		t.Fatal(err)
	}
	wait(up.ChangeSeq)
	if f, err := ix.LoadHits(ctx, s, reader, old); err != nil || len(f) != 0 {
		t.Fatalf("after unpublish: %+v %v", f, err)
	}
}
