package qa_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

// TestBodyLimits: the largest valid write of each kind of body, with every
// character in its longest encoding, fits under that kind's limit, so a
// limit never refuses what validation would accept.
func TestBodyLimits(t *testing.T) {
	const emoji = "😀" // four UTF-8 bytes, a surrogate pair in JSON
	body := strings.Repeat(emoji, qa.MaxBodyLen)
	title := strings.Repeat(emoji, qa.MaxTitleLen)
	tags := make([]string, qa.MaxTags)
	for i := range tags {
		tags[i] = strings.Repeat("é", qa.MaxTagLen)
	}

	t.Run("Form", func(t *testing.T) {
		// The new-answer editor: an answer and its question, title, tags.
		form := url.Values{"title": {title}, "question_body": {body}, "body": {body}, "tags": {strings.Join(tags, ", ")},
			"public": {"on"}, "token": {strings.Repeat("x", 64)}}.Encode()
		if len(form) > qa.MaxFormBytes {
			t.Fatalf("the largest editor form is %d bytes, over qa.MaxFormBytes (%d)", len(form), qa.MaxFormBytes)
		}
	})
	t.Run("JSON", func(t *testing.T) {
		raw, err := json.Marshal(map[string]any{"title": title, "body": body, "tags": tags})
		if err != nil {
			t.Fatal(err)
		}
		// A client may escape every character as \uXXXX: three times the
		// bytes encoding/json wrote for these (12 for 😀's 4, 6 for é's 2).
		n := len(raw) + 2*(len(body)+len(title)+len(strings.Join(tags, "")))
		if n > qa.MaxJSONBytes {
			t.Fatalf("the largest question or answer is %d bytes of JSON, over qa.MaxJSONBytes (%d)", n, qa.MaxJSONBytes)
		}
	})
}
