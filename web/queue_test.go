package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

// TestPages_QueueFlow: the queue's faster ways, in both languages — several
// questions declined at once with one canned reason (each asker notified,
// as DeclineQuestion does), and after closing a question the expert goes
// on to the next pending one, or back to the list when none is left.
func TestPages_QueueFlow(t *testing.T) {
	for _, tc := range []struct {
		lang, declinedMany, declined, none, reason string
	}{
		{"en", "The selected questions were declined.", "The question was declined.", "Select at least one question.", "Decline the selected questions"},
		{"zh-Hans", "已婉拒选中的问题。", "已婉拒这个问题。", "请至少选择一个问题。", "婉拒选中的问题"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			f := newFixture(t)
			me := qa.Actor{Member: f.member, Scope: qa.ScopeWrite}
			ask := func(title string) *qa.Question {
				t.Helper()
				q, err := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: title})
				if err != nil {
					t.Fatal(err)
				}
				return q
			}
			q1, q2, q3, q4 := ask("Bulk decline one"), ask("Bulk decline two"), ask("Keep this one"), ask("And the last one")
			x := f.signIn(t, f.expert, tc.lang)

			p := x.get(t, "/queue")
			want(t, p, 200, "queue")
			if p.doc.Find(`#bulk-decline input[type=checkbox][name=id]`).Length() != 4 || p.doc.Find(`#bulk-decline select[name=reason] option`).Length() != 4 {
				t.Fatalf("no selection form: %s", p.text("main"))
			}
			if !strings.Contains(p.text("#bulk-decline summary"), tc.reason) {
				t.Fatalf("bulk form label %q", p.text("#bulk-decline summary"))
			}
			canned := p.doc.Find(`#bulk-decline select[name=reason] option`).First().AttrOr("value", "")

			// Nothing selected: the queue again, with the error.
			_, bad := x.post(t, "/queue/decline", url.Values{"reason": {canned}})
			want(t, bad, 400, "nothing selected")
			if bad.text(".error") != tc.none || bad.doc.Find("ol.queue > li").Length() != 4 {
				t.Fatalf("error %q, %d items", bad.text(".error"), bad.doc.Find("ol.queue > li").Length())
			}

			before := notificationTotal(t, f, f.member)
			res, done := x.post(t, "/queue/decline", url.Values{"id": {fmt.Sprint(q1.ID), fmt.Sprint(q2.ID)}, "reason": {canned}})
			if res.Request.URL.Path != "/queue" || done.text(".flash") != tc.declinedMany || done.doc.Find("ol.queue > li").Length() != 2 {
				t.Fatalf("bulk decline landed on %s: %q, %d left", res.Request.URL, done.text(".flash"), done.doc.Find("ol.queue > li").Length())
			}
			for _, q := range []*qa.Question{q1, q2} {
				got, _ := f.store.FindQuestionByID(f.ctx, qa.System(), q.ID)
				if got.Status != qa.StatusDeclined || got.DeclineReason != canned {
					t.Errorf("%s: %s %q", q.Title, got.Status, got.DeclineReason)
				}
			}
			if after := notificationTotal(t, f, f.member); after != before+2 {
				t.Errorf("asker's notifications %d → %d, want two more", before, after)
			}

			// Declining one question goes on to the next pending one…
			res, next := x.post(t, fmt.Sprintf("/queue/%d/decline", q3.ID), url.Values{"reason": {canned}})
			if res.Request.URL.Path != fmt.Sprintf("/queue/%d", q4.ID) || next.text(".flash") != tc.declined {
				t.Fatalf("decline landed on %s: %q", res.Request.URL, next.text(".flash"))
			}
			// …and, with none left, back to the (empty) list.
			res, last := x.post(t, fmt.Sprintf("/queue/%d/decline", q4.ID), url.Values{"reason": {canned}})
			if res.Request.URL.Path != "/queue" || last.text(".flash") != tc.declined || last.doc.Find("#bulk-decline").Length() != 0 {
				t.Fatalf("last decline landed on %s: %q", res.Request.URL, last.text(".flash"))
			}
		})
	}
}

// TestPages_PublishLastQuestion: with no question left, publishing lands
// on the published answer, as before.
func TestPages_PublishLastQuestion(t *testing.T) {
	f := newFixture(t)
	q, err := f.store.CreateQuestion(f.ctx, qa.Actor{Member: f.member, Scope: qa.ScopeWrite}, qa.QuestionCreate{Title: "The only question"})
	if err != nil {
		t.Fatal(err)
	}
	x := f.signIn(t, f.expert, "en")
	res, p := x.post(t, fmt.Sprintf("/queue/%d/answer", q.ID), url.Values{"title": {q.Title}, "body": {"The only answer."}, "action": {"publish"}})
	if !strings.HasPrefix(res.Request.URL.Path, "/answers/") || p.text(".flash") != "Published. The answer is in the archive." {
		t.Fatalf("publish landed on %s: %q", res.Request.URL, p.text(".flash"))
	}
}

func notificationTotal(t *testing.T, f *fixture, m *qa.Member) int {
	t.Helper()
	l, err := f.store.FindNotifications(f.ctx, qa.Actor{Member: m, Scope: qa.ScopeRead}, qa.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return l.Total
}
