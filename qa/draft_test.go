package qa_test

import (
	"strings"
	"testing"

	"answerbook/qa"
)

func TestStore_SaveDraft(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Member", qa.RoleMember)
		q := e.ask(t, m, "如何准备面试", "从哪里开始？", "面试")

		if _, err := e.FindDraft(e.ctx, as(x), q.ID); qa.ErrorCode(err) != qa.ENOTFOUND {
			t.Fatalf("no draft yet: %v", err)
		}
		d, err := e.SaveDraft(e.ctx, as(x), q.ID, qa.DraftSave{
			Title: "  如何准备\n系统设计面试 ", Body: "先读 **DDIA**。\r\n", Tags: []string{"面试", " c++ ", "", "not valid yet!"}, Public: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		if d.Title != "如何准备 系统设计面试" || d.Body != "先读 **DDIA**。" {
			t.Fatalf("draft cleaned = %q %q", d.Title, d.Body)
		}
		got, err := e.FindDraft(e.ctx, as(x), q.ID)
		if err != nil || got.Body != d.Body || !got.Public || strings.Join(got.Tags, "|") != "面试|c++|not valid yet!" {
			t.Fatalf("find draft = %+v, %v", got, err)
		}

		t.Run("Replace", func(t *testing.T) {
			if _, err := e.SaveDraft(e.ctx, as(x), q.ID, qa.DraftSave{Body: "second"}); err != nil {
				t.Fatal(err)
			}
			got, err := e.FindDraft(e.ctx, as(x), q.ID)
			if err != nil || got.Body != "second" || got.Public || len(got.Tags) != 0 {
				t.Fatalf("replaced draft = %+v, %v", got, err)
			}
			ids, err := e.FindDrafts(e.ctx, as(x))
			if err != nil || len(ids) != 1 || ids[q.ID].IsZero() {
				t.Fatalf("drafts = %v, %v", ids, err)
			}
		})
		t.Run("ErrNotExpert", func(t *testing.T) {
			_, err := e.SaveDraft(e.ctx, as(m), q.ID, qa.DraftSave{Body: "x"})
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.FindDraft(e.ctx, as(m), q.ID)
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.SaveDraft(e.ctx, qa.Visitor(), q.ID, qa.DraftSave{Body: "x"})
			wantCode(t, err, qa.EUNAUTHORIZED)
			_, err = e.SaveDraft(e.ctx, asToken(x, qa.ScopeRead), q.ID, qa.DraftSave{Body: "x"})
			wantCode(t, err, qa.EFORBIDDEN)
		})
		t.Run("ErrTooLong", func(t *testing.T) {
			_, err := e.SaveDraft(e.ctx, as(x), q.ID, qa.DraftSave{Body: strings.Repeat("字", qa.MaxBodyLen+1)})
			wantCode(t, err, qa.EINVALID)
			_, err = e.SaveDraft(e.ctx, as(x), q.ID, qa.DraftSave{Title: strings.Repeat("t", qa.MaxTitleLen+1)})
			wantCode(t, err, qa.EINVALID)
			_, err = e.SaveDraft(e.ctx, as(x), q.ID, qa.DraftSave{Body: "nul\x00"})
			wantCode(t, err, qa.EINVALID)
		})
		t.Run("ErrUnknownQuestion", func(t *testing.T) {
			_, err := e.SaveDraft(e.ctx, as(x), 424242, qa.DraftSave{Body: "x"})
			wantCode(t, err, qa.ENOTFOUND)
		})
		t.Run("ClosedQuestion", func(t *testing.T) {
			e.answer(t, x, q, "答案")
			_, err := e.SaveDraft(e.ctx, as(x), q.ID, qa.DraftSave{Body: "x"})
			wantCode(t, err, qa.ECONFLICT)
			// The next save elsewhere sweeps drafts of closed questions.
			q2 := e.ask(t, m, "另一个问题", "")
			if _, err := e.SaveDraft(e.ctx, as(x), q2.ID, qa.DraftSave{Body: "y"}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.FindDraft(e.ctx, as(x), q.ID); qa.ErrorCode(err) != qa.ENOTFOUND {
				t.Fatalf("draft of an answered question kept: %v", err)
			}
			if err := e.DeleteDraft(e.ctx, as(x), q2.ID); err != nil {
				t.Fatal(err)
			}
			if err := e.DeleteDraft(e.ctx, as(x), q2.ID); err != nil {
				t.Fatalf("deleting a missing draft: %v", err)
			}
			if _, err := e.FindDraft(e.ctx, as(x), q2.ID); qa.ErrorCode(err) != qa.ENOTFOUND {
				t.Fatalf("deleted draft still found: %v", err)
			}
		})
	})
}

func TestStore_Preview(t *testing.T) {
	e := openSQLite(t, qa.Config{QuestionQuota: -1})
	m := e.member(t, "Member", qa.RoleMember)
	html, err := e.Preview(as(m), "**粗体** <script>alert(1)</script>")
	if err != nil || !strings.Contains(html, "<strong>粗体</strong>") || strings.Contains(html, "<script") {
		t.Fatalf("preview = %q, %v", html, err)
	}
	if html, err := e.Preview(as(m), "  \n"); err != nil || html != "" {
		t.Fatalf("blank preview = %q, %v", html, err)
	}
	_, err = e.Preview(qa.Visitor(), "x")
	wantCode(t, err, qa.EUNAUTHORIZED)
	_, err = e.Preview(as(e.expired(t, "Lapsed")), "x")
	wantCode(t, err, qa.EFORBIDDEN)
	_, err = e.Preview(as(m), strings.Repeat("x", qa.MaxBodyLen+1))
	wantCode(t, err, qa.EINVALID)
	_, err = e.Preview(as(m), strings.Repeat("- ", 5000)+"x")
	wantCode(t, err, qa.EINVALID)
}

// TestStore_EditorDrafts: drafts of an answer's edit and of a new FAQ entry
// are kept per expert, replaced on each save, bounded like queue drafts,
// and gone once the edit or the entry is published (or the answer
// deleted).
func TestStore_EditorDrafts(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Member", qa.RoleMember)
		a := e.answer(t, x, e.ask(t, m, "质押多久到账", "", "staking"), "两个周期。")

		if _, err := e.FindEditorDraft(e.ctx, as(x), a.ID); qa.ErrorCode(err) != qa.ENOTFOUND {
			t.Fatalf("no draft yet: %v", err)
		}
		edit, err := e.SaveEditorDraft(e.ctx, as(x), a.ID, qa.DraftSave{Title: "质押多久到账？", Body: "两个周期，约十天。\r\n", Tags: []string{"staking", "奖励"}})
		if err != nil {
			t.Fatal(err)
		}
		faq, err := e.SaveEditorDraft(e.ctx, as(x), 0, qa.DraftSave{Title: "How do I delegate?", Body: "Pick a pool", Public: true})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.FindEditorDraft(e.ctx, as(x), a.ID)
		if err != nil || got.Body != "两个周期，约十天。" || strings.Join(got.Tags, ",") != "staking,奖励" || !got.UpdatedAt.Equal(edit.UpdatedAt) {
			t.Fatalf("edit draft = %+v, %v", got, err)
		}
		got, err = e.FindEditorDraft(e.ctx, as(x), 0)
		if err != nil || got.Title != faq.Title || !got.Public {
			t.Fatalf("FAQ draft = %+v, %v", got, err)
		}
		if _, err := e.SaveEditorDraft(e.ctx, as(x), 0, qa.DraftSave{Title: "How do I delegate?", Body: "Pick a pool, then delegate."}); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.FindEditorDraft(e.ctx, as(x), 0); got.Body != "Pick a pool, then delegate." || got.Public {
			t.Fatalf("a save replaces the draft: %+v", got)
		}

		t.Run("Bounds", func(t *testing.T) {
			_, err := e.SaveEditorDraft(e.ctx, as(x), a.ID, qa.DraftSave{Body: strings.Repeat("长", qa.MaxBodyLen+1)})
			wantErrKey(t, err, qa.KeyTooLong)
			_, err = e.SaveEditorDraft(e.ctx, as(x), 999999, qa.DraftSave{Body: "x"})
			wantErrKey(t, err, qa.KeyNotFound)
			_, err = e.SaveEditorDraft(e.ctx, as(x), -1, qa.DraftSave{Body: "x"})
			wantErrKey(t, err, qa.KeyNotFound)
			_, err = e.SaveEditorDraft(e.ctx, as(m), a.ID, qa.DraftSave{Body: "x"})
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.FindEditorDraft(e.ctx, as(m), 0)
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.SaveEditorDraft(e.ctx, qa.System(), 0, qa.DraftSave{Body: "x"})
			wantErrKey(t, err, qa.KeyDraftsExpert)
		})
		t.Run("ClearedOnPublish", func(t *testing.T) {
			// Marking reviewed is no edit of the text: the draft stays.
			if _, err := e.UpdateAnswer(e.ctx, as(x), a.ID, qa.AnswerUpdate{Reviewed: true}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.FindEditorDraft(e.ctx, as(x), a.ID); err != nil {
				t.Fatalf("the draft went with a review: %v", err)
			}
			if _, err := e.UpdateAnswer(e.ctx, as(x), a.ID, qa.AnswerUpdate{Body: ptr("两个周期，约十天。")}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.FindEditorDraft(e.ctx, as(x), a.ID); qa.ErrorCode(err) != qa.ENOTFOUND {
				t.Fatalf("the edit's draft after saving the edit: %v", err)
			}
			if _, err := e.FindEditorDraft(e.ctx, as(x), 0); err != nil {
				t.Fatalf("the FAQ draft went with another answer's edit: %v", err)
			}
			if _, err := e.CreateAnswer(e.ctx, as(x), qa.AnswerCreate{Title: ptr("How do I delegate?"), Body: "Pick a pool, then delegate."}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.FindEditorDraft(e.ctx, as(x), 0); qa.ErrorCode(err) != qa.ENOTFOUND {
				t.Fatalf("the FAQ draft after publishing: %v", err)
			}
			if _, err := e.SaveEditorDraft(e.ctx, as(x), a.ID, qa.DraftSave{Body: "again"}); err != nil {
				t.Fatal(err)
			}
			if err := e.DeleteAnswer(e.ctx, as(x), a.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.FindEditorDraft(e.ctx, as(x), a.ID); qa.ErrorCode(err) != qa.ENOTFOUND {
				t.Fatalf("a deleted answer's draft: %v", err)
			}
		})
	})
}
