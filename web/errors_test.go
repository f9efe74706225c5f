package web

import (
	"context"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"answerbook/internal/pgtest"
	"answerbook/qa"
	"answerbook/qa/i18n"
)

// TestDomainMessages produces the errors a member or the expert meets, from
// qa itself, and checks that each carries a message key whose Chinese text
// is Chinese (qa/i18n's TestMessages checks every key of the table).
func TestDomainMessages(t *testing.T) {
	ctx := context.Background()
	cfg := qa.Config{DataDir: t.TempDir(), QuestionQuota: 1}
	if pgtest.All(t) {
		cfg.DSN = pgtest.Schema(t)
	}
	store, err := qa.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	as := func(m *qa.Member) qa.Actor { return qa.Actor{Member: m, Scope: qa.ScopeWrite} }
	expert, err := store.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "x@example.com", Name: "X", Role: qa.RoleExpert, Password: "expert password"})
	if err != nil {
		t.Fatal(err)
	}
	member, _ := store.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "m@example.com", Name: "M", Password: "member password"})
	past := time.Now().AddDate(0, 0, -5)
	lapsed, _ := store.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "l@example.com", Name: "L", ActiveUntil: &past})
	q, err := store.CreateQuestion(ctx, as(member), qa.QuestionCreate{Title: "Q"})
	if err != nil {
		t.Fatal(err)
	}
	second := func(_ any, err error) error { return err }
	third := func(_ any, _ int, err error) error { return err }
	code3 := func(_ string, _ *qa.MembershipCode, err error) error { return err }

	var errs []error
	add := func(err error) {
		t.Helper()
		if err == nil {
			t.Fatal("expected an error")
		}
		errs = append(errs, err)
	}
	add(second(store.SignIn(ctx, "m@example.com", "wrong", "")))
	for i := 0; i < qa.MaxAccountFailures; i++ {
		store.SignIn(ctx, "limited@example.com", "wrong", "")
	}
	add(second(store.SignIn(ctx, "limited@example.com", "wrong", "")))
	add(second(store.ActorForSession(ctx, strings.Repeat("x", 26))))
	add(second(store.CreateQuestion(ctx, qa.Visitor(), qa.QuestionCreate{Title: "x"})))
	add(second(qa.NormalizeTitle("")))
	add(second(qa.NormalizeName("")))
	add(second(store.AnswerQuestion(ctx, as(expert), q.ID, qa.AnswerCreate{Body: " "})))
	add(second(qa.NormalizeTitle(strings.Repeat("t", qa.MaxTitleLen+1))))
	add(second(store.CreateQuestion(ctx, as(member), qa.QuestionCreate{Title: "x", Body: strings.Repeat("b", qa.MaxBodyLen+1)})))
	add(second(store.Preview(as(member), strings.Repeat("> ", 40)+"deep")))
	add(second(store.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "s@example.com", Name: "S", Password: "short"})))
	add(second(store.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "s@example.com", Name: "S", Password: strings.Repeat("p", qa.MaxPasswordLen+1)})))
	add(errPasswordsDiffer)
	add(store.ChangePassword(ctx, as(member), member.ID, "wrong", "a new password"))
	add(second(store.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "M@example.com", Name: "M"})))
	add(second(store.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "not an email", Name: "M"})))
	add(second(store.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "", Name: "M"})))
	add(second(qa.ParseDate("31/12/2030")))
	add(second(qa.NormalizeTag("a/b")))
	add(second(qa.NormalizeTag(strings.Repeat("t", qa.MaxTagLen+1))))
	add(second(qa.NormalizeTags([]string{"a", "b", "c", "d", "e", "f"})))
	add(second(store.SetDeclineReasons(ctx, as(expert), strings.Split("a b c d e f g h i j k l m n o p q r s t u", " "))))
	add(second(store.CreateQuestion(ctx, as(member), qa.QuestionCreate{Title: "over the quota"})))
	add(second(store.CreateQuestion(ctx, as(lapsed), qa.QuestionCreate{Title: "x"})))
	add(third(store.FindQueue(ctx, as(member), qa.QueueFilter{})))
	add(second(store.FindAnswerByID(ctx, as(member), 424242)))
	add(second(store.FindQuestionByID(ctx, as(member), 424242)))
	add(second(store.DeclineQuestion(ctx, as(expert), q.ID, "")))
	add(second(store.MarkDuplicate(ctx, as(expert), q.ID, 424242)))
	if _, err := store.DeclineQuestion(ctx, as(expert), q.ID, "no"); err != nil {
		t.Fatal(err)
	}
	add(second(store.DeclineQuestion(ctx, as(expert), q.ID, "again")))
	add(store.CheckSetupToken(ctx, "not a token", ""))
	add(second(store.UpdateMember(ctx, as(expert), expert.ID, qa.MemberUpdate{Role: ptr(qa.RoleMember)})))
	add(third(store.FindAnswers(ctx, as(member), qa.AnswerFilter{Page: qa.Page{Page: qa.MaxPage + 1}})))
	add(second(store.CreateWebhook(ctx, as(expert), qa.WebhookCreate{URL: "ftp://example.com/hook"})))
	add(second(store.CreateWebhook(ctx, as(expert), qa.WebhookCreate{URL: "https://example.com/hook", Events: []string{"answer.deleted"}})))
	add(store.DeleteWebhook(ctx, as(expert), 424242))
	add(errNoEvents)
	code, _, err := store.CreateMembershipCode(ctx, as(expert), qa.CodeCreate{Days: 30, MaxUses: 1})
	if err != nil {
		t.Fatal(err)
	}
	add(second(store.RedeemCode(ctx, as(lapsed), qa.CodeRedeem{Code: "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AA"}, "")))
	for i := 0; i < qa.MaxAccountFailures; i++ {
		store.RedeemCode(ctx, as(member), qa.CodeRedeem{Code: "wrong"}, "")
	}
	add(second(store.RedeemCode(ctx, as(member), qa.CodeRedeem{Code: code}, "")))
	add(second(store.RedeemCode(ctx, as(expert), qa.CodeRedeem{Code: code}, "")))
	add(code3(store.CreateMembershipCode(ctx, as(expert), qa.CodeCreate{Days: 0, MaxUses: 1})))
	add(code3(store.CreateMembershipCode(ctx, as(expert), qa.CodeCreate{Days: 1, MaxUses: 0})))
	add(code3(store.CreateMembershipCode(ctx, as(expert), qa.CodeCreate{Days: 1, MaxUses: 1, ExpiresAt: &past})))
	add(store.RevokeMembershipCode(ctx, as(expert), 424242))
	// From search and from web itself.
	add(qa.E(qa.KeySearchRebuilding, qa.Args{"Done": 1, "Total": 2}))
	add(qa.E(qa.KeySearchSlow, nil))
	add(qa.E(qa.KeyQueryComplex, nil))
	add(qa.E(qa.KeyFormLarge, nil))
	add(qa.E(qa.KeyNoPage, nil))

	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	zh := cat.Pick("zh-Hans", "")
	for _, err := range errs {
		msg := qa.ErrorMessage(err)
		id := string(qa.ErrorKey(err))
		if id == "" || qa.ErrorKey(err) == qa.KeyInternal {
			t.Errorf("%q has no message key", msg)
			continue
		}
		got := zh.Error(err)
		if got == id || regexp.MustCompile(`[a-z]{4,}`).MatchString(strings.ReplaceAll(got, "Markdown", "")) && !strings.Contains(msg, "@") && !strings.Contains(msg, "\"") {
			t.Errorf("%q → %q", msg, got)
		}
	}
	// An unknown message is shown as written, under a heading; an internal
	// error never shows its text.
	w := &Web{}
	if got := w.errorText(zh, qa.Errorf(qa.EINVALID, "something new")); got != "出错了：something new" {
		t.Errorf("fallback %q", got)
	}
	if got := w.errorText(zh, qa.Internal(os.ErrPermission, "secret path /etc/x")); strings.Contains(got, "secret") || strings.Contains(got, "permission") {
		t.Errorf("internal error text shown: %q", got)
	}
}

