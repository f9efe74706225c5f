package qa_test

import (
	"fmt"
	"testing"

	"answerbook/qa"
)

// TestStore_QueueByDemand: pending questions rank by how many other pending
// questions and unanswered searches ask much the same, in English and
// Chinese; ties keep the oldest first; the tag filter and paging hold.
func TestStore_QueueByDemand(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Ann", qa.RoleMember)
		lone := e.ask(t, m, "Which wallet supports hardware keys?", "")
		slash1 := e.ask(t, m, "How does slashing insurance work?", "", "staking")
		e.ask(t, m, "Is slashing insurance worth it?", "")
		zh1 := e.ask(t, m, "质押收益怎么计算", "", "staking")
		e.ask(t, m, "质押收益如何计算？", "")
		e.ask(t, m, "质押收益是多少", "")
		// Two members search for slashing insurance and find nothing.
		for _, text := range []string{"slashing insurance", "Slashing insurance"} {
			if err := e.LogSearch(e.ctx, as(m), text, qa.SearchOutcome{}); err != nil {
				t.Fatal(err)
			}
		}
		qs, total, err := e.FindQueue(e.ctx, as(expert), qa.QueueFilter{ByDemand: true})
		if err != nil {
			t.Fatal(err)
		}
		if total != 6 || len(qs) != 6 {
			t.Fatalf("total %d, got %d", total, len(qs))
		}
		if qs[0].ID != slash1.ID || qs[0].Demand != (qa.Demand{Questions: 1, Searches: 2}) {
			t.Errorf("first = %q %+v, want the slashing question with 1 question and 2 searches", qs[0].Title, qs[0].Demand)
		}
		if qs[2].ID != zh1.ID || qs[2].Demand.Questions != 2 || qs[2].Demand.Searches != 0 {
			t.Errorf("third = %q %+v, want the oldest 质押收益 question with 2 alike", qs[2].Title, qs[2].Demand)
		}
		if last := qs[len(qs)-1]; last.ID != lone.ID || last.Demand.Score() != 0 {
			t.Errorf("last = %q %+v, want the lone wallet question", last.Title, last.Demand)
		}
		tag := "staking"
		qs, total, err = e.FindQueue(e.ctx, as(expert), qa.QueueFilter{ByDemand: true, Tag: &tag, Page: qa.Page{Page: 2, PerPage: 1}})
		if err != nil || total != 2 || len(qs) != 1 || qs[0].ID != zh1.ID || len(qs[0].Tags) != 1 {
			t.Fatalf("tag staking, page 2 of 1: total %d, %v (%v)", total, qs, err)
		}
		_, _, err = e.FindQueue(e.ctx, as(m), qa.QueueFilter{ByDemand: true})
		wantCode(t, err, qa.EFORBIDDEN)
	})
}

// BenchmarkQueueDemand: the queue by demand at 1,000 pending questions and
// 1,000 unanswered search texts (go test -run '^$' -bench QueueDemand ./qa/).
func BenchmarkQueueDemand(b *testing.B) {
	e := openSQLite(&testing.T{}, qa.Config{QuestionQuota: -1})
	defer e.Close()
	expert, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "x@example.com", Name: "X", Role: qa.RoleExpert})
	if err != nil {
		b.Fatal(err)
	}
	m, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: "m@example.com", Name: "M"})
	if err != nil {
		b.Fatal(err)
	}
	topics := []string{"staking rewards", "slashing insurance", "validator keys", "质押收益", "港口引航", "面试技巧", "hardware wallet", "gas fees"}
	for i := range 1000 {
		title := fmt.Sprintf("%s question %d about %s 第%d个", topics[i%len(topics)], i, topics[(i/8)%len(topics)], i)
		if _, err := e.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{Title: title}); err != nil {
			b.Fatal(err)
		}
		if err := e.LogSearch(e.ctx, as(m), fmt.Sprintf("%s search %d", topics[i%len(topics)], i), qa.SearchOutcome{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := e.FindQueue(e.ctx, as(expert), qa.QueueFilter{ByDemand: true}); err != nil {
			b.Fatal(err)
		}
	}
}
