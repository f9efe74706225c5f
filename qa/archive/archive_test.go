package archive

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// recorder is a Sink that keeps what it is given, in order: Question,
// Answer and Problem values.
type recorder struct {
	events []any
	// stopAt, if not empty, makes Question or Answer fail with errStop for
	// the record with that SourceID.
	stopAt string
}

var errStop = fmt.Errorf("stop here")

func (r *recorder) Question(q Question) error {
	if q.SourceID == r.stopAt {
		return errStop
	}
	r.events = append(r.events, q)
	return nil
}

func (r *recorder) Answer(a Answer) error {
	if a.SourceID == r.stopAt {
		return errStop
	}
	r.events = append(r.events, a)
	return nil
}

func (r *recorder) Problem(p Problem) { r.events = append(r.events, p) }

// summary is a one-line account of an event, for tests that check what
// happened rather than every field.
func summary(ev any) string {
	switch e := ev.(type) {
	case Question:
		s := fmt.Sprintf("Q %s %s", e.SourceID, e.Status)
		if e.DuplicateOf != "" {
			s += " of " + e.DuplicateOf
		}
		return s
	case Answer:
		return fmt.Sprintf("A %s to %s", e.SourceID, e.QuestionID)
	case Problem:
		kind := "failed"
		if e.Skipped {
			kind = "skipped"
		}
		s := "P " + kind
		if e.Line > 0 {
			s += fmt.Sprintf(" line %d", e.Line)
		}
		if e.SourceID != "" {
			s += " " + e.SourceID
		}
		return s + ": " + e.Reason
	}
	return fmt.Sprintf("? %#v", ev)
}

func summaries(events []any) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = summary(ev)
	}
	return out
}

// checkEvents compares whole records and reports each difference.
func checkEvents(t *testing.T, got, want []any) {
	t.Helper()
	for i := 0; i < len(got) || i < len(want); i++ {
		switch {
		case i >= len(got):
			t.Errorf("event %d: missing, want %#v", i, want[i])
		case i >= len(want):
			t.Errorf("event %d: unexpected %#v", i, got[i])
		case !reflect.DeepEqual(got[i], want[i]):
			t.Errorf("event %d:\n got %#v\nwant %#v", i, got[i], want[i])
		}
	}
}

// checkSummaries compares one-line accounts of the events.
func checkSummaries(t *testing.T, got []any, want []string) {
	t.Helper()
	g := summaries(got)
	if !reflect.DeepEqual(g, want) {
		t.Errorf("events:\n got %s\nwant %s", strings.Join(g, "\n     "), strings.Join(want, "\n     "))
	}
}

// checkInvariants checks what every reader promises of every record, for
// the fuzz targets.
func checkInvariants(t *testing.T, events []any) {
	t.Helper()
	for _, ev := range events {
		switch e := ev.(type) {
		case Question:
			if e.SourceID == "" || strings.TrimSpace(e.Title) == "" {
				t.Fatalf("question without id or title: %#v", e)
			}
			checkUTF8(t, e.SourceID, e.Title, e.Body, e.Status, e.DuplicateOf)
			checkUTF8(t, e.Tags...)
		case Answer:
			if e.SourceID == "" || e.QuestionID == "" {
				t.Fatalf("answer without id or question id: %#v", e)
			}
			checkUTF8(t, e.SourceID, e.QuestionID, e.Body)
			checkUTF8(t, e.Tags...)
		case Problem:
			if e.Reason == "" {
				t.Fatalf("problem without a reason: %#v", e)
			}
			checkUTF8(t, e.Reason, e.SourceID)
		}
	}
}

func checkUTF8(t *testing.T, ss ...string) {
	t.Helper()
	for _, s := range ss {
		if !utf8.ValidString(s) {
			t.Fatalf("not valid UTF-8: %q", s)
		}
	}
}

func TestProblem_String(t *testing.T) {
	for _, tc := range []struct {
		p    Problem
		want string
	}{
		{Problem{Line: 3, Reason: "the line is not valid JSON"}, "line 3: the line is not valid JSON"},
		{Problem{SourceID: "s/q/1", Reason: "no accepted or positively scored answer", Skipped: true}, "s/q/1: skipped: no accepted or positively scored answer"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("%#v: got %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestQuote(t *testing.T) {
	if got := quote("abc"); got != `"abc"` {
		t.Errorf("got %s", got)
	}
	long := strings.Repeat("铸", 30) // 90 bytes: cut on a rune boundary
	got := quote(long)
	if !utf8.ValidString(got) || len(got) > 60 || !strings.HasSuffix(got, "…") {
		t.Errorf("got %s", got)
	}
}