func ptr[T any](v T) *T { return &v }

// TestMessageIDs_Go checks the message ids the Go code uses: literal ones
// and those made from flashes, statuses and field names.
func TestMessageIDs_Go(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	lit := regexp.MustCompile(`\bT\("([a-z0-9_.]+)"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
			if strings.HasSuffix(m[1], ".") {
				continue // a prefix: checked below, with its suffixes
			}
			n++
			if !cat.Has(m[1]) {
				t.Errorf("%s: message %q is missing", f, m[1])
			}
		}
	}
	if n < 5 {
		t.Fatalf("found only %d literal ids: is the pattern right?", n)
	}
	for id := range flashes {
		if !cat.Has("flash." + id) {
			t.Errorf("flash %q has no message", id)
		}
	}
	for _, s := range []qa.Status{qa.StatusPending, qa.StatusAnswered, qa.StatusDeclined, qa.StatusDuplicate, qa.StatusWithdrawn, qa.StatusExpired} {
		if !cat.Has("status." + string(s)) {
			t.Errorf("status %q has no message", s)
		}
	}
	// The e-mail preferences' labels are made from qa's topics and modes.
	for _, topic := range qa.Topics {
		for _, id := range []string{"prefs.topic." + string(topic), "prefs.topic_hint." + string(topic)} {
			if !cat.Has(id) {
				t.Errorf("topic %q has no message %s", topic, id)
			}
		}
	}
	for _, m := range qa.MailModes {
		if !cat.Has("prefs.mode." + string(m)) {
			t.Errorf("mail mode %q has no message", m)
		}
	}
	for _, f := range []string{"title", "body", "answer", "question_body", "name", "label", "text", "reason", "email", "password", "tag"} {
		if !cat.Has("field." + f) {
			t.Errorf("field %q has no message", f)
		}
	}
}

// TestMessageIDs_Templates checks that a template whose message id is not
// a literal, or is missing, fails at parse time.
func TestMessageIDs_Templates(t *testing.T) {
	for src, ok := range map[string]bool{
		`{{.T "nav.search"}}{{range .X}}{{$.T "nav.tags"}}{{end}}{{template "x" dict "V" $}}{{define "x"}}{{.V.T "nav.home"}}{{end}}`: true,
		`{{.T .Name}}`:              false,
		`{{.T}}`:                    false,
		`{{$.T (printf "x.%s" .)}}`: false,
	} {
		tpl := template.Must(template.New("t").Funcs(template.FuncMap{"dict": dict}).Parse(src))
		ids, err := messageIDs(tpl)
		if (err == nil) != ok {
			t.Errorf("%s: err = %v", src, err)
		}
		if ok && strings.Join(ids, ",") != "nav.home,nav.search,nav.tags" {
			t.Errorf("%s: ids %v", src, ids)
		}
	}
	// Every page parses, and uses only ids both catalogs hold: New fails
	// otherwise, so the start of the program does too.
	w, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	layout, _ := templateFS.ReadFile("templates/layout.html")
	partials, _ := templateFS.ReadFile("templates/partials.html")
	for page, wantErr := range map[string]string{
		`{{define "content"}}{{.T "nav.search"}}{{end}}`:      "",
		`{{define "content"}}{{.T "nav.nonexistent"}}{{end}}`: `message "nav.nonexistent" is missing`,
		`{{define "content"}}{{if}}{{end}}`:                   "missing value for if",
		`{{define "content"}}{{static "nope.css"}}{{end}}`:    "", // caught when rendered, by every page test
	} {
		fsys := fstest.MapFS{
			"templates/layout.html":   {Data: layout},
			"templates/partials.html": {Data: partials},
			"templates/page.html":     {Data: []byte(page)},
		}
		err := w.parseTemplates(fsys)
		if wantErr == "" && err != nil || wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
			t.Errorf("%s: err = %v, want %q", page, err, wantErr)
		}
	}
}
