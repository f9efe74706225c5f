package web_test

import (
	"strings"
	"testing"

	"answerbook/qa"
)

// TestPages_QueueExcerptShape: a question's table and list do not turn
// into pipes and dashes, or run together, in the queue's excerpt.
func TestPages_QueueExcerptShape(t *testing.T) {
	f := newFixture(t)
	me := qa.Actor{Member: f.member, Scope: qa.ScopeWrite}
	body := "My numbers:\n\n| epoch | blocks |\n|---|---|\n| 1 | 21600 |\n\n- first\n- second"
	if _, err := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "A question with a table", Body: body}); err != nil {
		t.Fatal(err)
	}
	x := f.signIn(t, f.expert, "en")
	got := x.get(t, "/queue").text("ol.queue .excerpt")
	if got != "My numbers: (table) first · second" || strings.Contains(got, "|") {
		t.Fatalf("queue excerpt %q", got)
	}
}
