package qa_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"answerbook/qa"
)

func TestParseEvents(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want qa.EventSet
		msg  string
	}{
		{nil, qa.WebhookEvents, ""},
		{[]string{}, qa.WebhookEvents, ""},
		{[]string{qa.EventQuestionCreated, qa.EventAnswerPublished}, qa.EventSet{qa.EventQuestionCreated, qa.EventAnswerPublished}, ""},
		{[]string{qa.EventAnswerUpdated, qa.EventAnswerUpdated}, qa.EventSet{qa.EventAnswerUpdated}, ""},
		{[]string{qa.EventAnswerUpdated, "answer.deleted"}, nil, `unknown event "answer.deleted"; events are ` + strings.Join(qa.WebhookEvents, ", ")},
		{[]string{""}, nil, `unknown event ""; events are ` + strings.Join(qa.WebhookEvents, ", ")},
	} {
		got, err := qa.ParseEvents(c.in)
		if c.msg != "" {
			if !errors.Is(err, qa.E(qa.KeyWebhookEvent, nil)) || qa.ErrorMessage(err) != c.msg {
				t.Errorf("ParseEvents(%q): %v, want %q", c.in, err, c.msg)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseEvents(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	// All by default is a copy: changing it leaves WebhookEvents alone.
	all, _ := qa.ParseEvents(nil)
	all[0] = "changed"
	if qa.WebhookEvents[0] != qa.EventAnswerPublished {
		t.Fatal("ParseEvents(nil) shares WebhookEvents")
	}
}

func TestEventSet(t *testing.T) {
	s := qa.EventSet{qa.EventAnswerPublished, qa.EventQuestionCreated}
	if !s.Has(qa.EventQuestionCreated) || s.Has(qa.EventAnswerUpdated) || s.Has("") {
		t.Errorf("Has on %q", s)
	}
	if got := s.String(); got != "answer.published,question.created" {
		t.Errorf("String = %q", got)
	}
	for _, c := range []struct {
		src  any
		want qa.EventSet
	}{
		{"answer.published,question.created", s},
		{[]byte("answer.updated"), qa.EventSet{qa.EventAnswerUpdated}},
		{",answer.updated,,", qa.EventSet{qa.EventAnswerUpdated}},
		{"", nil},
		{nil, nil},
	} {
		var got qa.EventSet
		if err := got.Scan(c.src); err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Scan(%q) = %q, %v; want %q", c.src, got, err, c.want)
		}
	}
	var bad qa.EventSet
	if err := bad.Scan(42); err == nil {
		t.Error("Scan(42) succeeded")
	}
}

// TestStore_WebhookEvents: a webhook keeps its events as a set, stored as
// the names joined by commas (the column as it always was), and is sent
// only the events it has.
func TestStore_WebhookEvents(t *testing.T) {
	dir := t.TempDir()
	e := open(t, qa.Config{DataDir: dir, QuestionQuota: -1})
	expert := e.member(t, "Expert", qa.RoleExpert)
	member := e.member(t, "Member", qa.RoleMember)
	only, err := e.CreateWebhook(e.ctx, as(expert), qa.WebhookCreate{URL: "https://example.com/answers", Events: []string{qa.EventAnswerPublished, qa.EventAnswerPublished}})
	if err != nil {
		t.Fatal(err)
	}
	all, err := e.CreateWebhook(e.ctx, as(expert), qa.WebhookCreate{URL: "https://example.com/all"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateWebhook(e.ctx, as(expert), qa.WebhookCreate{URL: "https://example.com/x", Events: []string{"answer.deleted"}}); !errors.Is(err, qa.E(qa.KeyWebhookEvent, nil)) {
		t.Fatalf("unknown event: %v", err)
	}

	hooks, err := e.FindWebhooks(e.ctx, as(expert))
	if err != nil || len(hooks) != 2 {
		t.Fatalf("FindWebhooks = %v, %v", hooks, err)
	}
	if !reflect.DeepEqual(hooks[0].Events, qa.EventSet{qa.EventAnswerPublished}) || !reflect.DeepEqual(hooks[1].Events, qa.WebhookEvents) {
		t.Fatalf("events read back: %q, %q", hooks[0].Events, hooks[1].Events)
	}

	db, err := sql.Open("sqlite3", filepath.Join(dir, "answerbook.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var raw string
	if err := db.QueryRow("SELECT events FROM webhooks WHERE id = ?", all.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if raw != qa.WebhookEvents.String() || !strings.HasPrefix(raw, "answer.published,answer.updated,question.created,") {
		t.Fatalf("stored events %q", raw)
	}

	e.ask(t, member, "Which events reach which webhook?", "A question for the webhook test.")
	title := "Events"
	if _, err := e.CreateAnswer(e.ctx, as(expert), qa.AnswerCreate{Title: &title, Body: "An answer for the webhook test.", Tags: []string{}}); err != nil {
		t.Fatal(err)
	}
	events := func(id int64) []string {
		t.Helper()
		ds, err := e.FindDeliveries(e.ctx, as(expert), id, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.Event)
		}
		return out
	}
	if got := events(only.ID); !reflect.DeepEqual(got, []string{qa.EventAnswerPublished}) {
		t.Errorf("answers-only webhook got %q", got)
	}
	if got := events(all.ID); !reflect.DeepEqual(got, []string{qa.EventAnswerPublished, qa.EventQuestionCreated}) {
		t.Errorf("every-event webhook got %q (newest first)", got)
	}
}

// TestStore_FindForEvent: an event's entity is ENOTFOUND only when it is
// gone; a broken database is an internal error, never "not found" (the
// delivery is then retried instead of sent as deleted).
func TestStore_FindForEvent(t *testing.T) {
	e := openSQLite(t, qa.Config{QuestionQuota: -1})
	expert := e.member(t, "Expert", qa.RoleExpert)
	member := e.member(t, "Member", qa.RoleMember)
	q := e.ask(t, member, "What does a payload hold?", "A question for the event test.")
	title := "Payloads"
	a, err := e.CreateAnswer(e.ctx, as(expert), qa.AnswerCreate{Title: &title, Body: "The excerpt and the tags.", Tags: []string{"hooks"}})
	if err != nil {
		t.Fatal(err)
	}
	no := false
	if _, err := e.UpdateAnswer(e.ctx, as(expert), a.ID, qa.AnswerUpdate{Published: &no}); err != nil {
		t.Fatal(err)
	}
	got, err := e.FindAnswerForEvent(e.ctx, a.ID)
	if err != nil || got.Title() != "Payloads" || got.Excerpt == "" || len(got.Tags) != 1 || got.Published {
		t.Fatalf("unpublished answer for an event: %+v, %v", got, err)
	}
	if gq, err := e.FindQuestionForEvent(e.ctx, q.ID); err != nil || gq.Title != q.Title {
		t.Fatalf("question for an event: %+v, %v", gq, err)
	}
	if _, err := e.FindAnswerForEvent(e.ctx, 999999); !errors.Is(err, qa.E(qa.KeyNotFound, nil)) || qa.ErrorMessage(err) != "answer not found" {
		t.Fatalf("missing answer: %v", err)
	}
	if _, err := e.FindQuestionForEvent(e.ctx, 999999); !errors.Is(err, qa.E(qa.KeyNotFound, nil)) || qa.ErrorMessage(err) != "question not found" {
		t.Fatalf("missing question: %v", err)
	}
	e.Close()
	if _, err := e.FindAnswerForEvent(e.ctx, a.ID); qa.ErrorCode(err) != qa.EINTERNAL {
		t.Fatalf("answer on a closed database: %v, want internal", err)
	}
	if _, err := e.FindQuestionForEvent(e.ctx, q.ID); qa.ErrorCode(err) != qa.EINTERNAL {
		t.Fatalf("question on a closed database: %v, want internal", err)
	}
}
