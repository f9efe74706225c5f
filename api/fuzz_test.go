package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// FuzzDecode feeds arbitrary bodies to the JSON request decoder of every
// write route: it never panics, and it either decodes or fails with
// invalid/too_large.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"title":"如何准备面试","body":"**hi**","tags":["面试"],"anonymous":true}`,
		`{"body":"x","tags":null,"public":true,"published":false}`,
		`{"reason":"不在范围内"}`, `{"answer_id":12}`, `{"label":"l","scope":"write"}`,
		`{"url":"https://x","events":["answer.published"]}`,
		``, `{`, `[]`, `null`, `{"title":5}`, `{"a":1}{"b":2}`, "{\"title\":\"\xff\"}", `{"tags":[1,2]}`,
		`{"title":"` + string(bytes.Repeat([]byte("x"), 100)) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	gin.SetMode(gin.ReleaseMode)
	targets := []func() any{
		func() any { return &questionRequest{} },
		func() any { return &answerRequest{} },
		func() any { return &struct{ Reason string }{} },
		func() any {
			return &struct {
				AnswerID int64 `json:"answer_id"`
			}{}
		},
		func() any {
			return &struct {
				URL    string   `json:"url"`
				Events []string `json:"events"`
			}{}
		},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, target := range targets {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodPost, "/api/v1/x", bytes.NewReader(body))
			c.Request.Body = http.MaxBytesReader(w, c.Request.Body, qa.MaxJSONBytes)
			err := decode(c, target())
			if err == nil {
				continue
			}
			if code := qa.ErrorCode(err); code != qa.EINVALID && code != qa.ETOOLARGE {
				t.Fatalf("decode(%q) = %v (code %s)", body, err, code)
			}
			if qa.ErrorMessage(err) == "" {
				t.Fatalf("decode(%q): an error without a message", body)
			}
		}
	})
}
