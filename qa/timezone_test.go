package qa_test

import (
	"testing"
	"time"

	"answerbook/qa"
)

// TestStore_MemberTimeZone: a member sets the zone they read times in; a
// name that is no zone (or a path) is refused; "" goes back to UTC.
func TestStore_MemberTimeZone(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		m := e.member(t, "Member", qa.RoleMember)
		if m.Location() != time.UTC {
			t.Fatalf("UTC until set: %v", m.Location())
		}
		for _, bad := range []string{"Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Local"} {
			wantErrKey(t, e.SetMemberTimeZone(e.ctx, as(m), bad), qa.KeyTimeZone)
		}
		wantCode(t, e.SetMemberTimeZone(e.ctx, qa.Visitor(), "Asia/Shanghai"), qa.EUNAUTHORIZED)
		if err := e.SetMemberTimeZone(e.ctx, as(m), "Asia/Shanghai"); err != nil {
			t.Fatal(err)
		}
		got, err := e.FindMemberByID(e.ctx, m.ID)
		if err != nil || got.TimeZone != "Asia/Shanghai" || got.Location().String() != "Asia/Shanghai" {
			t.Fatalf("stored: %+v %v", got, err)
		}
		if err := e.SetMemberTimeZone(e.ctx, as(got), ""); err != nil {
			t.Fatal(err)
		}
		if got, _ = e.FindMemberByID(e.ctx, m.ID); got.TimeZone != "" {
			t.Fatalf("back to UTC: %q", got.TimeZone)
		}
	})
}

// TestStore_QueueSummaryInExpertZone: the day the oldest question was
// asked, in the summary (and so in its e-mail), is the expert's day.
func TestStore_QueueSummaryInExpertZone(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Member", qa.RoleMember)
		if err := e.SetMemberTimeZone(e.ctx, as(x), "Asia/Shanghai"); err != nil {
			t.Fatal(err)
		}
		// The clock starts at 2026-03-01 09:00 UTC; ask at 20:00 UTC,
		// which is already March 2 in Shanghai.
		e.clock.Add(11 * time.Hour)
		e.ask(t, m, "Late question", "")
		e.clock.Add(time.Hour)
		if n, err := e.NotifyQueueSummary(e.ctx); err != nil || n != 1 {
			t.Fatalf("summary: %d %v", n, err)
		}
		l, err := e.FindNotifications(e.ctx, as(x), qa.NotificationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range l.Items {
			if n.Kind == qa.KindQueueSummary {
				if n.Args["Oldest"] != "2026-03-02" || n.Args["Date"] != "2026-03-02" {
					t.Fatalf("summary args in the expert's zone: %v", n.Args)
				}
				return
			}
		}
		t.Fatalf("no summary: %+v", l.Items)
	})
}
