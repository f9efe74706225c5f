package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

// TestPages_TimeZone: signing in takes the browser's zone (the form's
// script fills a hidden field) as the member's default; the account page
// changes it; times on the pages are then in that zone, not UTC.
func TestPages_TimeZone(t *testing.T) {
	f := newFixture(t)
	b := f.browser("zh-Hans")
	res, _ := b.post(t, "/login", url.Values{"email": {f.expert.Email}, "password": {password}, "tz": {"Asia/Shanghai"}})
	if res.Request.URL.Path != "/" {
		t.Fatalf("sign in landed on %s", res.Request.URL)
	}
	acc := b.get(t, "/account")
	if v := acc.doc.Find("#time_zone").AttrOr("value", ""); v != "Asia/Shanghai" {
		t.Fatalf("the browser's zone is the default: %q", v)
	}
	if intro := acc.text("#time-zone .hint"); !strings.Contains(intro, "(Asia/Shanghai)") || strings.Contains(intro, "UTC") {
		t.Errorf("account page time: %q", intro)
	}
	if acc.doc.Find(`script[src^="/static/timezone"]`).Length() != 1 {
		t.Error("the account page does not load the time zone script")
	}

	// The expert's draft is saved "at" a time in their zone.
	q, err := f.store.CreateQuestion(f.ctx, qa.Actor{Member: f.member, Scope: qa.ScopeWrite}, qa.QuestionCreate{Title: "时区问题"})
	if err != nil {
		t.Fatal(err)
	}
	_, p := b.post(t, fmt.Sprintf("/queue/%d/draft", q.ID), url.Values{"title": {q.Title}, "body": {"草稿"}})
	if s := p.text("#draft-status"); !strings.Contains(s, "(Asia/Shanghai)") || strings.Contains(s, "UTC") {
		t.Errorf("draft saved at: %q", s)
	}

	// A second sign-in with another browser zone keeps the chosen one.
	b2 := f.browser("en")
	b2.post(t, "/login", url.Values{"email": {f.expert.Email}, "password": {password}, "tz": {"Europe/Berlin"}})
	if v := b2.get(t, "/account").doc.Find("#time_zone").AttrOr("value", ""); v != "Asia/Shanghai" {
		t.Fatalf("a later sign-in replaced the zone: %q", v)
	}

	// The member changes it, and a wrong name is refused beside the form.
	_, bad := b2.post(t, "/account/time-zone", url.Values{"time_zone": {"Mars/Olympus"}})
	want(t, bad, 400, "unknown zone")
	if e := bad.text("#time-zone .error"); !strings.Contains(e, "Mars/Olympus") {
		t.Fatalf("error: %q", e)
	}
	res, ok := b2.post(t, "/account/time-zone", url.Values{"time_zone": {"America/New_York"}})
	if res.Request.URL.Path != "/account" || ok.text(".flash") != "Time zone saved." || ok.doc.Find("#time_zone").AttrOr("value", "") != "America/New_York" {
		t.Fatalf("save: %s %q", res.Request.URL, ok.text(".flash"))
	}
	// Empty goes back to UTC.
	_, ok = b2.post(t, "/account/time-zone", url.Values{"time_zone": {""}})
	if intro := ok.text("#time-zone .hint"); !strings.Contains(intro, "UTC") {
		t.Errorf("back to UTC: %q", intro)
	}

	// A member who never signed in with a zone reads UTC; a bad hidden
	// field is ignored.
	m := f.browser("en")
	m.post(t, "/login", url.Values{"email": {f.member.Email}, "password": {password}, "tz": {"../../etc/passwd"}})
	if v := m.get(t, "/account").doc.Find("#time_zone").AttrOr("value", "x"); v != "" {
		t.Fatalf("a bad zone was kept: %q", v)
	}
}
