package api_test

import (
	"archive/tar"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

type statsResult struct {
	Pending struct {
		Count            int     `json:"count"`
		OldestAt         *string `json:"oldest_at"`
		ExpiringThisWeek int     `json:"expiring_this_week"`
	} `json:"pending"`
	TimeToAnswer []struct {
		Days, Answered int
	} `json:"time_to_answer"`
	Weeks []struct {
		Questions int `json:"questions"`
		Answers   int `json:"answers"`
	} `json:"weeks"`
	Unanswered []struct {
		Text  string `json:"text"`
		Count int    `json:"count"`
	} `json:"unanswered_searches"`
	Reads struct {
		ThisMonth int `json:"this_month"`
		Top       []struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
			Reads int    `json:"reads"`
		} `json:"top"`
	} `json:"reads"`
	NeedsReview struct {
		Months int `json:"months"`
		Count  int `json:"count"`
	} `json:"needs_review"`
}

// TestAPI_Stats: the dashboard's figures, expert only; an empty site
// answers zeros; a member's searches that found nothing are counted under
// their normalised text, and the expert can clear them.
func TestAPI_Stats(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "Member", qa.RoleMember, qa.ScopeWrite, nil)

	want(t, s.call(t, "GET", "/api/v1/stats", "", nil, nil), 401, "visitor")
	want(t, s.call(t, "GET", "/api/v1/stats", m.token, nil, nil), 403, "member")
	want(t, s.call(t, "DELETE", "/api/v1/stats/searches", m.token, nil, nil), 403, "member clears")

	var st statsResult
	want(t, s.call(t, "GET", "/api/v1/stats", x.token, nil, &st), 200, "empty site")
	if st.Pending.Count != 0 || st.Pending.OldestAt != nil || len(st.Weeks) != qa.DashboardWeeks || len(st.TimeToAnswer) != 2 || len(st.Unanswered) != 0 {
		t.Fatalf("empty stats = %+v", st)
	}

	want(t, s.call(t, "POST", "/api/v1/questions", m.token, map[string]any{"title": "How do validators get slashed?", "body": "details"}, nil), 201, "ask")
	for _, q := range []string{"Slashing  Insurance", "slashing insurance"} {
		var r searchResult
		want(t, s.call(t, "GET", "/api/v1/search?q="+url.QueryEscape(q), m.token, nil, &r), 200, "search "+q)
		if r.Total != 0 {
			t.Fatalf("search %q found %d", q, r.Total)
		}
	}
	// The expert's own searches and later pages are not logged.
	want(t, s.call(t, "GET", "/api/v1/search?q=expert+checking", x.token, nil, nil), 200, "expert search")
	want(t, s.call(t, "GET", "/api/v1/search?q=second+page&page=2", m.token, nil, nil), 200, "page 2")

	want(t, s.call(t, "GET", "/api/v1/stats", x.token, nil, &st), 200, "stats")
	if st.Pending.Count != 1 || st.Pending.OldestAt == nil || st.Weeks[len(st.Weeks)-1].Questions != 1 {
		t.Fatalf("pending = %+v, weeks = %+v", st.Pending, st.Weeks)
	}
	if len(st.Unanswered) != 1 || st.Unanswered[0].Text != "slashing insurance" || st.Unanswered[0].Count != 2 {
		t.Fatalf("unanswered = %+v, want slashing insurance ×2", st.Unanswered)
	}

	var cleared struct{ Deleted int }
	want(t, s.call(t, "DELETE", "/api/v1/stats/searches", x.token, nil, &cleared), 200, "clear")
	want(t, s.call(t, "GET", "/api/v1/stats", x.token, nil, &st), 200, "after clearing")
	if cleared.Deleted != 1 || len(st.Unanswered) != 0 {
		t.Fatalf("cleared %d, unanswered %+v", cleared.Deleted, st.Unanswered)
	}

	// Reads: a member's count once a day, the expert's not at all.
	var a answer
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "质押收益怎么算", "body": "按周期计算。"}, &a), 201, "publish")
	for _, tok := range []string{m.token, m.token, x.token} {
		want(t, s.call(t, "GET", "/api/v1/answers/"+itoa(a.ID), tok, nil, nil), 200, "read")
	}
	want(t, s.call(t, "GET", "/api/v1/stats", x.token, nil, &st), 200, "stats with reads")
	if st.Reads.ThisMonth != 1 || len(st.Reads.Top) != 1 || st.Reads.Top[0].ID != a.ID || st.Reads.Top[0].Title != "质押收益怎么算" || st.Reads.Top[0].Reads != 1 {
		t.Fatalf("reads = %+v", st.Reads)
	}

	// Still valid: the expert's alone; the answer shows the new date.
	if st.NeedsReview.Months != qa.DefaultReviewMonths || st.NeedsReview.Count != 0 {
		t.Fatalf("needs review = %+v", st.NeedsReview)
	}
	want(t, s.call(t, "POST", "/api/v1/answers/"+itoa(a.ID)+"/reviewed", m.token, nil, nil), 403, "member marks reviewed")
	want(t, s.call(t, "POST", "/api/v1/answers/987654/reviewed", x.token, nil, nil), 404, "missing answer")
	var rv struct {
		ID         int64  `json:"id"`
		ReviewedAt string `json:"reviewed_at"`
	}
	want(t, s.call(t, "POST", "/api/v1/answers/"+itoa(a.ID)+"/reviewed", x.token, nil, &rv), 200, "mark reviewed")
	var got struct {
		ReviewedAt string `json:"reviewed_at"`
	}
	want(t, s.call(t, "GET", "/api/v1/answers/"+itoa(a.ID), m.token, nil, &got), 200, "read again")
	if rv.ID != a.ID || rv.ReviewedAt == "" || got.ReviewedAt != rv.ReviewedAt {
		t.Fatalf("reviewed %+v, the answer says %q", rv, got.ReviewedAt)
	}
}

