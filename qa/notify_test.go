package qa_test

import (
	"testing"
	"time"

	"answerbook/qa"
)

// claimAll takes every due e-mail from the outbox.
func claimAll(t *testing.T, e *env) []*qa.Mail {
	t.Helper()
	ms, err := e.ClaimMail(e.ctx, 1000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func notices(t *testing.T, e *env, m *qa.Member) *qa.NotificationList {
	t.Helper()
	l, err := e.FindNotifications(e.ctx, as(m), qa.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestStore_Notifications(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "专家 Expert", qa.RoleExpert)
		asker := e.member(t, "李雷 Li Lei", qa.RoleMember)
		follower := e.member(t, "韩梅梅 Han Meimei", qa.RoleMember)
		if err := e.FollowTag(e.ctx, as(follower), "staking"); err != nil {
			t.Fatal(err)
		}

		t.Run("NewQuestionsGrouped", func(t *testing.T) {
			e.ask(t, asker, "如何计算 staking 奖励？", "", "staking")
			e.ask(t, asker, "How are staking rewards paid?", "", "staking")
			l := notices(t, e, expert)
			if l.Total != 1 || l.Unread != 1 || l.Items[0].Kind != qa.KindNewQuestions || l.Items[0].Count != 2 || l.Items[0].URL != "/queue" {
				t.Fatalf("expert's notifications: %+v", l.Items)
			}
			// The e-mail waits MailGroupDelay for more, then goes as one.
			if ms := claimAll(t, e); len(ms) != 0 {
				t.Fatalf("grouped mail went out at once: %d", len(ms))
			}
			e.clock.Add(qa.MailGroupDelay)
			ms := claimAll(t, e)
			if len(ms) != 1 || ms[0].Kind != qa.KindNewQuestions || ms[0].ToAddr != expert.Email || ms[0].MessageID == "" {
				t.Fatalf("mail: %+v", ms)
			}
			if c, _ := ms[0].Args["Count"].(float64); c != 2 {
				t.Fatalf("mail args %v", ms[0].Args)
			}
			if err := e.RecordMailAttempt(e.ctx, ms[0], "", 0); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("Answered", func(t *testing.T) {
			q := e.ask(t, asker, "质押奖励什么时候到账？", "", "staking")
			claimAll(t, e) // the expert's mail is not this test's
			a := e.answer(t, expert, q, "每个 epoch 结束后发放。")
			l := notices(t, e, asker)
			if l.Unread != 1 || l.Items[0].Kind != qa.KindAnswered || l.Items[0].URL != qa.AnswerPath(a.ID) || l.Items[0].Args["Title"] != q.Title {
				t.Fatalf("asker's notifications: %+v", l.Items[0])
			}
			// The follower of the tag hears of it too; the asker only once.
			if l := notices(t, e, follower); l.Unread != 1 || l.Items[0].Kind != qa.KindFollowedAnswers {
				t.Fatalf("follower: %+v", l.Items)
			}
			ms := claimAll(t, e)
			if len(ms) != 1 || ms[0].Kind != qa.KindAnswered || ms[0].ToAddr != asker.Email {
				t.Fatalf("mail now: %+v (followed tags are weekly by default)", ms)
			}
			n, err := e.MarkNotificationsRead(e.ctx, as(asker), []int64{l.Items[0].ID}, false)
			if err != nil || n != 1 {
				t.Fatalf("mark read: %d %v", n, err)
			}
			if l := notices(t, e, asker); l.Unread != 0 || !l.Items[0].Read() {
				t.Fatalf("after read: %+v", l)
			}
			// Another member's ids are ignored.
			if n, err := e.MarkNotificationsRead(e.ctx, as(follower), []int64{l.Items[0].ID}, false); err != nil || n != 0 {
				t.Fatalf("foreign id: %d %v", n, err)
			}
		})

		t.Run("DeclinedWithPrefNever", func(t *testing.T) {
			if err := e.SetMailPref(e.ctx, as(asker), qa.TopicOutcomes, qa.MailNever); err != nil {
				t.Fatal(err)
			}
			q := e.ask(t, asker, "Can I stake from an exchange?", "")
			claimAll(t, e)
			if _, err := e.DeclineQuestion(e.ctx, as(expert), q.ID, "不在讨论范围内"); err != nil {
				t.Fatal(err)
			}
			l := notices(t, e, asker)
			if l.Items[0].Kind != qa.KindDeclined || l.Items[0].Args["Reason"] != "不在讨论范围内" {
				t.Fatalf("declined: %+v", l.Items[0])
			}
			if ms := claimAll(t, e); len(ms) != 0 {
				t.Fatalf("mail despite never: %+v", ms)
			}
			prefs, err := e.MailPrefs(e.ctx, as(asker))
			if err != nil || prefs[qa.TopicOutcomes] != qa.MailNever || prefs[qa.TopicFollowed] != qa.MailWeekly || len(prefs) != 3 {
				t.Fatalf("prefs %v %v", prefs, err)
			}
			if err := e.SetMailPref(e.ctx, as(asker), qa.TopicOutcomes, qa.MailNow); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("Unsubscribe", func(t *testing.T) {
			tok, err := e.UnsubscribeToken(e.ctx, asker.ID, qa.TopicOutcomes)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Unsubscribe(e.ctx, tok[:len(tok)-2]+"xx"); qa.ErrorKey(err) != qa.KeyUnsubscribeLink {
				t.Fatalf("forged token: %v", err)
			}
			if top, err := e.Unsubscribe(e.ctx, tok); err != nil || top != qa.TopicOutcomes {
				t.Fatalf("unsubscribe: %v %v", top, err)
			}
			prefs, _ := e.MailPrefs(e.ctx, as(asker))
			if prefs[qa.TopicOutcomes] != qa.MailNever || prefs[qa.TopicMembership] != qa.MailNow {
				t.Fatalf("after unsubscribe: %v", prefs)
			}
		})

		t.Run("Unconfirmed", func(t *testing.T) {
			m, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "new@example.com", Name: "New", Unconfirmed: true})
			if err != nil {
				t.Fatal(err)
			}
			q := e.ask(t, m, "未确认邮箱的提问", "")
			claimAll(t, e)
			if _, err := e.DeclineQuestion(e.ctx, as(expert), q.ID, "重复"); err != nil {
				t.Fatal(err)
			}
			if l := notices(t, e, m); l.Unread != 1 {
				t.Fatalf("in-app: %+v", l)
			}
			if ms := claimAll(t, e); len(ms) != 0 {
				t.Fatalf("mail to an unconfirmed address: %+v", ms)
			}
		})
	})
}

func TestStore_NotifyMemberships(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		until := e.clock.Now().AddDate(0, 0, 3)
		m, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "ending@example.com", Name: "Ending", ActiveUntil: &until})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			n, err := e.NotifyMemberships(e.ctx)
			if err != nil || n != i^1 {
				t.Fatalf("run %d: wrote %d, %v", i, n, err)
			}
		}
		e.clock.Add(5 * 24 * time.Hour)
		if n, err := e.NotifyMemberships(e.ctx); err != nil || n != 1 {
			t.Fatalf("ended: %d %v", n, err)
		}
		l := notices(t, e, m)
		if l.Total != 2 || l.Items[0].Kind != qa.KindMembershipEnded || l.Items[1].Kind != qa.KindMembershipEnding {
			t.Fatalf("%+v", l.Items)
		}
	})
}

