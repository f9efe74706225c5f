package web_test

import (
	"net/url"
	"testing"
)

// TestPages_SetupLanguageKeepsForm: switching the language on the setup
// form keeps what was typed (but the passwords), and setup still works.
func TestPages_SetupLanguageKeepsForm(t *testing.T) {
	s := newSite(t)
	tok, err := s.store.NewSetupToken(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser("en")
	p := b.get(t, "/setup?token="+url.QueryEscape(tok))
	want(t, p, 200, "setup form")
	sw := p.doc.Find(`header button[form="setup-form"][name=lang]`)
	if sw.Length() != 1 || sw.AttrOr("formaction", "") != "/setup" {
		t.Fatal("the setup page's switcher does not send the form")
	}
	_, p = b.post(t, "/setup", url.Values{"token": {tok}, "email": {"owner@example.com"}, "name": {"张老师"}, "password": {"typed-secret"}, "lang": {"zh-Hans"}})
	want(t, p, 200, "switch language")
	if lang, _ := p.doc.Find("html").Attr("lang"); lang != "zh-Hans" {
		t.Fatalf("lang %q", lang)
	}
	if p.doc.Find("#email").AttrOr("value", "") != "owner@example.com" || p.doc.Find("#name").AttrOr("value", "") != "张老师" ||
		p.doc.Find("#password").AttrOr("value", "") != "" || p.doc.Find(`input[name=token]`).AttrOr("value", "") != tok {
		t.Fatalf("the form lost what was typed: %s", p.text("form"))
	}
	// The language stays for the next page.
	res, p := b.post(t, "/setup", url.Values{"token": {tok}, "email": {"owner@example.com"}, "name": {"张老师"}, "password": {"a long password"}, "password2": {"a long password"}})
	// On the dashboard, with the first steps.
	if res.Request.URL.Path != "/dashboard" || p.text("#checklist-h") != "开始的几步" {
		t.Fatalf("setup landed on %s: %s", res.Request.URL, p.text("main"))
	}
	if lang, _ := p.doc.Find("html").Attr("lang"); lang != "zh-Hans" {
		t.Fatalf("after setup lang %q", lang)
	}
	// A wrong token switches nothing.
	_, p = s.browser("en").post(t, "/setup", url.Values{"token": {"wrong"}, "lang": {"zh-Hans"}})
	if p.status() == 200 {
		t.Fatal("the switcher shows the setup form for a wrong token")
	}
}
