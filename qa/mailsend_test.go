package qa_test

import (
	"testing"
	"time"

	"answerbook/qa"
)

// TestStore_MailSending: a mail marked sending and then refused goes back
// to pending, due after its backoff; one whose sender died while it was
// sending is taken as sent once its lease has ended, never sent again.
func TestStore_MailSending(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		asker := e.member(t, "Asker", qa.RoleMember)
		if err := e.SetMailPref(e.ctx, as(expert), qa.TopicQueue, qa.MailNever); err != nil {
			t.Fatal(err)
		}
		for _, title := range []string{"Refused once", "In doubt"} {
			q := e.ask(t, asker, title, "")
			if _, err := e.DeclineQuestion(e.ctx, as(expert), q.ID, "no"); err != nil {
				t.Fatal(err)
			}
		}
		ms, err := e.ClaimMail(e.ctx, 10, time.Minute)
		if err != nil || len(ms) != 2 {
			t.Fatalf("claim: %d %v", len(ms), err)
		}
		for _, m := range ms {
			if err := e.MarkMailSending(e.ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.MarkMailSending(e.ctx, ms[0]); err == nil {
			t.Fatal("marked sending twice")
		}
		// The server refuses the first: pending again, due after the backoff.
		if err := e.RecordMailAttempt(e.ctx, ms[0], "554 no", 30*time.Second); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.MailStats(e.ctx); st[qa.OutboxPending] != 1 || st[qa.OutboxSending] != 1 {
			t.Fatalf("stats %v", st)
		}
		// The second's sender died: nothing settles while the lease lasts.
		if n, err := e.SettleMailInDoubt(e.ctx); err != nil || n != 0 {
			t.Fatalf("settled under lease: %d %v", n, err)
		}
		e.clock.Add(time.Minute)
		if n, err := e.SettleMailInDoubt(e.ctx); err != nil || n != 1 {
			t.Fatalf("settle: %d %v", n, err)
		}
		again, err := e.ClaimMail(e.ctx, 10, time.Minute)
		if err != nil || len(again) != 1 || again[0].ID != ms[0].ID || again[0].Attempts != 1 || again[0].LastError != "554 no" {
			t.Fatalf("due again: %+v %v", again, err)
		}
		st, _ := e.MailStats(e.ctx)
		if st[qa.OutboxSent] != 1 || st[qa.OutboxSending] != 0 {
			t.Fatalf("stats %v", st)
		}
		as, err := e.FindMailAttempts(e.ctx, ms[1].ID)
		if err != nil || len(as) != 1 || !as[0].OK || as[0].Error != qa.InDoubtMailText {
			t.Fatalf("attempts %+v %v", as, err)
		}
	})
}