func TestStore_QueueDigests(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		reader := e.member(t, "读者 Reader", qa.RoleMember)
		if err := e.FollowTag(e.ctx, as(reader), "plutus"); err != nil {
			t.Fatal(err)
		}
		// Nothing new: nothing queued.
		if n, err := e.QueueDigests(e.ctx, qa.MailWeekly); err != nil || n != 0 {
			t.Fatalf("empty week: %d %v", n, err)
		}
		asker := e.member(t, "Asker", qa.RoleMember)
		q := e.ask(t, asker, "What is Plutus?", "", "plutus")
		e.answer(t, expert, q, "Plutus is Cardano's smart-contract language.")
		claimAll(t, e)
		// The digest of a week goes out in the week after it.
		for e.clock.Now().Weekday() != time.Monday {
			e.clock.Add(24 * time.Hour)
		}
		for i := 0; i < 2; i++ {
			n, err := e.QueueDigests(e.ctx, qa.MailWeekly)
			if err != nil || n != i^1 {
				t.Fatalf("run %d: %d %v", i, n, err)
			}
		}
		var ms []*qa.Mail // the other mails fell due again meanwhile
		for _, m := range claimAll(t, e) {
			if m.Kind == qa.MailDigest {
				ms = append(ms, m)
			}
		}
		if len(ms) != 1 || ms[0].ToAddr != reader.Email {
			t.Fatalf("digest mail: %+v", ms)
		}
		items, _ := ms[0].Args["Items"].([]any)
		if len(items) != 1 {
			t.Fatalf("items %v", ms[0].Args)
		}
	})
}
