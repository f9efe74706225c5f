package web_test

import (
	"net/url"
	"testing"

	"answerbook/qa"
)

// TestPages_RenewFromAskGate: the lapsed member meets the ask form's gate,
// renews right there and is back on the ask form, able to ask.
func TestPages_RenewFromAskGate(t *testing.T) {
	f := newFixture(t)
	code, _, err := f.store.CreateMembershipCode(f.ctx, qa.Actor{Member: f.expert, Scope: qa.ScopeWrite}, qa.CodeCreate{Label: "renew", Days: 30, MaxUses: 1})
	if err != nil {
		t.Fatal(err)
	}
	l := f.signIn(t, f.lapsed, "zh-Hans")
	gate := l.get(t, "/ask")
	if gate.doc.Find(`.gate form[action="/account/renew"] input[name=code]`).Length() != 1 || gate.doc.Find(`form[action="/ask"]`).Length() != 0 {
		t.Fatalf("the gate has no renew field: %s", gate.text("main"))
	}
	if gate.doc.Find(".wrap > .notice.banner").Length() != 1 {
		t.Error("the expired banner is not inside the page's column")
	}
	res, p := l.post(t, "/account/renew", url.Values{"code": {code}, "next": {"/ask"}})
	if res.Request.URL.Path != "/ask" || p.text(".flash") == "" || p.doc.Find(`form[action="/ask"]`).Length() != 1 {
		t.Fatalf("renewed from the gate, landed on %s: %s", res.Request.URL, p.text("main"))
	}
}
