package qa_test

import (
	"testing"
	"time"

	"answerbook/qa"
)

// TestStore_MarkReadKeepsOrder: reading a notification is no new event:
// the list (newest event first) keeps its order.
func TestStore_MarkReadKeepsOrder(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		asker := e.member(t, "Asker", qa.RoleMember)
		var ids []int64
		for _, title := range []string{"First", "Second"} {
			q := e.ask(t, asker, title, "")
			e.clock.Add(time.Minute)
			if _, err := e.DeclineQuestion(e.ctx, as(expert), q.ID, "no"); err != nil {
				t.Fatal(err)
			}
		}
		for _, n := range notices(t, e, asker).Items {
			ids = append(ids, n.ID)
		}
		e.clock.Add(time.Minute)
		if n, err := e.MarkNotificationsRead(e.ctx, as(asker), ids[1:], false); err != nil || n != 1 {
			t.Fatalf("mark the older read: %d %v", n, err)
		}
		l := notices(t, e, asker)
		if l.Items[0].ID != ids[0] || l.Items[1].ID != ids[1] || !l.Items[1].Read() || l.Items[0].Read() || l.Unread != 1 {
			t.Fatalf("after marking the older read: %+v", l.Items)
		}
	})
}
