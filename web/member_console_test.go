package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"answerbook/qa"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// TestPages_MembersConsole: the expert finds members by name or e-mail and
// by standing, disables one (whose session stops at once) and enables them
// again, and opens a member's questions; in both languages.
func TestPages_MembersConsole(t *testing.T) {
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	soon := time.Now().AddDate(0, 0, 3)
	past := time.Now().AddDate(0, 0, -10)
	later := time.Now().AddDate(1, 0, 0)
	ann := s.person(t, "Ann Active", qa.RoleMember, &later)
	s.person(t, "Eve Ending", qa.RoleMember, &soon)
	s.person(t, "Olga Over", qa.RoleMember, &past)
	if _, err := s.store.CreateQuestion(s.ctx, qa.Actor{Member: ann, Scope: qa.ScopeWrite}, qa.QuestionCreate{Title: "Ann asks about validator keys"}); err != nil {
		t.Fatal(err)
	}
	x := s.signIn(t, expert, "en")

	names := func(p *page) string {
		var out []string
		p.doc.Find("table.members tbody th").Each(func(_ int, r *goquery.Selection) { out = append(out, strings.Fields(r.Text())[0]) })
		return strings.Join(out, ",")
	}
	for _, tc := range []struct{ query, want string }{
		{"standing=expiring", "Eve"},
		{"standing=expired", "Olga"},
		{"standing=active", "Ann,张老师"},
		{"q=OLGA", "Olga"},
		{"q=ann&standing=expired", ""},
	} {
		p := x.get(t, "/members?"+tc.query)
		want(t, p, 200, tc.query)
		if got := names(p); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.query, got, tc.want)
		}
		if tc.want == "" && p.text("#no-members") != "No member matches." {
			t.Errorf("%s: no empty message", tc.query)
		}
	}
	p := x.get(t, "/members?standing=lapsed")
	want(t, p, 400, "bad standing")
	p = x.get(t, "/members?q="+strings.Repeat("x", 101))
	want(t, p, 400, "long search")

	// Disabling signs Ann out at once; the expert lands back on the list
	// as it was filtered.
	a := s.signIn(t, ann, "en")
	want(t, a.get(t, "/account"), 200, "ann signed in")
	back := "/members?standing=active"
	r, p := x.post(t, "/members/"+itoa(ann.ID)+"/disable", url.Values{"back": {back}})
	want(t, p, 200, "disable")
	if r.Request.URL.RequestURI() != back || !strings.Contains(p.text(".flash"), "Member disabled") || names(p) != "张老师" {
		t.Fatalf("after disabling: %s %q %q", r.Request.URL, p.text(".flash"), names(p))
	}
	if p := a.get(t, "/account"); p.res.Request.URL.Path != "/login" {
		t.Fatalf("a disabled member's session still works: %s", p.res.Request.URL)
	}
	zh := s.signIn(t, expert, "zh-Hans")
	p = zh.get(t, "/members?standing=disabled")
	if names(p) != "Ann" || !strings.Contains(p.text("table.members tbody"), "已停用") {
		t.Fatalf("disabled list: %q", p.text("table.members"))
	}
	// The expert cannot disable themself from the page: no button.
	if x.get(t, "/members").doc.Find(`form[action="/members/`+itoa(expert.ID)+`/disable"]`).Length() != 0 {
		t.Fatal("a disable button for the expert")
	}
	r, p = zh.post(t, "/members/"+itoa(ann.ID)+"/enable", url.Values{"back": {"https://evil.example/"}})
	if r.Request.URL.Path != "/members" || p.text(".flash") != "已重新启用该会员。" {
		t.Fatalf("after enabling: %s %q", r.Request.URL, p.text(".flash"))
	}

	// A member's questions, from the list's link.
	p = zh.get(t, "/members?q=ann")
	href, _ := p.doc.Find(`table.members a[href$="/questions"]`).Attr("href")
	p = zh.get(t, href)
	want(t, p, 200, "member questions")
	if p.text("h1") != "Ann Active 的提问" || !strings.Contains(p.text("main"), "Ann asks about validator keys") ||
		p.doc.Find(`a[href^="/queue/"]`).Length() != 1 || p.doc.Find(`form[action$="/withdraw"]`).Length() != 0 {
		t.Fatalf("member questions page: %q", p.text("main"))
	}
	want(t, zh.get(t, "/members/987654321/questions"), 404, "unknown member")
	m := s.signIn(t, ann, "en")
	want(t, m.get(t, "/members/"+itoa(ann.ID)+"/questions"), 403, "member")
}
