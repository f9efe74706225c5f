package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"answerbook/qa"
)

// TestPages_Freshness: an imported answer keeps its source's date and so is
// due for review; the expert sees it under "needs review" on the dashboard,
// marks it still valid in one click and it leaves the list; members see
// "reviewed" with the date on the answer; the interval is set on the
// dashboard (bad values refused); in both languages.
func TestPages_Freshness(t *testing.T) {
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	member := s.person(t, "Ann", qa.RoleMember, nil)
	old := time.Date(2020, 5, 4, 8, 0, 0, 0, time.UTC)
	st, err := s.store.ImportBatch(s.ctx, qa.System(),
		[]qa.ImportQuestion{{SourceID: "q1", Title: "质押收益怎么算", AskedAt: old}},
		[]qa.ImportAnswer{{SourceID: "a1", QuestionSourceID: "q1", Body: "按周期计算。", PublishedAt: old, Public: true}})
	if err != nil || st.Answers != 1 {
		t.Fatalf("import: %+v, %v", st, err)
	}
	fresh := s.publish(t, "How are staking rewards paid?", "Each epoch.", true)
	answers, _, err := s.store.FindAnswers(s.ctx, qa.System(), qa.AnswerFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var imported *qa.Answer
	for _, a := range answers {
		if a.ID != fresh.ID {
			imported = a
		}
	}

	m := s.signIn(t, member, "en")
	p := m.get(t, qa.AnswerPath(imported.ID))
	if strings.Contains(p.text(".meta"), "reviewed") {
		t.Errorf("an import without a review date says %q", p.text(".meta"))
	}
	p = m.get(t, qa.AnswerPath(fresh.ID))
	if !strings.Contains(p.text(".meta"), "reviewed") || p.doc.Find("#still-valid").Length() != 0 {
		t.Errorf("a fresh answer's meta: %q", p.text(".meta"))
	}

	x := s.signIn(t, expert, "zh-Hans")
	p = x.get(t, "/dashboard")
	rows := p.doc.Find("table.review tbody tr")
	if p.text("#review-count") != "1 篇解答超过 12 个月未复核。" || rows.Length() != 1 || rows.Find("a").First().Text() != "质押收益怎么算" ||
		rows.Find("time").AttrOr("datetime", "") != "2020-05-04T08:00:00Z" {
		t.Fatalf("needs review (zh): %q, %q", p.text("#review-count"), rows.Text())
	}
	action := rows.Find("form").AttrOr("action", "")
	res, p := x.post(t, action, url.Values{"next": {"/dashboard#review-h"}})
	if res.Request.URL.Path != "/dashboard" || p.doc.Find("table.review").Length() != 0 || p.text("#review-count") != "0 篇解答超过 12 个月未复核。" {
		t.Fatalf("after still valid: %s, %q", res.Request.URL.Path, p.text("#review-count"))
	}
	if !strings.Contains(p.body, "已标记为今天复核。") {
		t.Error("no flash after still valid")
	}
	p = m.get(t, qa.AnswerPath(imported.ID))
	today := time.Now().UTC().Format("2006-01-02")
	if !strings.Contains(p.text(".meta"), "reviewed") || !strings.HasPrefix(p.doc.Find(".meta time").Last().AttrOr("datetime", ""), today) {
		t.Errorf("after still valid the member sees %q", p.text(".meta"))
	}

	_, p = x.post(t, "/dashboard/review-months", url.Values{"months": {"61"}})
	want(t, p, 400, "61 months")
	if !strings.Contains(p.text("main"), "60") {
		t.Errorf("61 months (zh): %q", p.text("main"))
	}
	_, p = x.post(t, "/dashboard/review-months", url.Values{"months": {"十二"}})
	want(t, p, 400, "not a number")
	res, p = x.post(t, "/dashboard/review-months", url.Values{"months": {"0"}})
	if res.Request.URL.Path != "/dashboard" || p.text("#review-off") == "" || p.doc.Find("#review-months").AttrOr("value", "") != "0" {
		t.Errorf("reviews off: %q", p.text("#review-h"))
	}
	en := s.signIn(t, expert, "en")
	if got := en.get(t, "/dashboard").text("#review-off"); got != "Reviews are off. Set a number of months to list the answers due." {
		t.Errorf("reviews off (en): %q", got)
	}
	// From the answer page too.
	res, _ = en.post(t, qa.AnswerPath(fresh.ID)+"/reviewed", nil)
	if res.Request.URL.Path != qa.AnswerPath(fresh.ID) {
		t.Errorf("still valid from the answer page lands on %s", res.Request.URL.Path)
	}
	_, p = m.post(t, qa.AnswerPath(fresh.ID)+"/reviewed", nil)
	want(t, p, 403, "member marks reviewed")
}
