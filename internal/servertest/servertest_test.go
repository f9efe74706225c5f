package servertest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"answerbook/internal/pgtest"
	"answerbook/internal/servertest"
	"answerbook/qa"
)

// TestStart: the site serves the whole router (API, pages, health) on a
// real port, with the router's middleware, on SQLite; inside OnPostgres, or
// with the whole suite on Postgres (pgtest.All), on Postgres.
func TestStart(t *testing.T) {
	check := func(t *testing.T, dialect string) {
		s := servertest.Start(t, servertest.Options{})
		if got := s.Store.Dialect(); got != dialect {
			t.Fatalf("store on %s, want %s", got, dialect)
		}
		for path, want := range map[string]string{"/healthz": "ok", "/api/v1/nothing": `"not_found"`, "/login": "<!doctype html>"} {
			res, err := s.Client().Get(s.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(b), want) || res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("GET %s: %d %q", path, res.StatusCode, b)
			}
		}
		res, err := s.Client().Post(s.URL+"/api/v1/questions", "application/json", strings.NewReader(strings.Repeat(" ", qa.MaxJSONBytes+1)))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("a body over the limit: %d", res.StatusCode)
		}
	}
	t.Run("SQLite", func(t *testing.T) {
		if pgtest.All(t) {
			check(t, qa.DialectPostgres) // the whole suite is on Postgres
			return
		}
		check(t, qa.DialectSQLite)
	})
	t.Run("Postgres", func(t *testing.T) {
		servertest.OnPostgres(t, func(t *testing.T) { check(t, qa.DialectPostgres) })
	})
}
