package search

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"answerbook/qa"
)

// TestCollectTop_SameAsBleve: phase 1 with the tag table finds the same
// total, the same facets and the same best candidates as bleve's collector
// with doc-value facets.
func TestCollectTop_SameAsBleve(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := testStore(t, dir)
	words := []string{"面试 准备", "系统设计 system design", "数据库 database index", "缓存 cache", "kubernetes 部署"}
	tags := []string{"面试", "go", "database", "系统设计", "k8s", "cache"}
	var qs []qa.ImportQuestion
	var as []qa.ImportAnswer
	for i := 0; i < 600; i++ {
		id := fmt.Sprintf("c/%d", i)
		qs = append(qs, qa.ImportQuestion{SourceID: "q" + id, Title: fmt.Sprintf("%s 第%d题 question %d", words[i%len(words)], i%7, i%11), Tags: []string{tags[i%len(tags)], tags[(i/3)%len(tags)]}, Status: qa.StatusAnswered})
		as = append(as, qa.ImportAnswer{SourceID: id, QuestionSourceID: "q" + id, Body: words[(i/2)%len(words)] + " " + words[(i/5)%len(words)], Public: i%4 == 0})
	}
	if _, err := s.ImportBatch(ctx, qa.System(), qs, as); err != nil {
		t.Fatal(err)
	}
	ix, stop := runIndex(t, s, dir)
	defer stop()
	queries := []Query{
		{Text: "面试"}, {Text: "system design"}, {Text: "数据库 cache"}, {Text: "第3题"}, {Text: "kubernetes", PublicOnly: true},
		{Text: "question", Tags: []string{"go"}}, {Text: `"system design" -cache`}, {Text: "准备", Page: 2, PerPage: 7},
	}
	search := func(q Query) *Result {
		res, err := ix.Search(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		res.Took = 0
		return res
	}
	// Without the table (bleve's collector) …
	want := make([]*Result, len(queries))
	for i, q := range queries {
		noTable(ix)
		want[i] = search(q)
	}
	// … and with it.
	waitForTable(t, ix)
	for i, q := range queries {
		got := search(q)
		// Among equal scores the order is the index's, which a segment
		// merge between the two searches may change: the scores must
		// agree, not necessarily the ids of tied answers.
		if got.Total != want[i].Total || !reflect.DeepEqual(got.Facets, want[i].Facets) || !reflect.DeepEqual(scores(got), scores(want[i])) {
			t.Errorf("%+v:\n with the table %d %v %v\n bleve          %d %v %v", q, got.Total, got.Facets, scores(got), want[i].Total, want[i].Facets, scores(want[i]))
		}
		if got.Total == 0 || len(got.Facets) == 0 {
			t.Errorf("%+v: nothing found; the comparison says nothing", q)
		}
	}
}

func scores(r *Result) []string {
	out := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		out[i] = fmt.Sprintf("%.9f", h.Score)
	}
	return out
}

// TestSimilar_TitleTableSameAsDocValues: similar answers ranked with the
// title term counts of the snapshot's table are the same, to the last bit
// of the score, as ranked with the counts read from doc values (no table
// yet).
func TestSimilar_TitleTableSameAsDocValues(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := testStore(t, dir)
	titles := []string{"如何准备系统设计面试", "how to prepare a system design interview", "数据库索引 database index tuning", "缓存失效 cache invalidation",
		"kubernetes 部署 deployment rollback", "面试 准备 checklist", "高血压 饮食 diet"}
	var qs []qa.ImportQuestion
	var as []qa.ImportAnswer
	for i := 0; i < 300; i++ {
		id := fmt.Sprintf("t/%d", i)
		title := titles[i%len(titles)] + fmt.Sprintf(" %d", i%13)
		if i%3 == 0 {
			title += " " + titles[(i/3)%len(titles)]
		}
		qs = append(qs, qa.ImportQuestion{SourceID: "q" + id, Title: title, Tags: []string{"t"}, Status: qa.StatusAnswered})
		as = append(as, qa.ImportAnswer{SourceID: id, QuestionSourceID: "q" + id, Body: titles[(i/2)%len(titles)] + " answer 回答"})
	}
	if _, err := s.ImportBatch(ctx, qa.System(), qs, as); err != nil {
		t.Fatal(err)
	}
	ix, stop := runIndex(t, s, dir)
	defer stop()
	queries := []SimilarQuery{{Title: "系统设计面试怎么准备"}, {Title: "database index", PerPage: 10}, {Title: "cache 缓存", Body: "invalidation 失效"},
		{Title: "高血压 diet", PerPage: 20}, {Title: "kubernetes rollback", PublicOnly: false}}
	similar := func(q SimilarQuery) []string {
		res, err := ix.Similar(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		out := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			out[i] = fmt.Sprintf("%d %v", h.ID, h.Score)
		}
		return out
	}
	want := make([][]string, len(queries))
	for i, q := range queries {
		noTable(ix)
		want[i] = similar(q)
	}
	if tab := waitForTable(t, ix); len(tab.titleTerms) == 0 {
		t.Fatal("the table holds no title term counts")
	}
	for i, q := range queries {
		got := similar(q)
		if len(got) == 0 {
			t.Errorf("%+v: nothing found; the comparison says nothing", q)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%+v:\n with the table %v\n doc values     %v", q, got, want[i])
		}
	}
}

// noTable drops the snapshot table and keeps a new one from being made, so
// that searches read doc values (bleve's collector, for facets).
func noTable(ix *Index) {
	ix.tags.mu.Lock()
	ix.tags.cur, ix.tags.building = nil, true
	ix.tags.mu.Unlock()
}

// waitForTable lets the table of the current snapshot be made and returns it.
func waitForTable(t *testing.T, ix *Index) *tagTable {
	t.Helper()
	ix.tags.mu.Lock()
	ix.tags.building = false
	ix.tags.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ix.mu.RLock()
		adv, _ := ix.idx.Advanced()
		r, _ := adv.Reader()
		tab := ix.tagTableFor(r)
		r.Close()
		ix.mu.RUnlock()
		if tab != nil {
			return tab
		}
		if time.Now().After(deadline) {
			t.Fatal("the snapshot table was not made")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