// TestAPI_StatsWeakSearches: on a real index with Chinese and English
// answers, a member's search whose hits all match only weakly is listed
// under unanswered_searches as found "weak", apart from a search that found
// nothing; a search with a close match, in either language, is not listed;
// the weak search that led to a question is marked.
func TestAPI_StatsWeakSearches(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "专家 Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "会员 Member", qa.RoleMember, qa.ScopeWrite, nil)
	for _, a := range []map[string]any{
		{"title": "How are staking rewards calculated?", "body": "Rewards are paid per epoch, in proportion to the stake delegated.", "tags": []string{"staking"}},
		{"title": "质押收益怎么计算？", "body": "每个周期按委托的质押数量分配收益。", "tags": []string{"staking"}},
		{"title": "What happens to a validator after slashing?", "body": "The validator is ejected and part of its stake burned.", "public": true},
		{"title": "验证者被罚没后会怎样？", "body": "验证者会被移出，部分质押被销毁。", "public": true},
	} {
		want(t, s.call(t, "POST", "/api/v1/answers", x.token, a, nil), 201, "publish")
	}
	search := func(q string) int {
		t.Helper()
		var r searchResult
		want(t, s.call(t, "GET", "/api/v1/search?q="+url.QueryEscape(q), m.token, nil, &r), 200, "search "+q)
		return r.Total
	}
	// Close matches: not what to write next.
	for _, q := range []string{"staking rewards", "质押收益", "validator slashing", "验证者 罚没"} {
		if search(q) == 0 {
			t.Fatalf("%q found nothing", q)
		}
	}
	// Found something, but only weakly: the answers hold some words, not
	// the rarest.
	for _, q := range []string{"staking insurance", "质押 保险", "质押  保险"} {
		if search(q) == 0 {
			t.Fatalf("%q found nothing; the test wants weak matches", q)
		}
	}
	if n := search("quantum entanglement"); n != 0 {
		t.Fatalf("quantum entanglement found %d", n)
	}

	type miss struct {
		Text     string `json:"text"`
		Count    int    `json:"count"`
		Weak     int    `json:"weak"`
		Found    string `json:"found"`
		LastSeen string `json:"last_seen"`
		Asked    bool   `json:"asked"`
	}
	var st struct {
		Unanswered []miss `json:"unanswered_searches"`
	}
	misses := func() map[string]miss {
		t.Helper()
		want(t, s.call(t, "GET", "/api/v1/stats", x.token, nil, &st), 200, "stats")
		out := map[string]miss{}
		for _, m := range st.Unanswered {
			out[m.Text] = m
		}
		return out
	}
	got := misses()
	if len(got) != 3 {
		t.Fatalf("unanswered = %+v, want 3 texts", st.Unanswered)
	}
	for text, w := range map[string]miss{
		"质押 保险":                {Count: 2, Weak: 2, Found: "weak"},
		"staking insurance":    {Count: 1, Weak: 1, Found: "weak"},
		"quantum entanglement": {Count: 1, Weak: 0, Found: "nothing"},
	} {
		g := got[text]
		if g.Count != w.Count || g.Weak != w.Weak || g.Found != w.Found || g.LastSeen == "" || g.Asked {
			t.Errorf("%q = %+v, want %+v", text, g, w)
		}
	}
	if st.Unanswered[0].Text != "质押 保险" {
		t.Errorf("most searched first: %+v", st.Unanswered)
	}

	want(t, s.call(t, "POST", "/api/v1/questions", m.token, map[string]any{"title": "质押 保险 有哪些选择？", "body": "想给质押买保险。"}, nil), 201, "ask")
	if g := misses()["质押 保险"]; !g.Asked || g.Found != "weak" {
		t.Fatalf("after the question: %+v", g)
	}
}

// TestAPI_IndexSnapshot: the expert downloads a tar of the index whose
// manifest names the mapping and the seq; members may not (it holds the
// member-only answers' text).
func TestAPI_IndexSnapshot(t *testing.T) {
	s := newServer(t)
	x, _, _ := publishTwo(t, s)
	m := s.person(t, "会员 Member", qa.RoleMember, qa.ScopeWrite, nil)
	res, body := s.get(t, "/api/v1/index/snapshot", map[string]string{"Authorization": "Bearer " + x.token})
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/x-tar" {
		t.Fatalf("snapshot: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	tr := tar.NewReader(strings.NewReader(body))
	h, err := tr.Next()
	if err != nil || h.Name != "ANSWERBOOK-INDEX" {
		t.Fatalf("first entry %+v %v", h, err)
	}
	files := 0
	for {
		if _, err := tr.Next(); err != nil {
			break
		}
		files++
	}
	if files == 0 {
		t.Fatal("the snapshot holds no index files")
	}
	if res, _ := s.get(t, "/api/v1/index/snapshot", map[string]string{"Authorization": "Bearer " + m.token}); res.StatusCode != 403 {
		t.Fatalf("a member: %d", res.StatusCode)
	}
}
