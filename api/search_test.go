package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

type hit struct {
	ID      int64    `json:"id"`
	Title   string   `json:"title"`
	Snippet string   `json:"snippet"`
	Tags    []string `json:"tags"`
	URL     string   `json:"url"`
	Score   float64  `json:"score"`
	Match   string   `json:"match"`
}

type searchResult struct {
	Total  int   `json:"total"`
	Hits   []hit `json:"hits"`
	Facets struct {
		Tags []qa.TagCount `json:"tags"`
	} `json:"facets"`
}

func TestAPI_Search(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "Member", qa.RoleMember, qa.ScopeRead, nil)
	var a1, a2, a3 answer
	// Publishing waits until the answer is searchable: the next search finds it.
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "如何准备 system design 面试", "body": "先学习**分布式**系统，再练习 whiteboard。", "tags": []string{"面试"}}, &a1), 201, "faq zh")
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "Negotiating a salary offer", "body": "Anchor high; <script>x</script> never accept the first offer.", "tags": []string{"career", "面试"}, "public": true}, &a2), 201, "faq en")
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "Members-only secret plan", "body": "internal details", "tags": []string{"career"}}, &a3), 201, "faq private")

	var r searchResult
	want(t, s.call(t, "GET", "/api/v1/search?q="+url.QueryEscape("面试"), m.token, nil, &r), 200, "search zh")
	if r.Total != 1 || r.Hits[0].ID != a1.ID || !strings.Contains(r.Hits[0].Snippet, "<mark>") && !strings.Contains(r.Hits[0].Title, "面试") {
		t.Fatalf("search 面试 = %+v", r)
	}
	want(t, s.call(t, "GET", "/api/v1/search?q=offer", m.token, nil, &r), 200, "search en")
	if r.Total != 1 || r.Hits[0].ID != a2.ID || !strings.Contains(r.Hits[0].Snippet, "<mark>offer</mark>") || strings.Contains(r.Hits[0].Snippet, "<script") {
		t.Fatalf("search offer = %+v", r)
	}
	want(t, s.call(t, "GET", "/api/v1/search?tag=career", m.token, nil, &r), 200, "search by tag")
	if r.Total != 2 {
		t.Fatalf("tag search = %+v", r)
	}
	want(t, s.call(t, "GET", "/api/v1/search?q=&tag=career&tag="+url.QueryEscape("面试"), m.token, nil, &r), 200, "two tags")
	if r.Total != 1 || r.Hits[0].ID != a2.ID {
		t.Fatalf("tags AND = %+v", r)
	}
	want(t, s.call(t, "GET", "/api/v1/search?q=system+design", m.token, nil, &r), 200, "facets")
	if len(r.Facets.Tags) == 0 || r.Hits[0].URL != fmt.Sprintf("http://answers.test/answers/%d", a1.ID) {
		t.Fatalf("hit shape = %+v", r)
	}

	// Visitors find public answers only: no member-only hit, count or facet.
	want(t, s.call(t, "GET", "/api/v1/search?tag=career", "", nil, &r), 200, "visitor")
	if r.Total != 1 || r.Hits[0].ID != a2.ID {
		t.Fatalf("visitor search = %+v", r)
	}
	for _, f := range r.Facets.Tags {
		if f.Count != 1 {
			t.Fatalf("visitor facets count member-only answers: %+v", r.Facets)
		}
	}
	want(t, s.call(t, "GET", "/api/v1/search?q=secret", "", nil, &r), 200, "visitor secret")
	if r.Total != 0 {
		t.Fatal("visitor finds member-only text")
	}

	var sim searchResult
	want(t, s.call(t, "GET", "/api/v1/similar?q="+url.QueryEscape("如何准备 system design 面试")+"&per_page=3", m.token, nil, &sim), 200, "similar")
	if len(sim.Hits) == 0 || sim.Hits[0].ID != a1.ID {
		t.Fatalf("similar = %+v", sim)
	}

	// Edits are searchable at once too.
	var edited answer
	want(t, s.call(t, "PUT", fmt.Sprintf("/api/v1/answers/%d", a1.ID), x.token, map[string]any{"body": "Now about kubernetes."}, &edited), 200, "edit")
	want(t, s.call(t, "GET", "/api/v1/search?q=kubernetes", m.token, nil, &r), 200, "after edit")
	if r.Total != 1 {
		t.Fatalf("edit not searchable at once: %+v", r)
	}

	var e apiError
	want(t, s.call(t, "GET", "/api/v1/search?q="+strings.Repeat("a", 501), m.token, nil, &e), 400, "long query")
	want(t, s.call(t, "GET", "/api/v1/search?q=x&sort=sideways", m.token, nil, &e), 400, "bad sort")
	want(t, s.call(t, "GET", "/api/v1/search?q=x&per_page=101", m.token, nil, &e), 400, "per_page")
	want(t, s.call(t, "GET", "/api/v1/similar?q=x&per_page=50", m.token, nil, &e), 400, "similar per_page")
	want(t, s.call(t, "GET", "/api/v1/similar?q=x&per_page=21", m.token, nil, &e), 400, "similar per_page 21")
	want(t, s.call(t, "GET", "/api/v1/similar?q=x&per_page=0", m.token, nil, &e), 400, "similar per_page 0")
	want(t, s.call(t, "GET", "/api/v1/similar?q=x&per_page=20", m.token, nil, &sim), 200, "similar per_page 20")
}