// TestStore_ReleaseLeases: deliveries and mail claimed and handed back
// untried (a clean stop) are due again at once, for anyone, while the one
// tried waits for its backoff; a lease that ended and was taken by another
// is left alone.
func TestStore_ReleaseLeases(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		asker := e.member(t, "Asker", qa.RoleMember)
		if err := e.SetMailPref(e.ctx, as(x), qa.TopicQueue, qa.MailNever); err != nil {
			t.Fatal(err)
		}
		if _, err := e.CreateWebhook(e.ctx, as(x), qa.WebhookCreate{URL: "https://hooks.example/a", Events: []string{qa.EventAnswerPublished}}); err != nil {
			t.Fatal(err)
		}
		for _, title := range []string{"One", "Two", "Three"} {
			e.answer(t, x, e.ask(t, asker, title, ""), "body")
		}
		ds, _, err := e.ClaimDeliveries(e.ctx, 10, 2*time.Minute)
		if err != nil || len(ds) != 3 {
			t.Fatalf("claim deliveries: %d %v", len(ds), err)
		}
		ms, err := e.ClaimMail(e.ctx, 10, 2*time.Minute)
		if err != nil || len(ms) != 3 {
			t.Fatalf("claim mail: %d %v", len(ms), err)
		}
		// The first of each was tried (and failed); the others were not.
		if err := e.RecordAttempt(e.ctx, ds[0], 500, "down", time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := e.RecordMailAttempt(e.ctx, ms[0], "554 no", time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := e.ReleaseDeliveries(e.ctx, ds[1:]); err != nil {
			t.Fatal(err)
		}
		if err := e.ReleaseMail(e.ctx, ms[1:]); err != nil {
			t.Fatal(err)
		}
		again, _, err := e.ClaimDeliveries(e.ctx, 10, 2*time.Minute)
		if err != nil || len(again) != 2 || again[0].ID != ds[1].ID || again[1].ID != ds[2].ID {
			t.Fatalf("deliveries due again at once: %+v %v", again, err)
		}
		mailAgain, err := e.ClaimMail(e.ctx, 10, 2*time.Minute)
		if err != nil || len(mailAgain) != 2 || mailAgain[0].ID != ms[1].ID || mailAgain[1].ID != ms[2].ID {
			t.Fatalf("mail due again at once: %+v %v", mailAgain, err)
		}

		// A lease that ended and was taken by another is not the first
		// claimer's to hand back.
		e.clock.Add(3 * time.Minute)
		other, _, err := e.ClaimDeliveries(e.ctx, 10, 2*time.Minute)
		if err != nil || len(other) != 2 {
			t.Fatalf("claimed by another: %d %v", len(other), err)
		}
		otherMail, err := e.ClaimMail(e.ctx, 10, 2*time.Minute)
		if err != nil || len(otherMail) != 2 {
			t.Fatalf("mail claimed by another: %d %v", len(otherMail), err)
		}
		if err := e.ReleaseDeliveries(e.ctx, again); err != nil {
			t.Fatal(err)
		}
		if err := e.ReleaseMail(e.ctx, mailAgain); err != nil {
			t.Fatal(err)
		}
		if ds, _, err := e.ClaimDeliveries(e.ctx, 10, 2*time.Minute); err != nil || len(ds) != 0 {
			t.Fatalf("another's leases were handed back: %d %v", len(ds), err)
		}
		if ms, err := e.ClaimMail(e.ctx, 10, 2*time.Minute); err != nil || len(ms) != 0 {
			t.Fatalf("another's mail leases were handed back: %d %v", len(ms), err)
		}
	})
}

// TestStore_RenewDeliveries: a lease renewed in time holds the deliveries
// past its first end (nobody else claims them); a lease that ended and was
// taken by another is not renewed, and the renewal leaves that delivery out.
func TestStore_RenewDeliveries(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "专家 Expert", qa.RoleExpert)
		asker := e.member(t, "提问者 Asker", qa.RoleMember)
		if _, err := e.CreateWebhook(e.ctx, as(x), qa.WebhookCreate{URL: "https://hooks.example/r", Events: []string{qa.EventAnswerPublished}}); err != nil {
			t.Fatal(err)
		}
		for _, title := range []string{"续租 one", "续租 two"} {
			e.answer(t, x, e.ask(t, asker, title, ""), "答案 body")
		}
		ds, _, err := e.ClaimDeliveries(e.ctx, 10, 30*time.Second)
		if err != nil || len(ds) != 2 {
			t.Fatalf("claim: %d %v", len(ds), err)
		}
		e.clock.Add(20 * time.Second)
		held, err := e.RenewDeliveries(e.ctx, ds, 30*time.Second)
		if err != nil || len(held) != 2 {
			t.Fatalf("renew in time: %d %v", len(held), err)
		}
		e.clock.Add(20 * time.Second) // past the first lease's end, within the renewed one
		if other, _, err := e.ClaimDeliveries(e.ctx, 10, 30*time.Second); err != nil || len(other) != 0 {
			t.Fatalf("renewed leases were claimed by another: %d %v", len(other), err)
		}
		e.clock.Add(time.Minute) // the renewed lease ends; another claims both
		other, _, err := e.ClaimDeliveries(e.ctx, 10, 30*time.Second)
		if err != nil || len(other) != 2 {
			t.Fatalf("claimed by another: %d %v", len(other), err)
		}
		if held, err := e.RenewDeliveries(e.ctx, ds, 30*time.Second); err != nil || len(held) != 0 {
			t.Fatalf("another's leases were renewed by the first claimer: %d %v", len(held), err)
		}
	})
}
