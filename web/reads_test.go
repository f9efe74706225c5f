package web_test

import (
	"testing"

	"answerbook/qa"
)

// TestPages_DashboardReads: a member's reads of an answer page count once a
// day on the dashboard, the expert's own do not; in both languages.
func TestPages_DashboardReads(t *testing.T) {
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	member := s.person(t, "Ann", qa.RoleMember, nil)
	a := s.publish(t, "质押收益怎么算", "按周期计算奖励。", false, "staking")

	x := s.signIn(t, expert, "zh-Hans")
	p := x.get(t, "/dashboard")
	if p.text("#reads-month") != "0" || p.text("#no-reads") != "还没有会员阅读。" {
		t.Fatalf("no reads (zh): %q, %q", p.text("#reads-month"), p.text("#no-reads"))
	}
	m := s.signIn(t, member, "en")
	for range 2 {
		want(t, m.get(t, qa.AnswerPath(a.ID)), 200, "member reads")
	}
	want(t, x.get(t, qa.AnswerPath(a.ID)), 200, "expert reads")
	want(t, s.browser("en").get(t, qa.AnswerPath(a.ID)), 200, "visitor sees the teaser")

	x = s.signIn(t, expert, "en")
	p = x.get(t, "/dashboard")
	if p.text("#reads-month") != "1" {
		t.Errorf("reads this month = %q, want 1", p.text("#reads-month"))
	}
	row := p.doc.Find("table.most-read tbody tr")
	if row.Length() != 1 || row.Find("a").Text() != "质押收益怎么算" || row.Find("td").Text() != "1" ||
		row.Find("a").AttrOr("href", "") != qa.AnswerPath(a.ID) || p.text("table.most-read caption") != "Most read in the last 30 days" {
		t.Errorf("most read: %q", row.Text())
	}
}
