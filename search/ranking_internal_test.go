package search

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"answerbook/qa"
)

// TestRanking_SameOnEveryServer: two indexes of one database built by
// different paths — one that followed 600 creations with edits and
// unpublishes as they came, one rebuilt from the database — return the
// same pages and similar answers, hit for hit and score for score, whether
// or not a search finds its snapshot's tag table ready: the statistics are
// the live documents' (BM25's average lengths fixed), phase 1 walks the
// candidates the same way both times, phase 2 never advances a boolean
// searcher, and equal scores go by answer id, never by the segments' order.
func TestRanking_SameOnEveryServer(t *testing.T) {
	dir := t.TempDir()
	s := testStore(t, dir)
	ctx := context.Background()
	expert, err := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "x@example.com", Name: "专家", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	act := qa.Actor{Member: expert, Scope: qa.ScopeWrite}
	live, stop := runIndex(t, s, filepath.Join(dir, "live"))
	defer stop()
	words := []string{"staking", "wallet", "质押", "钱包", "rewards", "奖励", "epoch", "节点", "pool", "ledger", "交易", "手续费",
		"delegate", "委托", "token", "代币", "script", "脚本", "metadata", "元数据", "seed", "助记词", "key", "密钥"}
	rnd := uint64(42)
	next := func(n int) int { rnd = rnd*6364136223846793005 + 1442695040888963407; return int(rnd>>33) % n }
	phrase := func(n int) string {
		out := ""
		for range n {
			out += words[next(len(words))] + " "
		}
		return out
	}
	for i := range 600 {
		title := phrase(2+next(4)) + fmt.Sprintf("问题 %d", i%50)
		a, err := s.CreateAnswer(ctx, act, qa.AnswerCreate{Title: &title, Body: "answer " + phrase(5+next(20)) + " 答案", Public: true})
		if err != nil {
			t.Fatal(err)
		}
		if next(7) == 0 {
			nb := phrase(3+next(30)) + " edited 修改"
			if _, err := s.UpdateAnswer(ctx, act, a.ID, qa.AnswerUpdate{Body: &nb}); err != nil {
				t.Fatal(err)
			}
		}
		if next(15) == 0 {
			off := false
			if _, err := s.UpdateAnswer(ctx, act, a.ID, qa.AnswerUpdate{Published: &off}); err != nil {
				t.Fatal(err)
			}
		}
		if i%25 == 24 {
			waitAll(t, s, live)
		}
	}
	waitAll(t, s, live)
	rebuilt, stop2 := runIndex(t, s, filepath.Join(dir, "rebuilt"))
	defer stop2()
	type hit struct {
		ID    int64
		Score float64
	}
	page := func(ix *Index, q string, p int) []hit {
		res, err := ix.Search(ctx, Query{Text: q, Page: p, PerPage: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out []hit
		for _, h := range res.Hits {
			out = append(out, hit{h.ID, h.Score})
		}
		return out
	}
	similar := func(ix *Index, title string) []hit {
		res, err := ix.Similar(ctx, SimilarQuery{Title: title + " 怎么办", Body: "answer 答案 " + title, PerPage: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out []hit
		for _, h := range res.Hits {
			out = append(out, hit{h.ID, h.Score})
		}
		return out
	}
	queries := []string{"staking", "质押", "wallet rewards", "钱包 奖励", "epoch 节点", "answer", "edited", "pool 委托", "key seed", "问题", "token 代币 script"}
	// Twice: the first searches may find no tag table yet (it is made in
	// the background), the second find it.
	for round := range 2 {
		for _, q := range queries {
			for p := 1; p <= 2; p++ {
				if a, b := page(live, q, p), page(rebuilt, q, p); fmt.Sprint(a) != fmt.Sprint(b) {
					t.Errorf("round %d, %q page %d:\n live    %v\n rebuilt %v", round, q, p, a, b)
				}
			}
			if a, b := similar(live, q), similar(rebuilt, q); fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("round %d, similar to %q:\n live    %v\n rebuilt %v", round, q, a, b)
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func waitAll(t *testing.T, s *qa.Store, ix *Index) {
	t.Helper()
	last, _ := s.LastChangeSeq(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ix.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
}
