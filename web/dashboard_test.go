package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

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
	if p.text("#pending-count") != "0" || p.text("#no-searches") != "No search has come up empty, or with only weak matches, yet." ||
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

// TestPages_DashboardWeakSearches: on a real index with Chinese and English
// answers, a member's search that found only weak matches is listed under
// "what to write next" marked "only weak matches" (只有弱匹配), apart from
// one that found nothing (没有结果); a close match is not listed; both marks
// in both languages, and the "then asked" mark beside them.
func TestPages_DashboardWeakSearches(t *testing.T) {
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	member := s.person(t, "李雷", qa.RoleMember, nil)
	s.publish(t, "How are staking rewards calculated?", "Rewards are paid per epoch, in proportion to the stake delegated.", true, "staking")
	s.publish(t, "质押收益怎么计算？", "每个周期按委托的质押数量分配收益。", false, "staking")
	s.publish(t, "验证者被罚没后会怎样？", "验证者会被移出，部分质押被销毁。", false)

	m := s.signIn(t, member, "zh-Hans")
	for _, q := range []string{"staking rewards", "质押收益", "质押 保险", "质押 保险", "staking insurance", "quantum entanglement"} {
		p := m.get(t, "/search?q="+url.QueryEscape(q))
		want(t, p, 200, "search "+q)
	}
	if _, err := s.store.CreateQuestion(s.ctx, qa.Actor{Member: member, Scope: qa.ScopeWrite}, qa.QuestionCreate{Title: "staking insurance 值得买吗？", Body: "细节"}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct{ lang, nothing, weak, asked string }{
		{"zh-Hans", "没有结果", "只有弱匹配", "随后有人提问"},
		{"en", "nothing found", "only weak matches", "then asked"},
	} {
		p := s.signIn(t, expert, tc.lang).get(t, "/dashboard")
		want(t, p, 200, "dashboard "+tc.lang)
		rows := map[string]string{} // the row's heading: text and marks
		found := map[string]string{}
		times := map[string]string{}
		p.doc.Find("table.searches tbody tr").Each(func(_ int, r *goquery.Selection) {
			text := strings.TrimSpace(r.Find("th a").Text())
			rows[text] = strings.Join(strings.Fields(r.Find("th").Text()), " ")
			found[text], _ = r.Attr("data-found")
			times[text] = strings.TrimSpace(r.Find("td").First().Text())
		})
		if len(rows) != 3 || rows["staking rewards"] != "" || rows["质押收益"] != "" {
			t.Fatalf("%s: rows %q, want the weak and the empty searches only", tc.lang, rows)
		}
		for text, w := range map[string]struct{ found, mark string }{
			"质押 保险":                {"weak", tc.weak},
			"staking insurance":    {"weak", tc.weak},
			"quantum entanglement": {"nothing", tc.nothing},
		} {
			if found[text] != w.found || !strings.Contains(rows[text], w.mark) {
				t.Errorf("%s: %q row %q (found %q), want %q marked %q", tc.lang, text, rows[text], found[text], w.found, w.mark)
			}
		}
		if strings.Contains(rows["quantum entanglement"], tc.weak) || strings.Contains(rows["质押 保险"], tc.nothing) {
			t.Errorf("%s: marks mixed up: %q", tc.lang, rows)
		}
		if times["质押 保险"] != "2" || times["staking insurance"] != "1" {
			t.Errorf("%s: times %q, want 质押 保险 twice", tc.lang, times)
		}
		if !strings.Contains(rows["staking insurance"], tc.asked) || strings.Contains(rows["质押 保险"], tc.asked) {
			t.Errorf("%s: then asked: %q", tc.lang, rows)
		}
	}
}
