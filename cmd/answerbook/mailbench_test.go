package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"answerbook/api/client"
	"answerbook/mail/mailtest"
	"answerbook/qa"
)

// BenchmarkMail_PublishToInbox measures, through the whole program and a
// real SMTP server, the time from the expert's publish request to the
// e-mail in mailpit (mailpit's receive time), over 200 answers published
// 100 ms apart, with the sender's default poll (1 s). Run it once:
//
//	go test -run '^$' -bench BenchmarkMail_PublishToInbox -benchtime 1x ./cmd/answerbook/
func BenchmarkMail_PublishToInbox(b *testing.B) {
	const answers = 200
	for i := 0; i < b.N; i++ {
		pit := mailtest.Start(b)
		dir := b.TempDir()
		m := NewMain()
		m.Config.DataDir, m.Config.Addr = dir, "127.0.0.1:0"
		m.Config.SMTP, m.Config.MailFrom = pit.SMTPURL(), testMailFrom
		m.SetupLink = func(string) {}
		if err := m.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		expert, err := m.Store.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "expert@example.com", Name: "Expert", Role: qa.RoleExpert})
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Store.SetMailPref(ctx, qa.Actor{Member: expert, Scope: qa.ScopeWrite}, qa.TopicQueue, qa.MailNever); err != nil {
			b.Fatal(err)
		}
		token := func(email string) string {
			var out, errb strings.Builder
			if code := run(ctx, []string{"token", "create", "--data", dir, "--email", email, "--scope", "write"}, strings.NewReader(""), &out, &errb); code != 0 {
				b.Fatalf("token create: %s", errb.String())
			}
			return strings.TrimSpace(out.String())
		}
		var askers []*client.Client
		for j := 0; j < 10; j++ {
			if _, err := m.Store.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: fmt.Sprintf("m%d@example.com", j), Name: "M"}); err != nil {
				b.Fatal(err)
			}
			askers = append(askers, client.New(m.URL(), token(fmt.Sprintf("m%d@example.com", j))))
		}
		ex := client.New(m.URL(), token("expert@example.com"))
		var qs []int64
		for j := 0; j < answers; j++ {
			q, err := askers[j%len(askers)].Ask(ctx, client.Ask{Title: fmt.Sprintf("bench question %d: how are rewards paid?", j)})
			if err != nil {
				b.Fatal(err)
			}
			qs = append(qs, q.ID)
		}
		published := map[string]time.Time{}
		b.ResetTimer()
		start := time.Now()
		for j, id := range qs {
			next := start.Add(time.Duration(j) * 100 * time.Millisecond)
			time.Sleep(time.Until(next))
			body := fmt.Sprintf("Answer %d: after each epoch.", j)
			published[fmt.Sprintf("Answered: bench question %d: how are rewards paid?", j)] = time.Now()
			if _, err := ex.AnswerQuestion(ctx, id, client.AnswerWrite{Body: &body}); err != nil {
				b.Fatal(err)
			}
		}
		msgs := pit.WaitCount(b, answers, 60*time.Second)
		b.StopTimer()
		var lat []time.Duration
		for _, s := range msgs {
			if at, ok := published[s.Subject]; ok {
				lat = append(lat, s.Created.Sub(at))
			}
		}
		if len(lat) != answers {
			b.Fatalf("%d of %d mails matched", len(lat), answers)
		}
		slices.Sort(lat)
		p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
		b.ReportMetric(float64(p50.Milliseconds()), "p50-ms")
		b.ReportMetric(float64(p99.Milliseconds()), "p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "max-ms")
		m.Close()
	}
}
