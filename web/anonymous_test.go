package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"answerbook/qa"
)

// TestPages_AnonymousAsker: an anonymous question names nobody, not even
// to the expert; a named one names its asker; the ask form says who sees
// the name in each mode.
func TestPages_AnonymousAsker(t *testing.T) {
	f := newFixture(t)
	me := qa.Actor{Member: f.member, Scope: qa.ScopeWrite}
	anon, err := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "匿名的问题", Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	named, err := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "Named question"})
	if err != nil {
		t.Fatal(err)
	}
	x := f.signIn(t, f.expert, "en")
	queue := x.get(t, "/queue")
	want(t, queue, 200, "queue")
	queue.doc.Find("ol.queue > li").Each(func(_ int, li *goquery.Selection) {
		title, meta := li.Find(".item-title").Text(), li.Find(".meta").Text()
		switch {
		case strings.Contains(title, anon.Title):
			if strings.Contains(meta, "李雷") || !strings.Contains(meta, "anonymous member") {
				t.Errorf("queue, anonymous question: %q", meta)
			}
		case strings.Contains(title, named.Title):
			if !strings.Contains(meta, "李雷") || strings.Contains(meta, "anonymous member") {
				t.Errorf("queue, named question: %q", meta)
			}
		}
	})
	item := x.get(t, fmt.Sprintf("/queue/%d", anon.ID))
	want(t, item, 200, "queue item")
	if meta := item.text(".question-card .meta"); strings.Contains(meta, "李雷") || !strings.Contains(meta, "anonymous member") {
		t.Errorf("question page: %q", meta)
	}
	if strings.Contains(item.body, "李雷") {
		t.Error("the anonymous question's page names the asker somewhere")
	}

	// The asker still has it among their own, and the form explains.
	m := f.signIn(t, f.member, "zh-Hans")
	mine := m.get(t, "/my/questions")
	if !strings.Contains(mine.text("ol.list"), anon.Title) {
		t.Errorf("my questions: %s", mine.text("main"))
	}
	ask := m.get(t, "/ask")
	hint := ask.text("#anon-hint")
	if !strings.Contains(hint, "专家能看到你的名字") || !strings.Contains(hint, "专家也看不到") {
		t.Errorf("ask form hint: %q", hint)
	}
}
