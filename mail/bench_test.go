package mail_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"answerbook/mail"
	"answerbook/mail/mailtest"
	"answerbook/qa"
)

// BenchmarkSender_Outbox1000 measures the outbox's throughput: 1,000
// queued e-mails (declined questions, each an "outcomes" mail) delivered
// by one sender to a real SMTP server (mailpit). Run it once:
//
//	go test -run '^$' -bench BenchmarkSender_Outbox1000 -benchtime 1x ./mail/
func BenchmarkSender_Outbox1000(b *testing.B) {
	const n = 1000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		pit := mailtest.Start(b)
		ctx := context.Background()
		s, err := qa.Open(ctx, qa.Config{DataDir: b.TempDir(), QuestionQuota: -1})
		if err != nil {
			b.Fatal(err)
		}
		expert, _ := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "expert@example.com", Name: "E", Role: qa.RoleExpert})
		asker, _ := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "asker@example.com", Name: "A"})
		ex := qa.Actor{Member: expert, Scope: qa.ScopeWrite}
		if err := s.SetMailPref(ctx, ex, qa.TopicQueue, qa.MailNever); err != nil {
			b.Fatal(err)
		}
		for j := 0; j < n; j++ {
			q, err := s.CreateQuestion(ctx, qa.Actor{Member: asker, Scope: qa.ScopeWrite}, qa.QuestionCreate{Title: fmt.Sprintf("质押问题 %d", j)})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.DeclineQuestion(ctx, ex, q.ID, "out of scope"); err != nil {
				b.Fatal(err)
			}
		}
		sm, _ := mail.ParseSMTP(pit.SMTPURL())
		from, _ := mail.ParseFrom("Answers <answers@example.com>")
		snd, err := mail.New(mail.Config{Store: s, SMTP: sm, From: from, BaseURL: "https://answers.example.com"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		sent := 0
		for {
			k, err := snd.SendDue(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if k == 0 {
				break
			}
			sent += k
		}
		el := time.Since(start)
		b.StopTimer()
		if st, _ := s.MailStats(ctx); st[qa.OutboxSent] != n || pit.Count(b) != n {
			b.Fatalf("sent %v, mailpit %d", st, pit.Count(b))
		}
		b.ReportMetric(float64(n)/el.Seconds(), "mails/s")
		s.Close()
	}
}