// TestAPI_HitMatch: every search hit says how closely it matches:
// "strong" when its title holds the query's words, "weak" when only its
// body does. Similar returns strong matches only (INTERFACE.md), for
// questions in either language, up to per_page of them.
func TestAPI_HitMatch(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert 专家", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "Member 会员", qa.RoleMember, qa.ScopeRead, nil)
	const calc, wallet = "质押奖励怎么计算 How are staking rewards calculated", "钱包备份 Wallet backup"
	for _, a := range []map[string]any{
		{"title": calc, "body": "按纪元 per epoch.", "public": true},
		{"title": wallet, "body": "助记词 seed phrase; 质押奖励 staking rewards stay in the wallet.", "public": true},
		{"title": "Staking rewards on an exchange 交易所的质押奖励", "body": "Exchanges pool the stake.", "public": true},
	} {
		want(t, s.call(t, "POST", "/api/v1/answers", x.token, a, nil), 201, "publish")
	}
	var res searchResult
	want(t, s.call(t, "GET", "/api/v1/search?q="+url.QueryEscape("staking rewards"), m.token, nil, &res), 200, "search")
	got := map[string]string{}
	for _, h := range res.Hits {
		got[h.Title] = h.Match
	}
	if got[calc] != "strong" || got[wallet] != "weak" {
		t.Errorf("search: matches %v", got)
	}

	for _, q := range []string{"How are staking rewards calculated", "质押奖励怎么计算"} {
		want(t, s.call(t, "GET", "/api/v1/similar?q="+url.QueryEscape(q)+"&per_page=1", m.token, nil, &res), 200, "similar "+q)
		if len(res.Hits) != 1 || res.Hits[0].Title != calc || res.Hits[0].Match != "strong" || res.Total != 1 {
			t.Errorf("similar %q per_page=1: %+v", q, res)
		}
		want(t, s.call(t, "GET", "/api/v1/similar?q="+url.QueryEscape(q), m.token, nil, &res), 200, "similar "+q)
		titles := map[string]bool{}
		for _, h := range res.Hits {
			titles[h.Title] = true
			if h.Match != "strong" {
				t.Errorf("similar %q: a %s hit %q", q, h.Match, h.Title)
			}
		}
		if !titles[calc] || titles[wallet] || res.Total != len(res.Hits) {
			t.Errorf("similar %q: %+v, want %q and not the weak %q", q, res, calc, wallet)
		}
	}
	// Weak matches only: nothing.
	want(t, s.call(t, "GET", "/api/v1/similar?q="+url.QueryEscape("I lost my seed phrase, what now?"), m.token, nil, &res), 200, "similar weak only")
	if len(res.Hits) != 0 || res.Total != 0 {
		t.Errorf("similar, weak matches only: %+v", res)
	}
}
