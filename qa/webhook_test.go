package qa_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
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
		{[]string{qa.EventAnswerUpdated, "answer.deleted"}, nil, `unknown event "answer.deleted"; events are answer.published, answer.updated, question.created`},
		{[]string{""}, nil, `unknown event ""; events are answer.published, answer.updated, question.created`},
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
	if raw != "answer.published,answer.updated,question.created" {
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
