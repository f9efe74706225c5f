package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

// saveDraftJSON posts the editor's fields as the page's script does.
func saveDraftJSON(t *testing.T, b *browser, path string, form url.Values) (int, map[string]string) {
	t.Helper()
	req, err := newRequest(b, http.MethodPost, path, form.Encode())
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	p := b.do(t, req)
	var out map[string]string
	_ = json.Unmarshal([]byte(p.body), &out)
	return p.status(), out
}

// TestPages_EditorDrafts: the editors of a published answer and of a new
// FAQ entry save drafts on the server (by script, and by the button
// without one), bring them back on return, and drop them on publishing;
// in both languages.
func TestPages_EditorDrafts(t *testing.T) {
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	member := s.person(t, "Ann", qa.RoleMember, nil)
	a := s.publish(t, "质押多久到账", "两个周期。", false, "staking")
	base := qa.AnswerPath(a.ID)

	x := s.signIn(t, expert, "zh-Hans")
	p := x.get(t, base+"/edit")
	if got := p.doc.Find("form.editor").AttrOr("data-draft", ""); got != base+"/draft" {
		t.Fatalf("edit form data-draft = %q", got)
	}
	status, res := saveDraftJSON(t, x, base+"/draft", url.Values{"title": {"质押多久到账？"}, "body": {"两个周期，约十天。"}, "tags": {"staking, 奖励"}})
	if status != 200 || !strings.HasPrefix(res["message"], "草稿已于") {
		t.Fatalf("autosave: %d %v", status, res)
	}
	p = x.get(t, base+"/edit")
	if got := p.text("#body"); got != "两个周期，约十天。" {
		t.Errorf("the edit's draft is not back: %q", got)
	}
	if got := p.doc.Find("#tags").AttrOr("value", ""); got != "staking, 奖励" || p.text("#draft-status") == "" {
		t.Errorf("tags %q, status %q", got, p.text("#draft-status"))
	}
	// Saving the edit publishes it and drops the draft.
	_, p = x.post(t, base+"/edit", url.Values{"title": {"质押多久到账？"}, "body": {"两个周期，约十天。"}, "tags": {"staking"}, "published": {"on"}})
	if !strings.Contains(p.text(".body"), "约十天") {
		t.Fatalf("after saving: %q", p.text(".body"))
	}
	if p = x.get(t, base+"/edit"); p.text("#draft-status") != "" {
		t.Errorf("the draft outlived the edit: %q", p.text("#draft-status"))
	}

	// The FAQ editor, without JavaScript: the button saves and comes back.
	en := s.signIn(t, expert, "en")
	p = en.get(t, "/answers/new")
	if got := p.doc.Find("form.editor").AttrOr("data-draft", ""); got != "/answers/new/draft" {
		t.Fatalf("new form data-draft = %q", got)
	}
	if p.doc.Find("details[open] #question_body").Length() != 1 {
		t.Error("the FAQ editor hides the question")
	}
	r, p := en.post(t, "/answers/new/draft", url.Values{"title": {"How do I delegate ADA?"}, "question_body": {"Which wallet?"}, "body": {"Pick a pool."}, "public": {"on"}})
	if r.Request.URL.Path != "/answers/new" || p.text(".flash") != "Draft saved." {
		t.Fatalf("no-JS save landed on %s, flash %q", r.Request.URL.Path, p.text(".flash"))
	}
	if p.doc.Find("#title").AttrOr("value", "") != "How do I delegate ADA?" || p.text("#question_body") != "Which wallet?" ||
		p.text("#body") != "Pick a pool." || p.doc.Find("#public[checked]").Length() != 1 {
		t.Errorf("the FAQ draft is not back: %q %q", p.doc.Find("#title").AttrOr("value", ""), p.text("#body"))
	}
	// A suggested title (from the dashboard) does not replace the draft's.
	if p = en.get(t, "/answers/new?title=other"); p.doc.Find("#title").AttrOr("value", "") != "How do I delegate ADA?" {
		t.Errorf("?title= replaced the draft's title")
	}
	// Bad input: nothing kept, the error said; others may not save drafts.
	status, res = saveDraftJSON(t, en, "/answers/new/draft", url.Values{"body": {strings.Repeat("x", qa.MaxBodyLen+1)}})
	if status != 400 || res["error"] == "" {
		t.Errorf("long draft: %d %v", status, res)
	}
	status, _ = saveDraftJSON(t, en, "/answers/999999/draft", url.Values{"body": {"x"}})
	if status != 404 {
		t.Errorf("draft of a missing answer: %d", status)
	}
	m := s.signIn(t, member, "en")
	if status, _ = saveDraftJSON(t, m, "/answers/new/draft", url.Values{"body": {"x"}}); status != 403 {
		t.Errorf("member saves a draft: %d", status)
	}
	if p = en.get(t, "/answers/new"); p.text("#body") != "Pick a pool." {
		t.Errorf("a refused save changed the draft: %q", p.text("#body"))
	}
	// Publishing the entry drops the draft.
	r, _ = en.post(t, "/answers/new", url.Values{"title": {"How do I delegate ADA?"}, "body": {"Pick a pool."}, "action": {"publish"}})
	if !strings.HasPrefix(r.Request.URL.Path, "/answers/") || r.Request.URL.Path == "/answers/new" {
		t.Fatalf("publish landed on %s", r.Request.URL.Path)
	}
	if p = en.get(t, "/answers/new"); p.text("#body") != "" || p.doc.Find("#title").AttrOr("value", "") != "" {
		t.Errorf("the FAQ draft outlived the publish: %q", p.text("#body"))
	}
}
