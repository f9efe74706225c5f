package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

// TestPages_RevisionDiffAndRestore: the editor's revision list links to a
// word diff of two revisions (Chinese by characters, English by words,
// text escaped), and restores an earlier revision in one click as a new
// revision that search finds; bad revision numbers are not found; in both
// languages.
func TestPages_RevisionDiffAndRestore(t *testing.T) {
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	member := s.person(t, "Ann", qa.RoleMember, nil)
	a := s.publish(t, "质押收益怎么算", "收益约为每年百分之五。\n\nPaid every epoch <b>x</b>.", false, "staking")
	body := "收益约为每年百分之七。\n\nPaid every epoch <b>x</b>, about five days."
	edited, err := s.store.UpdateAnswer(s.ctx, qa.System(), a.ID, qa.AnswerUpdate{
		Body: &body, Tags: &[]string{"staking", "cardano"},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.wait(t, edited.ChangeSeq)
	base := qa.AnswerPath(a.ID)

	x := s.signIn(t, expert, "zh-Hans")
	p := x.get(t, base+"/edit")
	want(t, p, 200, "editor")
	if href := p.doc.Find("#compare-revisions").AttrOr("href", ""); href != base+"/revisions" {
		t.Fatalf("compare link = %q", href)
	}
	if n := p.doc.Find(`form[action$="/restore"]`).Length(); n != 1 {
		t.Errorf("restore buttons on the editor = %d, want 1 (not on the newest)", n)
	}
	p = x.get(t, base+"/revisions")
	want(t, p, 200, "diff (zh)")
	if got := p.doc.Find("#diff-body del").Text() + "|" + p.doc.Find("#diff-body ins").Text(); got != "五|七, about five days" {
		t.Errorf("body diff del|ins = %q", got)
	}
	if !strings.Contains(p.body, "&lt;b&gt;x&lt;/b&gt;") || p.doc.Find("#diff-body b").Length() != 0 {
		t.Error("the diff does not escape the Markdown's HTML")
	}
	if got := p.doc.Find("#diff-tags ins").Text(); got != "cardano" {
		t.Errorf("tags added = %q", got)
	}
	if got := p.text("#restore"); got != "恢复第 1 版" {
		t.Errorf("restore button (zh) = %q", got)
	}
	first := p.doc.Find("#from option[selected]").AttrOr("value", "")
	second := p.doc.Find("#to option[selected]").AttrOr("value", "")
	if first == "" || first == second {
		t.Fatalf("selected revisions %q → %q", first, second)
	}
	p = x.get(t, base+"/revisions?from="+first+"&to="+first)
	if p.doc.Find("#same").Length() != 1 || p.doc.Find("#restore").Length() != 0 {
		t.Error("a revision compared with itself says so, with nothing to restore")
	}
	for _, bad := range []string{"?from=x", "?to=-1", "?from=999999", "?to=" + strings.Repeat("9", 30)} {
		want(t, x.get(t, base+"/revisions"+bad), 404, "revisions"+bad)
	}
	want(t, x.get(t, "/answers/999999/revisions"), 404, "missing answer")
	m := s.signIn(t, member, "en")
	want(t, m.get(t, base+"/revisions"), 403, "member compares")
	_, mp := m.post(t, base+"/revisions/"+first+"/restore", nil)
	want(t, mp, 403, "member restores")

	en := s.signIn(t, expert, "en")
	p = en.get(t, base+"/revisions")
	if got := p.text("#restore"); got != "Restore No. 1" {
		t.Errorf("restore button (en) = %q", got)
	}
	if p := en.get(t, "/search?q=days"); !strings.Contains(p.body, fmt.Sprintf(`href="%s"`, base)) {
		t.Fatal("search does not find the edited text before the restore")
	}
	res, p := en.post(t, base+"/revisions/"+first+"/restore", nil)
	if res.Request.URL.Path != base || !strings.Contains(p.text(".flash"), "restored") {
		t.Fatalf("after restore: %s, flash %q", res.Request.URL.Path, p.text(".flash"))
	}
	if !strings.Contains(p.text(".body"), "百分之五") || strings.Contains(p.text(".body"), "百分之七") {
		t.Errorf("the answer after restore: %q", p.text(".body"))
	}
	// Search holds the restored text (the index followed the change log).
	if p := en.get(t, "/search?q="+url.QueryEscape("days")); strings.Contains(p.body, fmt.Sprintf(`href="%s"`, base)) {
		t.Error("search still finds the replaced text")
	}
	revs, err := s.store.FindAnswerRevisions(s.ctx, qa.System(), a.ID)
	if err != nil || len(revs) != 3 {
		t.Fatalf("revisions after restore = %d, %v", len(revs), err)
	}
	_, p = en.post(t, fmt.Sprintf("%s/revisions/%d/restore", base, revs[0].ID+100), nil)
	want(t, p, 404, "restore a revision that is not the answer's")
}
