package qa_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"answerbook/qa"
)

// diffString writes a diff as [-deleted-]{+inserted+} around kept text.
func diffString(ps []qa.DiffPart) string {
	var b strings.Builder
	for _, p := range ps {
		switch p.Op {
		case qa.DiffInsert:
			b.WriteString("{+" + p.Text + "+}")
		case qa.DiffDelete:
			b.WriteString("[-" + p.Text + "-]")
		default:
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

func TestStore_CompareAndRestoreRevisions(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Member", qa.RoleMember)
		q := e.ask(t, m, "质押的收益怎么算", "年化是多少？", "stake")
		a, err := e.AnswerQuestion(e.ctx, as(x), q.ID, qa.AnswerCreate{
			Body: "质押收益约为每年百分之五。\n\nThe reward is paid every epoch.", Tags: []string{"stake", "收益"},
		})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Add(time.Hour)
		_, err = e.UpdateAnswer(e.ctx, as(x), a.ID, qa.AnswerUpdate{
			Body: ptr("质押收益约为每年百分之七。\n\nThe reward is paid every epoch, about five days."),
			Tags: &[]string{"stake", "cardano"}, Public: ptr(true),
		})
		if err != nil {
			t.Fatal(err)
		}
		revs, err := e.FindAnswerRevisions(e.ctx, as(x), a.ID)
		if err != nil || len(revs) != 2 {
			t.Fatalf("revisions = %v, %v", revs, err)
		}
		first, second := revs[1].ID, revs[0].ID

		t.Run("Diff", func(t *testing.T) {
			d, err := e.CompareRevisions(e.ctx, as(x), a.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if d.From.ID != first || d.To.ID != second || len(d.Revisions) != 2 || !d.Changed() {
				t.Fatalf("defaults compare the newest with the one before: %d→%d", d.From.ID, d.To.ID)
			}
			// Chinese by characters, English by words.
			want := "质押收益约为每年百分之[-五-]{+七+}。\n\nThe reward is paid every epoch{+, about five days+}."
			if got := diffString(d.Body); got != want {
				t.Fatalf("body diff\n got %s\nwant %s", got, want)
			}
			if got := diffString(d.Tags); got != "stake{+cardano+}[-收益-]" {
				t.Fatalf("tags diff = %s", got)
			}
			if got := diffString(d.Title); got != "质押的收益怎么算" {
				t.Fatalf("an unchanged title is one kept part: %s", got)
			}
			back, err := e.CompareRevisions(e.ctx, as(x), a.ID, second, first)
			if err != nil || diffString(back.Body) != "质押收益约为每年百分之[-七-]{+五+}。\n\nThe reward is paid every epoch[-, about five days-]." {
				t.Fatalf("reverse diff = %s, %v", diffString(back.Body), err)
			}
			same, err := e.CompareRevisions(e.ctx, as(x), a.ID, first, first)
			if err != nil || same.Changed() {
				t.Fatalf("a revision with itself: changed=%v, %v", same.Changed(), err)
			}
		})
		t.Run("Bounds", func(t *testing.T) {
			other := e.answer(t, x, e.ask(t, m, "Another question", "Body"), "Another answer")
			otherRevs, _ := e.FindAnswerRevisions(e.ctx, as(x), other.ID)
			_, err := e.CompareRevisions(e.ctx, as(x), a.ID, otherRevs[0].ID, second)
			wantErrKey(t, err, qa.KeyNotFound)
			_, err = e.CompareRevisions(e.ctx, as(x), a.ID, -1, second)
			wantErrKey(t, err, qa.KeyNotFound)
			_, err = e.CompareRevisions(e.ctx, as(x), 999999, 0, 0)
			wantErrKey(t, err, qa.KeyNotFound)
			_, err = e.RestoreRevision(e.ctx, as(x), a.ID, otherRevs[0].ID)
			wantErrKey(t, err, qa.KeyNotFound)
			_, err = e.CompareRevisions(e.ctx, as(m), a.ID, 0, 0)
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.RestoreRevision(e.ctx, as(m), a.ID, first)
			wantCode(t, err, qa.EFORBIDDEN)
		})
		t.Run("Restore", func(t *testing.T) {
			// The tag "stake" is merged into "staking" since: the restore
			// keeps the merge.
			if _, err := e.CreateAnswer(e.ctx, as(x), qa.AnswerCreate{Title: ptr("What is staking?"), Body: "Locking ADA.", Tags: []string{"staking"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.MergeTag(e.ctx, as(x), "stake", "staking"); err != nil {
				t.Fatal(err)
			}
			before, _ := e.LastChangeSeq(e.ctx)
			e.clock.Add(time.Hour)
			r, err := e.RestoreRevision(e.ctx, as(x), a.ID, first)
			if err != nil {
				t.Fatal(err)
			}
			if r.BodyMarkdown != "质押收益约为每年百分之五。\n\nThe reward is paid every epoch." || r.Public ||
				strings.Join(r.Tags, ",") != "staking,收益" || !strings.Contains(r.BodyHTML, "百分之五") {
				t.Fatalf("restored = %q public=%v tags=%v", r.BodyMarkdown, r.Public, r.Tags)
			}
			if r.ChangeSeq <= before {
				t.Fatalf("the restore is logged for the index: seq %d after %d", r.ChangeSeq, before)
			}
			revs, _ := e.FindAnswerRevisions(e.ctx, as(x), a.ID)
			if len(revs) != 3 || revs[0].BodyMarkdown != r.BodyMarkdown || revs[1].ID != second {
				t.Fatalf("the restore adds a revision and keeps the others: %d revisions", len(revs))
			}
			d, err := e.CompareRevisions(e.ctx, as(x), a.ID, first, revs[0].ID)
			if err != nil || diffString(d.Body) != r.BodyMarkdown {
				t.Fatalf("restored body equals the first: %s, %v", diffString(d.Body), err)
			}
		})
	})
}

func TestStore_RevisionDiffBounded(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		// Two long bodies with nothing in common but the alphabet: the
		// worst case of the diff, kept in time by its timeout.
		var b1, b2 strings.Builder
		for i := 0; utf8.RuneCountInString(b1.String()) < qa.MaxBodyLen-100; i++ {
			b1.WriteString(strings.Repeat("甲乙丙", i%7+1) + " alpha" + string(rune('a'+i%26)) + " ")
			b2.WriteString(strings.Repeat("丁戊", i%5+1) + " beta" + string(rune('a'+i%23)) + "\n")
		}
		a, err := e.CreateAnswer(e.ctx, as(x), qa.AnswerCreate{Title: ptr("Long"), Body: b1.String()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.UpdateAnswer(e.ctx, as(x), a.ID, qa.AnswerUpdate{Body: ptr(b2.String())}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		d, err := e.CompareRevisions(e.ctx, as(x), a.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Fatalf("diff took %v", took)
		}
		var from, to strings.Builder
		for _, p := range d.Body {
			if p.Op != qa.DiffInsert {
				from.WriteString(p.Text)
			}
			if p.Op != qa.DiffDelete {
				to.WriteString(p.Text)
			}
		}
		if from.String() != d.From.BodyMarkdown || to.String() != d.To.BodyMarkdown {
			t.Fatal("the diff does not give back both texts")
		}
	})
}
