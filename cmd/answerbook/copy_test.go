package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"answerbook/internal/imagetest"
	"answerbook/internal/pgtest"
	"answerbook/qa"
)

// TestCopy: "answerbook copy" moves a whole site — members with their
// passwords, tokens, sessions, webhooks, codes, drafts, revisions,
// unpublished and member-only answers, declined questions — from SQLite to
// Postgres and back, every count checked; the copies export the same
// archive; the copy works (sign-in with the old password, new ids follow
// the copied ones); a non-empty target is refused.
func TestCopy(t *testing.T) {
	pg := pgtest.Schema(t)
	ctx := context.Background()
	dir := t.TempDir()
	s, err := qa.Open(ctx, qa.Config{DataDir: dir, QuestionQuota: -1})
	if err != nil {
		t.Fatal(err)
	}
	x, err := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "x@example.com", Name: "专家", Role: qa.RoleExpert, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "m@example.com", Name: "Member 会员", Password: "another good password"})
	if err != nil {
		t.Fatal(err)
	}
	ex, mem := qa.Actor{Member: x, Scope: qa.ScopeWrite}, qa.Actor{Member: m, Scope: qa.ScopeWrite}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	q1, err := s.CreateQuestion(ctx, mem, qa.QuestionCreate{Title: "质押奖励怎么计算？", Body: "How are staking rewards calculated?", Tags: []string{"staking"}})
	must(q1, err)
	a1, err := s.AnswerQuestion(ctx, ex, q1.ID, qa.AnswerCreate{Body: "每个 epoch 结算。", Public: true})
	must(a1, err)
	// An image (its bytes in the database) that the answer shows.
	photo := imagetest.JPEGOfSize(1 << 20)
	img, err := s.SaveImage(ctx, ex, photo)
	must(img, err)
	body := "每个 epoch 结算，按质押比例。\n\n![](" + img.URL() + ")"
	must(s.UpdateAnswer(ctx, ex, a1.ID, qa.AnswerUpdate{Body: &body}))
	q2, err := s.CreateQuestion(ctx, mem, qa.QuestionCreate{Title: "Off topic", Anonymous: true})
	must(q2, err)
	must(s.DeclineQuestion(ctx, ex, q2.ID, "不在范围内"))
	q3, err := s.CreateQuestion(ctx, mem, qa.QuestionCreate{Title: "草稿中的问题"})
	must(q3, err)
	must(s.SaveDraft(ctx, ex, q3.ID, qa.DraftSave{Body: "写了一半"}))
	title, off := "Members-only FAQ", false
	a2, err := s.CreateAnswer(ctx, ex, qa.AnswerCreate{Title: &title, Body: "secret"})
	must(a2, err)
	must(s.UpdateAnswer(ctx, ex, a2.ID, qa.AnswerUpdate{Published: &off}))
	_, _, err = s.CreateToken(ctx, ex, x.ID, qa.TokenCreate{Label: "ci", Scope: qa.ScopeWrite})
	must(nil, err)
	must(s.CreateSession(ctx, m.ID))
	must(s.CreateWebhook(ctx, ex, qa.WebhookCreate{URL: "https://hooks.example.com/in"}))
	_, _, err = s.CreateMembershipCode(ctx, ex, qa.CodeCreate{Label: "春季", Days: 30, MaxUses: 5})
	must(nil, err)
	s.Close()

	code, out, e := cli(t, "", "copy", "--data", dir, "--to", pg)
	if code != 0 || !strings.Contains(e, "every count checked") || strings.Contains(out, "DIFFERS") {
		t.Fatalf("copy to postgres: %d\n%s\n%s", code, out, e)
	}
	for _, table := range []string{"members", "api_tokens", "sessions", "webhooks", "membership_codes", "answer_drafts", "answer_revisions", "answers", "questions", "images", "image_refs"} {
		if !regexpLine(out, table) {
			t.Errorf("no count for %s in:\n%s", table, out)
		}
	}
	// Again into the same target: refused, nothing changed.
	if code, _, e := cli(t, "", "copy", "--data", dir, "--to", pg); code == 0 || !strings.Contains(e, "not empty") {
		t.Fatalf("a second copy into the same database: %d %s", code, e)
	}
	back := filepath.Join(t.TempDir(), "back.db")
	if code, out, e := cli(t, "", "copy", "--from", pg, "--to", back); code != 0 || strings.Contains(out, "DIFFERS") {
		t.Fatalf("copy back to sqlite: %d\n%s\n%s", code, out, e)
	}
	exports := map[string]string{}
	for name, args := range map[string][]string{"sqlite": {"--data", dir}, "postgres": {"--db", pg}, "back": {"--db", back}} {
		f := filepath.Join(t.TempDir(), name+".jsonl")
		if code, _, e := cli(t, "", append(append([]string{"export"}, args...), "--out", f)...); code != 0 {
			t.Fatalf("export %s: %s", name, e)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		exports[name] = string(b)
	}
	if exports["sqlite"] != exports["postgres"] || exports["sqlite"] != exports["back"] || exports["sqlite"] == "" {
		t.Fatalf("the copies export different archives:\nsqlite:\n%s\npostgres:\n%s\nback:\n%s", exports["sqlite"], exports["postgres"], exports["back"])
	}
	// The copy works: the member signs in with the old password, and a new
	// member gets an id after the copied ones.
	for _, dsn := range []string{pg, back} {
		c, err := qa.Open(ctx, qa.Config{DSN: dsn})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.SignIn(ctx, "m@example.com", "another good password", "127.0.0.1"); err != nil {
			t.Errorf("%s: sign-in after the copy: %v", c.Dialect(), err)
		}
		if got, err := c.FindImage(ctx, qa.Visitor(), img.SHA256); err != nil || !bytes.Equal(got.Data, photo) || !got.Public {
			t.Errorf("%s: the image after the copy: %v", c.Dialect(), err)
		}
		n, err := c.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "new@example.com", Name: "新人"})
		if err != nil || n.ID <= m.ID {
			t.Errorf("%s: a new member after the copy: %+v %v", c.Dialect(), n, err)
		}
		c.Close()
	}
}

// regexpLine reports whether out has a count line for table.
func regexpLine(out, table string) bool {
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) == 4 && f[0] == table && f[1] == f[2] && f[3] == "ok" {
			return true
		}
	}
	return false
}
