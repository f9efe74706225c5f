package api_test

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"answerbook/internal/servertest"
)

// onPostgres are the API's tests that start a server; TestAPI_OnPostgres
// runs them again on Postgres. TestAPI_OnPostgresIsComplete keeps the list
// whole.
var onPostgres = []func(*testing.T){
	TestAPI_Walkthrough, TestAPI_BadInput, TestAPI_SessionCookie, TestAPI_ConcurrentAskers,
	TestAPI_HTTPCaching, TestAPI_IndexSnapshot, TestAPI_Embed, TestAPI_SignedEmbed, TestAPI_OEmbedHeight, TestAPI_OEmbed, TestAPI_CORS, TestAPI_Feeds, TestAPI_FeedImages, TestOpenAPI_Document,
	TestAPI_Search, TestAPI_Tokens, TestAPI_Withdraw, TestAPI_AskIdempotent, TestWebhooks_SignedDeliveryWithRetry, TestAPI_AnswerURLs,
	TestAPI_Notifications, TestWebhooks_OutcomeAndMemberEvents, TestAPI_Quota, TestAPI_Codes, TestAPI_Settings, TestAPI_Plans, TestAPI_Stats, TestAPI_StatsWeakSearches, TestAPI_TagCare, TestAPI_Images, TestAPI_SignedEmbedImages, TestAPI_HitMatch,
	TestPayments_Stripe, TestPayments_Off, TestPayments_CheckoutLimit, TestReferrals_CodeJoin,
	// security
	TestSecurity_UnpublishedAnswerNotPublicCache, TestSecurity_IfModifiedSinceAloneIgnoresViewer,
	TestWebhooks_StandardWebhooks, TestWebhooks_Redeliver, TestWebhooks_CleanStopHandsBackLeases, TestSecurity_ReadOnlyTokenNoWebhookSecrets, TestSecurity_WebhookSSRF,
}

// TestAPI_OnPostgres runs every API test that starts a server again with
// the server's store in a Postgres schema of its own, when
// ANSWERBOOK_TEST_POSTGRES names a database (.ci/run sets it); without it,
// it skips. The plain runs of the same tests use SQLite.
func TestAPI_OnPostgres(t *testing.T) {
	servertest.OnPostgres(t, onPostgres...)
}

// TestAPI_OnPostgresIsComplete: every test of the package that starts a
// server (calls newServer, directly or through a helper) is in onPostgres,
// so a new test cannot miss the Postgres run.
func TestAPI_OnPostgresIsComplete(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := gotoken.NewFileSet()
	calls := map[string]map[string]bool{} // package-level function → the names it uses
	var tests []string
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Body == nil {
				continue
			}
			used := map[string]bool{}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					used[id.Name] = true
				}
				return true
			})
			calls[fd.Name.Name] = used
			if strings.HasPrefix(fd.Name.Name, "Test") && fd.Name.Name != "TestAPI_OnPostgres" {
				tests = append(tests, fd.Name.Name)
			}
		}
	}
	starts := map[string]bool{"newServer": true}
	for changed := true; changed; {
		changed = false
		for fn, used := range calls {
			if starts[fn] {
				continue
			}
			for u := range used {
				if starts[u] {
					starts[fn], changed = true, true
					break
				}
			}
		}
	}
	var listed []string
	for _, fn := range onPostgres {
		name := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
		listed = append(listed, name[strings.LastIndex(name, ".")+1:])
	}
	for _, name := range tests {
		if starts[name] && !slices.Contains(listed, name) {
			t.Errorf("%s starts a server but is not in onPostgres (api/postgres_test.go): it would never run on Postgres", name)
		}
	}
}
