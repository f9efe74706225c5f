package qa_test

import (
	"testing"
	"time"

	"answerbook/qa"
)

// Retries spread over about a day (they spread over 21 minutes before):
// a delivery whose receiver is down fails for good only after 8 attempts
// spanning roughly 24 hours, each made when ClaimDeliveries finds it due.
func TestWebhook_RetriesSpanADay(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		if _, err := e.CreateWebhook(e.ctx, as(x), qa.WebhookCreate{URL: "https://hooks.example/down", Events: []string{qa.EventAnswerPublished}}); err != nil {
			t.Fatal(err)
		}
		e.answer(t, x, e.ask(t, e.member(t, "Asker", qa.RoleMember), "Retry me", ""), "body")
		start := e.clock.Now()
		attempts := 0
		for {
			ds, _, err := e.ClaimDeliveries(e.ctx, 10, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) > 1 {
				t.Fatalf("%d deliveries", len(ds))
			}
			if len(ds) == 1 {
				attempts++
				if err := e.RecordAttempt(e.ctx, ds[0], 503, "the receiver answered 503", qa.RetryDelay(ds[0].Attempts+1)); err != nil {
					t.Fatal(err)
				}
				if ds[0].Status == qa.DeliveryFailed {
					break
				}
			}
			if e.clock.Now().Sub(start) > 72*time.Hour {
				t.Fatalf("still retrying after 3 days (%d attempts)", attempts)
			}
			e.clock.Add(time.Minute)
		}
		span := e.clock.Now().Sub(start)
		if attempts != qa.MaxDeliveryAttempts || span < 20*time.Hour || span > 30*time.Hour {
			t.Fatalf("%d attempts over %v: want %d over about a day", attempts, span, qa.MaxDeliveryAttempts)
		}
		t.Logf("%d attempts over %v", attempts, span.Round(time.Minute))
	})
}
