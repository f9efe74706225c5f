package web_test

import (
	"fmt"
	"net/url"
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

// TestPages_AnonymousAskingOff: the owner turns anonymous asking off on the
// reasons page; the ask form loses its box and the store refuses it.
func TestPages_AnonymousAskingOff(t *testing.T) {
	f := newFixture(t)
	x := f.signIn(t, f.expert, "en")
	p := x.get(t, "/queue/reasons")
	if p.doc.Find("#anonymous_asking[checked]").Length() != 1 {
		t.Fatal("anonymous asking is on until the owner turns it off")
	}
	res, p := x.post(t, "/queue/settings", url.Values{})
	if res.Request.URL.Path != "/queue/reasons" || p.text(".flash") != "Settings saved." || p.doc.Find("#anonymous_asking[checked]").Length() != 0 {
		t.Fatalf("turn off: %s %q", res.Request.URL, p.text(".flash"))
	}
	m := f.signIn(t, f.member, "zh-Hans")
	ask := m.get(t, "/ask")
	if ask.doc.Find("#anonymous").Length() != 0 || !strings.Contains(ask.text("#anon-hint"), "专家已关闭匿名提问") {
		t.Fatalf("ask form with anonymous asking off: %q", ask.text("#anon-hint"))
	}
	_, bad := m.post(t, "/ask", url.Values{"title": {"想匿名问"}, "anonymous": {"on"}, "action": {"ask"}})
	want(t, bad, 400, "anonymous when off")
	if bad.text(".error") != "专家已关闭匿名提问，请以实名提问。" {
		t.Fatalf("error %q", bad.text(".error"))
	}
	if _, p = x.post(t, "/queue/settings", url.Values{"anonymous_asking": {"on"}}); p.doc.Find("#anonymous_asking[checked]").Length() != 1 {
		t.Fatal("turn back on")
	}
	if ask = m.get(t, "/ask"); ask.doc.Find("#anonymous").Length() != 1 {
		t.Fatal("the box is back")
	}
}
