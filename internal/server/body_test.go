package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"answerbook/internal/servertest"
	"answerbook/qa"
)

// TestLimitBodies: a body over its kind's limit is refused with 413 before
// it is read: an API body in the API's error shape, a form with the error
// page in the reader's language; a body at the limit passes the middleware.
func TestLimitBodies(t *testing.T) {
	s := servertest.Start(t, servertest.Options{})
	// send writes only the request's headers and the first bytes of a body
	// of size bytes, then reads the response: what was refused unread.
	send := func(t *testing.T, path, contentType string, size int) (*http.Response, string) {
		t.Helper()
		conn, err := net.Dial("tcp", s.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nAccept-Language: zh-CN\r\nContent-Length: %d\r\n\r\nx",
			path, s.Listener.Addr(), contentType, size)
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}

	t.Run("API", func(t *testing.T) {
		res, body := send(t, "/api/v1/questions", "application/json", qa.MaxJSONBytes+1)
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || res.StatusCode != http.StatusRequestEntityTooLarge ||
			e.Error.Code != qa.ETOOLARGE || e.Error.Message != fmt.Sprintf("the request body is larger than %d bytes", qa.MaxJSONBytes) {
			t.Fatalf("%d %q", res.StatusCode, body)
		}
	})
	t.Run("Form", func(t *testing.T) {
		res, body := send(t, "/ask", "application/x-www-form-urlencoded", qa.MaxFormBytes+1)
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "提交的内容太大。") || !strings.Contains(res.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Fatalf("%d %s %q", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	})
	t.Run("AtTheLimit", func(t *testing.T) {
		// A form of exactly qa.MaxFormBytes reaches the page (which then
		// wants a signed-in member: 401 page, not 413).
		form := "title=" + strings.Repeat("x", qa.MaxFormBytes-len("title="))
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/ask", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusRequestEntityTooLarge {
			t.Fatalf("a form at the limit is refused: %d", res.StatusCode)
		}
	})
}
