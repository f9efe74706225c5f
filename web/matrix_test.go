package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

// TestPages_Matrix opens every page as every kind of reader, in both
// languages: the status (or the sign-in page for visitors), the language
// of the interface, and whether member-only text shows.
func TestPages_Matrix(t *testing.T) {
	f := newFixture(t)
	me := qa.Actor{Member: f.member, Scope: qa.ScopeWrite}
	q, err := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "矩阵测试的问题", Tags: []string{"面试"}})
	if err != nil {
		t.Fatal(err)
	}
	const (
		ok     = 200
		login  = -1 // sent to the sign-in page
		denied = 403
	)
	type expect struct{ visitor, member, lapsed, expert int }
	all := expect{ok, ok, ok, ok}
	signedIn := expect{login, ok, ok, ok}
	expertOnly := expect{login, denied, denied, ok}
	pages := []struct {
		path string
		want expect
		// secret is true when the page shows member-only text to those
		// who may read it.
		secret bool
	}{
		{"/", all, false},
		{"/search?q=" + url.QueryEscape("面试"), all, false},
		{"/search?sort=newest", all, true},
		{"/search", all, false},
		{"/tags", all, false},
		{"/tags/" + url.PathEscape("面试"), all, false},
		{fmt.Sprintf("/answers/%d", f.pub.ID), all, false},
		{fmt.Sprintf("/answers/%d", f.priv.ID), all, true},
		{fmt.Sprintf("/answers/%d/edit", f.priv.ID), expertOnly, true},
		{"/answers/new", expertOnly, false},
		{"/ask", signedIn, false},
		{"/my/questions", signedIn, false},
		{"/account", signedIn, false},
		{"/queue", expertOnly, false},
		{fmt.Sprintf("/queue/%d", q.ID), expertOnly, false},
		{"/queue/reasons", expertOnly, false},
		{"/members", expertOnly, false},
		{"/webhooks", expertOnly, false},
		{"/codes", expertOnly, false},
		{"/join", all, false},
		{"/login", all, false},
		{"/password/forgot", all, false},
		{"/password/reset?t=not-a-link", expect{400, 400, 400, 400}, false},
		{"/confirm?t=not-a-link", expect{400, 400, 400, 400}, false},
		{"/setup?token=not-a-token", expect{401, 401, 401, 401}, false},
		{"/nowhere", expect{404, 404, 404, 404}, false},
		{"/answers/424242", expect{404, 404, 404, 404}, false},
	}
	for _, lang := range []struct{ accept, code, search string }{{"en-US", "en", "Search"}, {"zh-CN", "zh-Hans", "搜索"}} {
		readers := []struct {
			name  string
			b     *browser
			pick  func(expect) int
			reads bool
		}{
			{"visitor", f.browser(lang.accept), func(e expect) int { return e.visitor }, false},
			{"member", f.signIn(t, f.member, lang.accept), func(e expect) int { return e.member }, true},
			{"lapsed", f.signIn(t, f.lapsed, lang.accept), func(e expect) int { return e.lapsed }, false},
			{"expert", f.signIn(t, f.expert, lang.accept), func(e expect) int { return e.expert }, true},
		}
		for _, r := range readers {
			for _, pg := range pages {
				name := fmt.Sprintf("%s/%s %s", lang.code, r.name, pg.path)
				p := r.b.get(t, pg.path)
				want := r.pick(pg.want)
				if want == login {
					if p.status() != 200 || p.res.Request.URL.Path != "/login" {
						t.Errorf("%s: %d at %s, want the sign-in page", name, p.status(), p.res.Request.URL.Path)
					}
				} else if p.status() != want {
					t.Errorf("%s: status %d, want %d", name, p.status(), want)
				}
				if got := p.doc.Find("html").AttrOr("lang", ""); got != lang.code {
					t.Errorf("%s: lang %q", name, got)
				}
				if got := p.text(`nav.main a[href="/search"]`); got != lang.search {
					t.Errorf("%s: nav says %q", name, got)
				}
				if strings.Contains(p.body, "SECRETBODY") != (pg.secret && r.reads && p.status() == 200) {
					t.Errorf("%s: member-only text shown: %v", name, strings.Contains(p.body, "SECRETBODY"))
				}
			}
		}
	}
}
