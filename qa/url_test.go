package qa_test

import (
	"testing"

	"answerbook/qa"
)

func TestAnswerURL(t *testing.T) {
	if got := qa.AnswerPath(42); got != "/answers/42" {
		t.Errorf("AnswerPath(42) = %q", got)
	}
	for _, c := range []struct{ base, want string }{
		{"https://answers.example.com", "https://answers.example.com/answers/7"},
		{"https://answers.example.com/", "https://answers.example.com/answers/7"},
		{"https://example.com/qa", "https://example.com/qa/answers/7"},
		{"", "/answers/7"},
	} {
		if got := qa.AnswerURL(c.base, 7); got != c.want {
			t.Errorf("AnswerURL(%q, 7) = %q, want %q", c.base, got, c.want)
		}
	}
}
