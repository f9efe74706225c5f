package qa

import (
	"slices"
	"testing"
)

// TestCopyOrder: every table the migrations make is copied, each after
// the tables its foreign keys name (members after plans, which migration
// 13 added later).
func TestCopyOrder(t *testing.T) {
	order, err := copyOrder()
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, tb := range order {
		pos[tb] = i
	}
	for _, m := range migrations {
		for _, c := range createTable.FindAllStringSubmatch(m.sql, -1) {
			if _, ok := pos[c[1]]; !ok {
				t.Errorf("table %s is not copied", c[1])
			}
		}
	}
	for _, pair := range [][2]string{{"plans", "members"}, {"members", "questions"}, {"questions", "answers"}, {"answers", "answer_revisions"}, {"mail_outbox", "mail_attempts"}, {"webhooks", "webhook_deliveries"}} {
		if pos[pair[0]] > pos[pair[1]] {
			t.Errorf("%s is copied after %s: %v", pair[0], pair[1], order)
		}
	}
	if slices.Contains(order, "schema_migrations") {
		t.Error("schema_migrations is copied (the target's own migrations write it)")
	}
}
