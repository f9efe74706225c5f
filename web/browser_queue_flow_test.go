package web_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"answerbook/qa"
)

// TestBrowser_QueueFlow: the expert ticks two questions on the queue and
// declines both with one canned reason, which each asker reads; then
// answers the oldest question and lands on the next one (not the list),
// declines that one and lands on the next, marks it a duplicate of the
// answer just written and, the queue empty, lands on the queue; in both
// languages, at 390 px (every control on screen: phoneJS) and 1280 px.
func TestBrowser_QueueFlow(t *testing.T) {
	chromiumPath(t)
	for _, lang := range []struct{ code, declinedMany, published, declined, duplicate, empty string }{
		{"zh-Hans", "已婉拒选中的问题", "已发布", "已婉拒这个问题", "已将问题标记为重复", "没有待回答的问题"},
		{"en", "The selected questions were declined", "Published", "The question was declined", "The question was marked as a duplicate", "Nothing waiting"},
	} {
		for _, size := range []struct {
			name string
			w, h int
		}{{"390", 390, 844}, {"1280", 1280, 900}} {
			t.Run(lang.code+"-"+size.name, func(t *testing.T) {
				s := newSite(t)
				expert := s.person(t, "张老师", qa.RoleExpert, nil)
				member := s.person(t, "Ann 安", qa.RoleMember, nil)
				asker := qa.Actor{Member: member, Scope: qa.ScopeWrite}
				ask := func(title, body string) *qa.Question {
					t.Helper()
					q, err := s.store.CreateQuestion(s.ctx, asker, qa.QuestionCreate{Title: title, Body: body})
					if err != nil {
						t.Fatal(err)
					}
					return q
				}
				// Oldest first: the queue's order, and the next question's.
				first := ask("质押收益怎么计算？How are staking rewards calculated?", "每个周期都发吗？Paid every epoch?")
				second := ask("钱包丢了怎么办？I lost my wallet", "助记词也没有了。")
				// The same words as the first: a strong match for its answer
				// (the duplicate box offers strong matches only).
				third := ask("Staking rewards: how are they calculated? 质押收益怎么计算", "Same as above, I think.")
				spam1 := ask("买币吗 buy coins cheap", "spam")
				spam2 := ask("便宜的币 cheap coins here", "spam")

				c := newChrome(t, s.URL, lang.code, size.w, size.h)
				measure := func(step string) { c.measurePhone(fmt.Sprintf("%s at %d px", step, size.w)) }
				c.signIn("sign in", expert.Email, password)

				// Bulk decline: tick two, pick a canned reason, decline.
				c.open("queue", "/queue")
				measure("queue")
				c.do("tick two", chromedp.Click(chromedp.ID(fmt.Sprintf("select-%d", spam1.ID))), chromedp.Click(chromedp.ID(fmt.Sprintf("select-%d", spam2.ID))))
				c.do("open the decline box", chromedp.Click(chromedp.CSS("details.bulk summary")))
				reason, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`(() => { const s = document.getElementById("bulk-reason"); s.selectedIndex = s.options.length - 1; return s.value; })()`))
				if err != nil || reason == "" {
					c.fail("pick a reason", fmt.Errorf("reason %q: %v", reason, err))
				}
				measure("queue, decline box open")
				c.screenshot("decline box")
				c.submit("decline the selected", "details.bulk button[type=submit]", `^/queue$`)
				c.waitText("declined", ".flash", lang.declinedMany)
				for _, q := range []*qa.Question{spam1, spam2} {
					got, err := s.store.FindQuestionByID(s.ctx, asker, q.ID)
					if err != nil || got.Status != qa.StatusDeclined || got.DeclineReason != reason {
						t.Fatalf("question %d after the bulk decline: %+v, %v (reason %q)", q.ID, got, err, reason)
					}
				}
				n, err := chromedp.Run(c.ctx, chromedp.Evaluate[int](`document.querySelectorAll("ol.queue > li").length`))
				if err != nil || n != 3 {
					c.fail("the queue after the bulk decline", fmt.Errorf("%d questions listed, want 3 (%v)", n, err))
				}
				for _, q := range []*qa.Question{first, second, third} {
					if ok, _ := chromedp.Run(c.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.getElementById("select-%d")`, q.ID))); !ok {
						c.fail("the queue after the bulk decline", fmt.Errorf("question %d is gone", q.ID))
					}
				}

				// Answer the oldest: the next question opens.
				qpath := func(q *qa.Question) string { return "/queue/" + strconv.FormatInt(q.ID, 10) }
				c.open("the oldest question", qpath(first))
				measure("question")
				c.do("write the answer", chromedp.SetValue(chromedp.ID("body"), "按周期计算：每个周期结束时按委托比例发放。\n\nRewards are paid at the end of every epoch, in proportion to the stake."))
				c.submit("publish", `#answer form.editor button[name=action][value=publish]`, `^`+qpath(second)+`$`)
				c.waitText("published, on the next question", ".flash", lang.published)
				c.waitText("the next question", "h1", "钱包丢了怎么办")
				measure("next question")

				// Decline it: the one after opens.
				c.do("decline", chromedp.Click(chromedp.CSS(`#decline button[type=submit]`)))
				c.waitText("declined, on the next question", ".flash", lang.declined)
				c.waitText("the question after", "h1", "Staking rewards: how are they calculated")

				// A duplicate of the answer just written: the queue is empty.
				c.waitText("the new answer is offered as the same", "#duplicate", "质押收益怎么计算")
				measure("question with a duplicate offered")
				c.screenshot("duplicate offered")
				c.submit("mark duplicate", `#duplicate ul.dup button[type=submit]`, `^/queue$`)
				c.waitText("duplicate, back on the queue", ".flash", lang.duplicate)
				c.waitText("the queue is empty", "main .empty", lang.empty)
				measure("empty queue")

				for q, status := range map[*qa.Question]qa.Status{first: qa.StatusAnswered, second: qa.StatusDeclined, third: qa.StatusDuplicate} {
					got, err := s.store.FindQuestionByID(s.ctx, asker, q.ID)
					if err != nil || got.Status != status {
						t.Errorf("question %q: %v, %v; want %s", q.Title, got.Status, err, status)
					}
				}
			})
		}
	}
}
