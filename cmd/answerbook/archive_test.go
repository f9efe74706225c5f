package main

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"answerbook/qa"
)

// TestExportImportRoundTrip: export → import into an empty data directory →
// export gives the same archive, line for line.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := t.TempDir()
	s, err := qa.Open(ctx, qa.Config{DataDir: a})
	if err != nil {
		t.Fatal(err)
	}
	x, _ := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "x@example.com", Name: "Expert", Role: qa.RoleExpert})
	m, _ := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "m@example.com", Name: "李雷"})
	ex, mem := qa.Actor{Member: x, Scope: qa.ScopeWrite}, qa.Actor{Member: m, Scope: qa.ScopeWrite}
	ask := func(title string, tags ...string) *qa.Question {
		q, err := s.CreateQuestion(ctx, mem, qa.QuestionCreate{Title: title, Body: "正文 **body** of " + title, Tags: tags, Anonymous: strings.Contains(title, "匿名")})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	answered := ask("如何准备面试？", "面试")
	orig, err := s.AnswerQuestion(ctx, ex, answered.ID, qa.AnswerCreate{Body: "## 步骤\n\n| a | b |\n|---|---|\n| 1 | 2 |", Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeclineQuestion(ctx, ex, ask("Off-topic question").ID, "不在范围内 — out of scope"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkDuplicate(ctx, ex, ask("面试怎么准备（重复）").ID, orig.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WithdrawQuestion(ctx, mem, ask("匿名 withdrawn").ID); err != nil {
		t.Fatal(err)
	}
	ask("Still pending", "career")
	title := "FAQ: 会员如何续费？"
	if _, err := s.CreateAnswer(ctx, ex, qa.AnswerCreate{Title: &title, Body: "在账户页续费。", Tags: []string{"faq"}}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	first := filepath.Join(t.TempDir(), "first.jsonl")
	if code, _, e := cli(t, "", "export", "--data", a, "--out", first); code != 0 {
		t.Fatalf("export: %s", e)
	}
	b := t.TempDir()
	if code, _, e := cli(t, "", "import", "--data", b, first); code != 0 || !strings.Contains(e, "0 failed") {
		t.Fatalf("import: %d %s", code, e)
	}
	second := filepath.Join(t.TempDir(), "second.jsonl")
	if code, _, e := cli(t, "", "export", "--data", b, "--out", second); code != 0 {
		t.Fatalf("export again: %s", e)
	}
	l1, l2 := lines(t, first), lines(t, second)
	if strings.Join(l1, "\n") != strings.Join(l2, "\n") {
		t.Fatalf("the round trip changed the archive:\nfirst:\n%s\nsecond:\n%s", strings.Join(l1, "\n"), strings.Join(l2, "\n"))
	}
	if len(l1) != 8 {
		t.Fatalf("export has %d lines, want 6 questions and 2 answers", len(l1))
	}
	// Importing the export again changes nothing.
	if code, _, e := cli(t, "", "import", "--data", b, first); code != 0 || !strings.Contains(e, "imported 0 questions and 0 answers") {
		t.Fatalf("second import: %s", e)
	}
}

func lines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ls := strings.Split(strings.TrimSpace(string(b)), "\n")
	sort.Strings(ls)
	return ls
}

// TestImportCSV: a spreadsheet in the medical archive's shape imports with
// one command, is searchable, and importing it again adds nothing.
func TestImportCSV(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "qa.csv")
	csv := "department,title,ask,answer\n" +
		"心血管科,高血压患者能吃党参吗？,我有高血压，可以吃党参吗？,高血压病人可以适量服用党参。\n" +
		"心血管科,高血压患者能吃党参吗？,我有高血压，可以吃党参吗？,高血压病人可以适量服用党参。\n" + // a repeated row
		"Staking,How are staking rewards calculated?,,Rewards are paid every epoch in proportion to stake.\n" +
		"儿科,小孩发烧怎么办？,三岁，38.5 度,\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, e := cli(t, "", "import", "--data", dir, "--map", "title=title,body=ask,answer=answer,tags=department", file)
	if code != 0 || !strings.Contains(e, "imported 3 questions and 2 answers") || !strings.Contains(e, "0 failed") {
		t.Fatalf("import: %d %s", code, e)
	}
	code, _, e = cli(t, "", "import", "--data", dir, "--format", "csv", "--map", "title=title,body=ask,answer=answer,tags=department", file)
	if code != 0 || !strings.Contains(e, "imported 0 questions and 0 answers") {
		t.Fatalf("second import: %d %s", code, e)
	}
	s, err := qa.Open(context.Background(), qa.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := s.CountPublishedAnswers(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("answers in the archive: %d, %v", n, err)
	}
	for _, bad := range [][]string{
		{"--map", "titel=title"},                       // unknown field
		{"--map", "title=headline", "--format", "csv"}, // no such column
	} {
		args := append([]string{"import", "--data", dir}, bad...)
		if code, _, e := cli(t, "", append(args, file)...); code == 0 || e == "" {
			t.Errorf("import %v: exit %d, %q", bad, code, e)
		}
	}
}
