package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

// TestPages_Dashboard: the expert's dashboard in both languages, with zeros
// on an empty site; a member's search that found nothing appears under
// "what to write next" and can be cleared; the chart is an SVG image of its
// own; members may not see any of it.
func TestPages_Dashboard(t *testing.T) {
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	member := s.person(t, "李雷", qa.RoleMember, nil)
	x := s.signIn(t, expert, "en")

	p := x.get(t, "/dashboard")
	want(t, p, 200, "empty dashboard")
	if p.text("#pending-count") != "0" || p.text("#no-searches") != "No search has come up empty yet." ||
		p.doc.Find(`nav.main a[href="/dashboard"][aria-current="page"]`).Length() != 1 {
		t.Fatalf("empty dashboard: %q", p.text("main"))
	}
	if n := p.doc.Find("#weeks-h").Parent().Find("tbody tr").Length(); n != qa.DashboardWeeks {
		t.Fatalf("%d weeks in the table, want %d", n, qa.DashboardWeeks)
	}

	res, err := x.http.Get(s.URL + "/dashboard/chart.svg")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(string(body), "<svg") ||
		strings.Count(string(body), "<rect") != 2*qa.DashboardWeeks || strings.Contains(string(body), "<script") {
		t.Fatalf("chart: %d %q %.200s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}

	// A member asks, and searches twice for what the archive lacks.
	m := s.signIn(t, member, "zh-Hans")
	if _, err := s.store.CreateQuestion(s.ctx, qa.Actor{Member: member, Scope: qa.ScopeWrite}, qa.QuestionCreate{Title: "质押收益怎么计算？", Body: "细节"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"质押  保险", "质押 保险"} {
		want(t, m.get(t, "/search?q="+url.QueryEscape(q)), 200, "member search")
	}
	want(t, m.get(t, "/dashboard"), 403, "member dashboard")
	if res, err := m.http.Get(s.URL + "/dashboard/chart.svg"); err != nil || res.StatusCode != 403 {
		t.Fatalf("member chart: %v %v", res.StatusCode, err)
	}

	zh := s.signIn(t, expert, "zh-Hans")
	p = zh.get(t, "/dashboard")
	want(t, p, 200, "dashboard zh")
	if p.text("h1") != "概览" || p.text("#pending-count") != "1" {
		t.Fatalf("zh dashboard: %q", p.text("main"))
	}
	row := p.text("table.searches tbody tr")
	if !strings.Contains(row, "质押 保险") || !strings.Contains(row, "2") {
		t.Fatalf("unanswered searches row %q", row)
	}
	href, _ := p.doc.Find("table.searches tbody a").Attr("href")
	if u, err := url.Parse(href); err != nil || u.Path != "/answers/new" || u.Query().Get("title") != "质押 保险" {
		t.Fatalf("write-it link %q", href)
	}
	// The link starts an FAQ entry with the search as its title.
	p = zh.get(t, "/answers/new?title="+url.QueryEscape("质押 保险"))
	want(t, p, 200, "new entry")
	if v, _ := p.doc.Find(`input[name="title"]`).Attr("value"); v != "质押 保险" {
		t.Fatalf("title prefilled %q", v)
	}

	r, p := zh.post(t, "/dashboard/searches/clear", nil)
	want(t, p, 200, "clear")
	if r.Request.URL.Path != "/dashboard" || p.text(".flash") != "搜索日志已清空。" || p.text("#no-searches") == "" {
		t.Fatalf("after clearing: %s %q", r.Request.URL, p.text("main"))
	}
	if r, _ := m.post(t, "/dashboard/searches/clear", nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("member clears: %d", r.StatusCode)
	}
}
