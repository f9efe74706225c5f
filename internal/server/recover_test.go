package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestRecover: a handler's panic becomes a 500 in the API's error shape with
// the internal error's key text, never the panic's value; the log has it.
func TestRecover(t *testing.T) {
	var log strings.Builder
	rt, err := New(Config{Logger: newTextLogger(&log)})
	if err != nil {
		t.Fatal(err)
	}
	rt.engine.GET("/boom", func(*gin.Context) { panic("secret detail") })
	for _, path := range []string{"/boom", "/boom?page=1"} {
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != http.StatusInternalServerError ||
			e.Error.Code != "internal" || e.Error.Message != "internal error" || strings.Contains(w.Body.String(), "secret") {
			t.Fatalf("%s: %d %q", path, w.Code, w.Body)
		}
	}
	if !strings.Contains(log.String(), "secret detail") {
		t.Fatalf("the log lacks the panic:\n%s", log.String())
	}
}

func newTextLogger(w *strings.Builder) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
