// Package pgtest gives tests a Postgres schema of their own on the
// database named by ANSWERBOOK_TEST_POSTGRES, and says whether the whole
// suite runs on Postgres (ANSWERBOOK_TEST_STORE=postgres, make
// test-postgres): then every test that opens a store through the project's
// helpers (internal/servertest, the search package's) keeps it in Postgres
// rather than in a SQLite file. It imports nothing of the project, so any
// package's tests may use it.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, to make and drop schemas
)

// Env names the environment variable that holds the DSN of the Postgres
// database tests may use (.ci/run sets it).
const Env = "ANSWERBOOK_TEST_POSTGRES"

// StoreEnv names the environment variable that, set to "postgres", puts
// every test store in Postgres.
const StoreEnv = "ANSWERBOOK_TEST_STORE"

// All reports whether the whole suite runs on Postgres. It fails the test
// when StoreEnv asks for Postgres and Env names none.
func All(t testing.TB) bool {
	t.Helper()
	if os.Getenv(StoreEnv) != "postgres" {
		return false
	}
	if os.Getenv(Env) == "" {
		t.Fatalf("%s=postgres but %s is not set", StoreEnv, Env)
	}
	return true
}

// Schema returns the DSN of a fresh Postgres schema of the test's own,
// dropped when the test ends; it skips the test when Env is not set, and
// fails it in CI, where Postgres must be there.
func Schema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI runs the Postgres suite", Env)
		}
		t.Skipf("%s is not set: no Postgres to run on", Env)
	}
	schema := "abtest_" + strings.ToLower(rand.Text()[:12])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("connect to postgres: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}
