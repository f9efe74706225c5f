package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"answerbook/qa"
)

// fixture is a site with the four kinds of reader and a small bilingual
// archive: one public answer, two for members only.
type fixture struct {
	*site
	expert, member, lapsed *qa.Member
	pub, priv, en          *qa.Answer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	s := newSite(t)
	nextYear := time.Now().AddDate(1, 0, 0)
	lapsed := time.Now().AddDate(0, 0, -3)
	f := &fixture{site: s}
	f.expert = s.person(t, "张老师", qa.RoleExpert, nil)
	f.member = s.person(t, "李雷", qa.RoleMember, &nextYear)
	f.lapsed = s.person(t, "韩梅梅", qa.RoleMember, &lapsed)
	f.pub = s.publish(t, "如何准备系统设计面试？", "先读 **DDIA**，再练习画架构图。\n\n| 阶段 | 周 |\n|---|---|\n| 基础 | 2 |\n", true, "面试", "系统设计")
	f.priv = s.publish(t, "面试时怎样谈薪资才不吃亏", "先了解市场行情。会员专享 SECRETBODY 的内容。", false, "面试", "薪资")
	f.en = s.publish(t, "How do I negotiate a job offer?", "Research the market rate first. MEMBERSONLY text.", false, "career", "offer")
	return f
}

func want(t testing.TB, p *page, status int, what string) {
	t.Helper()
	if p.status() != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, p.status(), status, p.body[:min(len(p.body), 3000)])
	}
}

func contains(t testing.TB, p *page, what string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(p.body, s) {
			t.Errorf("%s: page lacks %q", what, s)
		}
	}
}

func lacks(t testing.TB, p *page, what string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(p.body, s) {
			t.Errorf("%s: page shows %q", what, s)
		}
	}
}

// TestPages_Visitor: with the storefront's teasers off, a visitor finds
// the public answers only (TestStorefront_* has them on).
func TestPages_Visitor(t *testing.T) {
	f := newFixture(t)
	teasersOff(t, f.site)
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			v := f.browser(lang)
			zh := lang != "en"
			pick := func(en, cn string) string {
				if zh {
					return cn
				}
				return en
			}

			home := v.get(t, "/")
			want(t, home, 200, "home")
			contains(t, home, "home", f.pub.Title(), pick("What members get", "会员可以做什么"), pick("Sign in", "登录"))
			lacks(t, home, "home", f.priv.Title(), f.en.Title(), "SECRETBODY")
			if got := home.text("nav.main a[aria-current]"); got != pick("Home", "首页") {
				t.Errorf("current nav = %q", got)
			}

			// Visitors search the public answers only: no hit, count or
			// facet reveals the others.
			res := v.get(t, "/search?q="+url.QueryEscape("面试"))
			want(t, res, 200, "search")
			if n := res.doc.Find("ol.list > li").Length(); n != 1 || !strings.Contains(res.text("ol.list"), f.pub.Title()) {
				t.Errorf("visitor search hits = %d: %s", n, res.text("ol.list"))
			}
			contains(t, res, "search", pick("1 answer for", "共有 1 篇解答"))
			lacks(t, res, "search", "薪资", f.priv.Title())

			tags := v.get(t, "/tags")
			want(t, tags, 200, "tags")
			lacks(t, tags, "tags", "薪资", "career")
			contains(t, tags, "tags", "系统设计")

			tag := v.get(t, "/tags/"+url.PathEscape("面试"))
			want(t, tag, 200, "tag")
			contains(t, tag, "tag", f.pub.Title())
			lacks(t, tag, "tag", f.priv.Title())

			// The public answer in full; the member-only one as a teaser.
			pub := v.get(t, fmt.Sprintf("/answers/%d", f.pub.ID))
			want(t, pub, 200, "public answer")
			if pub.doc.Find("section.body table").Length() != 1 || pub.doc.Find("section.body strong").Text() != "DDIA" {
				t.Errorf("public answer body not rendered: %s", pub.text("section.body"))
			}
			priv := v.get(t, fmt.Sprintf("/answers/%d", f.priv.ID))
			want(t, priv, 200, "member-only answer")
			contains(t, priv, "teaser", f.priv.Title(), pick("Members read the whole answer.", "完整解答仅对会员开放。"))
			if priv.doc.Find(".gate a[href^='/login']").Length() != 1 {
				t.Error("teaser has no sign-in prompt")
			}
			lacks(t, priv, "teaser", "SECRETBODY")
			if priv.doc.Find("section.body").Length() != 0 {
				t.Error("teaser shows the body section")
			}

			// Member pages send visitors to sign in, and back after.
			for _, path := range []string{"/ask", "/my/questions", "/account", "/queue", "/members", "/queue/1", "/answers/1/edit"} {
				p := v.get(t, path)
				if p.res.Request.URL.Path != "/login" || p.res.Request.URL.Query().Get("next") != path {
					t.Errorf("%s: visitor landed on %s", path, p.res.Request.URL)
				}
				if p.doc.Find(`form[action="/login"] input[name=next]`).AttrOr("value", "") != path {
					t.Errorf("%s: login form does not come back", path)
				}
			}
			nf := v.get(t, "/nowhere")
			want(t, nf, 404, "unknown page")
			contains(t, nf, "404", pick("Page not found", "找不到页面"))
			want(t, v.get(t, "/answers/999999"), 404, "unknown answer")
			want(t, v.get(t, "/answers/abc"), 404, "bad answer id")

			// Writing needs a member.
			_, p := v.post(t, "/preview", url.Values{"text": {"**x**"}})
			want(t, p, 401, "visitor preview")
		})
	}
}

func TestPages_Member(t *testing.T) {
	f := newFixture(t)
	m := f.signIn(t, f.member, "zh-CN")

	home := m.get(t, "/")
	want(t, home, 200, "home")
	contains(t, home, "home", f.pub.Title(), f.priv.Title(), f.en.Title(), "最新解答", "热门标签", "向专家提问")
	lacks(t, home, "home", "会员可以做什么")
	if home.doc.Find("html").AttrOr("lang", "") != "zh-Hans" {
		t.Error("Chinese UI without lang=zh-Hans")
	}

	t.Run("Search", func(t *testing.T) {
		res := m.get(t, "/search?q="+url.QueryEscape("薪资"))
		want(t, res, 200, "search zh")
		if res.doc.Find("ol.list > li").Length() != 1 || res.doc.Find(".snippet mark").Length() == 0 {
			t.Fatalf("search 薪资: %s", res.text("main"))
		}
		res = m.get(t, "/search?q=negotiate")
		want(t, res, 200, "search en")
		if !strings.Contains(res.text("ol.list"), f.en.Title()) || res.doc.Find(".snippet mark").Length() == 0 {
			t.Fatalf("search negotiate: %s", res.text("main"))
		}
		// Snippets keep only <mark>: everything else arrives escaped.
		f.publish(t, "XSS <script>alert(1)</script> title", "<img src=x onerror=alert(1)> searchable xsstoken body", false, "安全")
		res = m.get(t, "/search?q=xsstoken")
		if res.doc.Find("ol.list img, ol.list script").Length() != 0 || !strings.Contains(res.text("ol.list"), "<script>") {
			t.Fatalf("snippet or title not escaped: %s", res.body)
		}
		// Facets narrow; the selected tag can be removed.
		res = m.get(t, "/search?q="+url.QueryEscape("面试"))
		if res.doc.Find(".facets a").Length() == 0 {
			t.Fatalf("no facets: %s", res.text("main"))
		}
		href, ok := res.doc.Find(`.facets a:contains("薪资")`).Attr("href")
		if !ok {
			t.Fatalf("no facet 薪资: %s", res.text(".facets"))
		}
		narrowed := m.get(t, href)
		if n := narrowed.doc.Find("ol.list > li").Length(); n != 1 || narrowed.doc.Find(".chips a.tag.selected").Length() != 1 {
			t.Fatalf("narrowed by 薪资: %d hits", n)
		}
		// No results offers to ask, with the words as the title.
		none := m.get(t, "/search?q="+url.QueryEscape("天文望远镜"))
		ask, _ := none.doc.Find(".empty a").Attr("href")
		if !strings.HasPrefix(ask, "/ask?title=") {
			t.Fatalf("no results: ask link %q", ask)
		}
		form := m.get(t, ask)
		if form.doc.Find("#title").AttrOr("value", "") != "天文望远镜" {
			t.Fatalf("ask form not prefilled: %q", form.doc.Find("#title").AttrOr("value", ""))
		}
	})

	t.Run("Pagination", func(t *testing.T) {
		for i := 0; i < 23; i++ {
			f.publish(t, fmt.Sprintf("分页测试 %d", i), "pagination body", false, "paging")
		}
		p1 := m.get(t, "/search?q=pagination")
		next, ok := p1.doc.Find(`.pager a[rel=next]`).Attr("href")
		if !ok || p1.doc.Find("ol.list > li").Length() != 20 {
			t.Fatalf("page 1: %d hits, next %q", p1.doc.Find("ol.list > li").Length(), next)
		}
		p2 := m.get(t, next)
		if p2.doc.Find("ol.list > li").Length() != 3 || p2.doc.Find(`.pager a[rel=prev]`).Length() != 1 {
			t.Fatalf("page 2: %s", p2.text(".pager"))
		}
		tag := m.get(t, "/tags/paging?page=2")
		if tag.doc.Find("ol.list > li").Length() != 3 {
			t.Fatalf("tag page 2: %d", tag.doc.Find("ol.list > li").Length())
		}
		want(t, m.get(t, "/search?q=x&page=0"), 400, "page 0")
	})

	t.Run("Answer", func(t *testing.T) {
		p := m.get(t, fmt.Sprintf("/answers/%d", f.priv.ID))
		want(t, p, 200, "answer")
		contains(t, p, "answer", "SECRETBODY", "发布于", "相关解答", f.pub.Title())
		if p.doc.Find(".gate").Length() != 0 || p.doc.Find(`a[href$="/edit"]`).Length() != 0 {
			t.Error("member sees a gate or an edit link")
		}
		if got := p.doc.Find("time").First().Text(); !strings.Contains(got, "年") {
			t.Errorf("date not in Chinese: %q", got)
		}
	})

	t.Run("Ask", func(t *testing.T) {
		ask := m.get(t, "/ask")
		want(t, ask, 200, "ask form")
		if ask.doc.Find(`script[src^="/static/app."]`).Length() != 1 {
			t.Error("ask page lacks its script")
		}
		// Without JavaScript: check for similar answers, then preview.
		_, chk := m.post(t, "/ask", url.Values{"title": {"系统设计面试如何准备"}, "action": {"check"}})
		want(t, chk, 200, "check similar")
		if !strings.Contains(chk.text("#similar"), f.pub.Title()) {
			t.Fatalf("similar answers: %q", chk.text("#similar"))
		}
		_, pre := m.post(t, "/ask", url.Values{"title": {"x"}, "body": {"**粗体**"}, "action": {"preview"}})
		if pre.doc.Find("#preview strong").Text() != "粗体" {
			t.Fatalf("preview: %s", pre.text("#preview"))
		}
		// The script's preview endpoint.
		_, pv := m.post(t, "/preview", url.Values{"text": {"# 标题\n\n<script>x</script>"}})
		if pv.status() != 200 || !strings.Contains(pv.body, "<h1") || strings.Contains(pv.body, "<script>") {
			t.Fatalf("preview endpoint: %d %q", pv.status(), pv.body)
		}
		_, pv = m.post(t, "/preview", url.Values{"text": {strings.Repeat("字", qa.MaxBodyLen+1)}})
		if pv.status() != 400 || !strings.Contains(pv.body, "最多") {
			t.Fatalf("long preview: %d %q", pv.status(), pv.body)
		}
		// Invalid input shows the form again, translated, with what was typed.
		_, bad := m.post(t, "/ask", url.Values{"title": {""}, "body": {"我的细节"}, "action": {"ask"}})
		want(t, bad, 400, "empty title")
		if bad.text(".error") != "请填写标题。" || bad.doc.Find("#body").Text() != "我的细节" {
			t.Fatalf("error %q, body %q", bad.text(".error"), bad.doc.Find("#body").Text())
		}
		_, bad = m.post(t, "/ask", url.Values{"title": {"标签太多"}, "tags": {"a,b,c,d,e,f"}, "action": {"ask"}})
		if bad.text(".error") != "最多 5 个标签。" {
			t.Fatalf("tags error %q", bad.text(".error"))
		}
		res, done := m.post(t, "/ask", url.Values{"title": {"如何准备系统设计面试的白板环节？"}, "body": {"我有**两周**时间。"}, "tags": {"面试，系统设计"}, "anonymous": {"on"}, "action": {"ask"}})
		if res.Request.URL.Path != "/my/questions" || done.text(".flash") == "" {
			t.Fatalf("ask landed on %s flash %q", res.Request.URL, done.text(".flash"))
		}
		if !strings.Contains(done.text("ol.list"), "白板环节") || done.text(".status") != "待回答" {
			t.Fatalf("my questions: %s", done.text("ol.list"))
		}
		qs, _, _ := f.store.FindQuestions(f.ctx, qa.System(), qa.QuestionFilter{Newest: true})
		last := qs[0]
		if !last.Anonymous || strings.Join(last.Tags, ",") != "面试,系统设计" {
			t.Fatalf("question saved as %+v", last)
		}
		// Withdraw it.
		_, w := m.post(t, fmt.Sprintf("/my/questions/%d/withdraw", last.ID), nil)
		if w.text(".status") != "已撤回" {
			t.Fatalf("after withdraw: %s", w.text("ol.list"))
		}
		// The same form sent twice (a double click, a reload) asks once:
		// its one-time token comes from the page.
		form := m.get(t, "/ask")
		once := form.doc.Find(`form[action="/ask"] input[name="once"]`).AttrOr("value", "")
		if len(once) < 16 {
			t.Fatalf("the ask form has no one-time token: %q", once)
		}
		_, before, _ := f.store.FindQuestions(f.ctx, qa.System(), qa.QuestionFilter{})
		sent := url.Values{"once": {once}, "title": {"双击提交的问题 double click"}, "action": {"ask"}}
		for i := 0; i < 2; i++ {
			res, page := m.post(t, "/ask", sent)
			if res.Request.URL.Path != "/my/questions" {
				t.Fatalf("sending %d landed on %s: %s", i+1, res.Request.URL, page.text("main"))
			}
		}
		_, after, _ := f.store.FindQuestions(f.ctx, qa.System(), qa.QuestionFilter{})
		if after != before+1 {
			t.Fatalf("the form sent twice asked %d questions", after-before)
		}
	})

	t.Run("Forbidden", func(t *testing.T) {
		for _, path := range []string{"/queue", "/members", "/queue/reasons", fmt.Sprintf("/answers/%d/edit", f.pub.ID), "/answers/new"} {
			p := m.get(t, path)
			want(t, p, 403, path)
			contains(t, p, path, "没有权限", "只有专家可以进行这个操作。")
		}
		_, p := m.post(t, "/members", url.Values{"email": {"x@example.com"}, "name": {"x"}, "password": {"12345678"}})
		want(t, p, 403, "member adds a member")
	})
}

func TestPages_MyQuestions(t *testing.T) {
	f := newFixture(t)
	x := qa.Actor{Member: f.expert, Scope: qa.ScopeWrite}
	me := qa.Actor{Member: f.member, Scope: qa.ScopeWrite}
	ask := func(title string) *qa.Question {
		q, err := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: title})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	declined, dup, answered := ask("被婉拒的问题"), ask("重复的问题"), ask("Answered question")
	if _, err := f.store.DeclineQuestion(f.ctx, x, declined.ID, "不在本社区范围内。\n请换个地方问。"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.MarkDuplicate(f.ctx, x, dup.ID, f.pub.ID); err != nil {
		t.Fatal(err)
	}
	a, err := f.store.AnswerQuestion(f.ctx, x, answered.ID, qa.AnswerCreate{Body: "Here is how."})
	if err != nil {
		t.Fatal(err)
	}
	ask("Still pending")

	for _, lang := range []string{"en", "zh-CN"} {
		p := f.signIn(t, f.member, lang).get(t, "/my/questions")
		want(t, p, 200, "my questions")
		items := p.doc.Find("ol.list > li")
		if items.Length() != 4 {
			t.Fatalf("%d questions", items.Length())
		}
		if r := p.text(".reason .pre"); r != "不在本社区范围内。\n请换个地方问。" {
			t.Errorf("decline reason %q", r)
		}
		if href, _ := p.doc.Find(fmt.Sprintf(`a[href="/answers/%d"]`, f.pub.ID)).Attr("href"); href == "" || !strings.Contains(p.body, f.pub.Title()) {
			t.Error("no link to the duplicate's answer")
		}
		if p.doc.Find(fmt.Sprintf(`a[href="/answers/%d"]`, a.ID)).Length() != 1 {
			t.Error("no link to the answer")
		}
		if p.doc.Find(`form[action$="/withdraw"]`).Length() != 1 {
			t.Error("pending question cannot be withdrawn")
		}
		if lang == "en" {
			contains(t, p, "en statuses", "Declined", "Duplicate", "Answered", "Pending", "4 questions")
		} else {
			contains(t, p, "zh statuses", "已婉拒", "重复", "已解答", "待回答", "共 4 个问题")
		}
	}
	// Another member sees none of them.
	other := f.person(t, "王五", qa.RoleMember, nil)
	p := f.signIn(t, other, "en").get(t, "/my/questions")
	if p.doc.Find("ol.list > li").Length() != 0 {
		t.Fatal("another member sees someone's questions")
	}
	_, w := f.signIn(t, other, "en").post(t, fmt.Sprintf("/my/questions/%d/withdraw", declined.ID), nil)
	want(t, w, 404, "withdraw another's question")
}

func TestPages_ExpiredMember(t *testing.T) {
	f := newFixture(t)
	teasersOff(t, f.site)
	for _, lang := range []string{"en", "zh-CN"} {
		b := f.signIn(t, f.lapsed, lang)
		zh := lang != "en"
		home := b.get(t, "/")
		want(t, home, 200, "home")
		notice := home.text(".notice")
		if zh && !strings.Contains(notice, "到期") || !zh && !strings.Contains(notice, "ended on") {
			t.Errorf("expired notice %q", notice)
		}
		lacks(t, home, "home", f.priv.Title())
		contains(t, home, "home", f.pub.Title())

		priv := b.get(t, fmt.Sprintf("/answers/%d", f.priv.ID))
		want(t, priv, 200, "teaser")
		lacks(t, priv, "teaser", "SECRETBODY")
		if g := priv.text(".gate"); zh && !strings.Contains(g, "续费") || !zh && !strings.Contains(g, "Renew") {
			t.Errorf("renew prompt %q", g)
		}
		res := b.get(t, "/search?q="+url.QueryEscape("薪资"))
		if res.doc.Find("ol.list > li").Length() != 0 {
			t.Error("lapsed member finds member-only answers")
		}
		ask := b.get(t, "/ask")
		want(t, ask, 200, "ask")
		if ask.doc.Find("form[action='/ask']").Length() != 0 || ask.doc.Find(".gate").Length() != 1 {
			t.Error("lapsed member gets the ask form")
		}
		_, post := b.post(t, "/ask", url.Values{"title": {"still asking"}, "action": {"ask"}})
		want(t, post, 403, "lapsed member asks")
		want(t, b.get(t, "/my/questions"), 200, "my questions")
		want(t, b.get(t, "/account"), 200, "account")
	}
}

func TestPages_Expert(t *testing.T) {
	f := newFixture(t)
	me := qa.Actor{Member: f.member, Scope: qa.ScopeWrite}
	// The queue shows the published answers that match closely: the title
	// holds the words of f.pub's.
	q, err := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "系统设计面试如何准备？", Body: "我是**后端**工程师。", Tags: []string{"面试"}})
	if err != nil {
		t.Fatal(err)
	}
	q2, _ := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "How to ask for a raise?", Tags: []string{"career"}})
	q3, _ := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "A question to decline"})
	q4, _ := f.store.CreateQuestion(f.ctx, me, qa.QuestionCreate{Title: "A duplicate of the interview answer"})
	x := f.signIn(t, f.expert, "en")

	t.Run("Queue", func(t *testing.T) {
		p := x.get(t, "/queue")
		want(t, p, 200, "queue")
		if p.doc.Find("ol.queue > li").Length() != 4 || !strings.Contains(p.text("nav.main"), "4") {
			t.Fatalf("queue: %s", p.text("main"))
		}
		first := p.doc.Find("ol.queue > li").First()
		if !strings.Contains(first.Find(".item-title").Text(), q.Title) || !strings.Contains(first.Find(".similar-mini").Text(), f.pub.Title()) {
			t.Fatalf("oldest first with similar answers: %s", first.Text())
		}
		newest := x.get(t, "/queue?sort=newest")
		if !strings.Contains(newest.text("ol.queue > li .item-title"), q4.Title) {
			t.Fatalf("newest first: %s", newest.text("ol.queue"))
		}
		byTag := x.get(t, "/queue?tag=career")
		if byTag.doc.Find("ol.queue > li").Length() != 1 || !strings.Contains(byTag.text("ol.queue"), q2.Title) {
			t.Fatalf("filter by tag: %s", byTag.text("ol.queue"))
		}
	})

	t.Run("Draft", func(t *testing.T) {
		item := x.get(t, fmt.Sprintf("/queue/%d", q.ID))
		want(t, item, 200, "queue item")
		if item.doc.Find("#title").AttrOr("value", "") != q.Title || item.doc.Find("#tags").AttrOr("value", "") != "面试" {
			t.Fatal("editor not filled from the question")
		}
		if item.doc.Find(`input[name=reason]`).Length() != 4 {
			t.Fatalf("default canned reasons: %d", item.doc.Find(`input[name=reason]`).Length())
		}
		form := url.Values{"title": {q.Title}, "question_body": {q.Body}, "body": {"先读 *DDIA*。"}, "tags": {"面试, 系统设计"}, "public": {"on"}}
		res, p := x.post(t, fmt.Sprintf("/queue/%d/draft", q.ID), form)
		if res.Request.URL.Path != fmt.Sprintf("/queue/%d", q.ID) || p.text(".flash") != "Draft saved." {
			t.Fatalf("save draft: %s %q", res.Request.URL, p.text(".flash"))
		}
		if p.doc.Find("#body").Text() != "先读 *DDIA*。" || p.doc.Find("#public[checked]").Length() != 1 {
			t.Fatalf("draft not shown: %q", p.doc.Find("#body").Text())
		}
		// The script's autosave gets JSON.
		req := jsonPost(t, x, fmt.Sprintf("/queue/%d/draft", q.ID), url.Values{"title": {q.Title}, "body": {"autosaved"}})
		if req.status() != 200 || !strings.Contains(req.body, `"message":"Draft saved`) {
			t.Fatalf("autosave: %d %s", req.status(), req.body)
		}
		if d, err := f.store.FindDraft(f.ctx, qa.Actor{Member: f.expert, Scope: qa.ScopeWrite}, q.ID); err != nil || d.Body != "autosaved" {
			t.Fatalf("draft in the store: %v %v", d, err)
		}
		queue := x.get(t, "/queue")
		if queue.doc.Find(".badge.draft").Length() != 1 {
			t.Error("queue does not mark the draft")
		}
	})

	t.Run("Publish", func(t *testing.T) {
		// Preview without JavaScript keeps the input.
		_, pre := x.post(t, fmt.Sprintf("/queue/%d/answer", q.ID), url.Values{"title": {q.Title}, "body": {"## 两周计划\n\n每天一题。"}, "action": {"preview"}})
		if pre.doc.Find("#preview h2").Length() != 1 || pre.doc.Find("#body").Text() != "## 两周计划\n\n每天一题。" {
			t.Fatalf("preview: %s", pre.text("#preview"))
		}
		_, bad := x.post(t, fmt.Sprintf("/queue/%d/answer", q.ID), url.Values{"title": {q.Title}, "body": {"  "}, "action": {"publish"}})
		want(t, bad, 400, "empty answer")
		if bad.text(".error") != "Answer is required." {
			t.Fatalf("error %q", bad.text(".error"))
		}
		res, p := x.post(t, fmt.Sprintf("/queue/%d/answer", q.ID), url.Values{
			"title": {"系统设计面试要准备多久？"}, "question_body": {q.Body}, "body": {"## 两周计划\n\n每天练习一道**设计题**，关键词 whiteboardplan。"},
			"tags": {"面试, 系统设计"}, "action": {"publish"},
		})
		// On to the next pending question (the oldest), with the flash.
		if res.Request.URL.Path != fmt.Sprintf("/queue/%d", q2.ID) || p.text(".flash") != "Published. The answer is in the archive." {
			t.Fatalf("publish landed on %s: %s", res.Request.URL, p.text(".flash"))
		}
		// Searchable at once, and the draft is gone.
		s := x.get(t, "/search?q=whiteboardplan")
		if s.doc.Find("ol.list > li").Length() != 1 {
			t.Fatalf("published answer not found at once: %s", s.text("main"))
		}
		if _, err := f.store.FindDraft(f.ctx, qa.Actor{Member: f.expert, Scope: qa.ScopeWrite}, q.ID); qa.ErrorCode(err) != qa.ENOTFOUND {
			t.Fatalf("draft kept after publishing: %v", err)
		}
		again := x.get(t, fmt.Sprintf("/queue/%d", q.ID))
		if again.doc.Find("form[action$='/answer']").Length() != 0 || again.doc.Find(".notice a").Length() != 1 {
			t.Fatal("an answered question still offers the editor")
		}
		_, twice := x.post(t, fmt.Sprintf("/queue/%d/answer", q.ID), url.Values{"title": {q.Title}, "body": {"again"}, "action": {"publish"}})
		want(t, twice, 409, "publish twice")
	})

	t.Run("Decline", func(t *testing.T) {
		_, none := x.post(t, fmt.Sprintf("/queue/%d/decline", q3.ID), url.Values{})
		want(t, none, 400, "decline without a reason")
		res, _ := x.post(t, fmt.Sprintf("/queue/%d/decline", q3.ID), url.Values{"reason": {"canned"}, "reason_text": {"  我自己写的理由  "}})
		if res.Request.URL.Path != fmt.Sprintf("/queue/%d", q2.ID) {
			t.Fatalf("decline landed on %s, not the next question", res.Request.URL)
		}
		got, _ := f.store.FindQuestionByID(f.ctx, qa.System(), q3.ID)
		if got.Status != qa.StatusDeclined || got.DeclineReason != "我自己写的理由" {
			t.Fatalf("declined as %s %q", got.Status, got.DeclineReason)
		}
	})

	t.Run("Duplicate", func(t *testing.T) {
		p := x.get(t, fmt.Sprintf("/queue/%d?dq=%s", q4.ID, url.QueryEscape("系统设计")))
		if p.doc.Find(`#duplicate form input[name=answer_id][value="`+fmt.Sprint(f.pub.ID)+`"]`).Length() == 0 {
			t.Fatalf("duplicate search: %s", p.text("#duplicate"))
		}
		res, dp := x.post(t, fmt.Sprintf("/queue/%d/duplicate", q4.ID), url.Values{"answer_id": {fmt.Sprint(f.pub.ID)}})
		if res.Request.URL.Path != fmt.Sprintf("/queue/%d", q2.ID) || dp.text(".flash") != "The question was marked as a duplicate." {
			t.Fatalf("duplicate landed on %s: %q", res.Request.URL, dp.text(".flash"))
		}
		got, _ := f.store.FindQuestionByID(f.ctx, qa.System(), q4.ID)
		if got.Status != qa.StatusDuplicate || *got.DuplicateOfID != f.pub.ID {
			t.Fatalf("duplicate: %+v", got)
		}
	})

	t.Run("Reasons", func(t *testing.T) {
		p := x.get(t, "/queue/reasons")
		if p.doc.Find("textarea[name=reason]").Length() != 6 {
			t.Fatalf("reason boxes: %d", p.doc.Find("textarea[name=reason]").Length())
		}
		res, p := x.post(t, "/queue/reasons", url.Values{"reason": {"Off topic here.", "", "太宽泛了。"}})
		if res.Request.URL.Path != "/queue/reasons" || p.doc.Find("textarea[name=reason]").First().Text() != "Off topic here." {
			t.Fatalf("reasons saved: %s", p.text("main"))
		}
		item := x.get(t, fmt.Sprintf("/queue/%d", q2.ID))
		if item.doc.Find(`input[name=reason]`).Length() != 2 || item.doc.Find(`input[name=reason]`).First().AttrOr("value", "") != "Off topic here." {
			t.Fatal("canned reasons not offered")
		}
	})

	t.Run("Edit", func(t *testing.T) {
		p := x.get(t, fmt.Sprintf("/answers/%d/edit", f.en.ID))
		want(t, p, 200, "edit")
		if p.doc.Find("#body").Text() != "Research the market rate first. MEMBERSONLY text." || p.doc.Find(".revisions ol.list > li").Length() != 1 {
			t.Fatalf("edit form: %q, %d revisions", p.doc.Find("#body").Text(), p.doc.Find(".revisions ol.list > li").Length())
		}
		res, a := x.post(t, fmt.Sprintf("/answers/%d/edit", f.en.ID), url.Values{
			"title": {"How do I negotiate a job offer well?"}, "body": {"Know your number. editedword"}, "tags": {"career"},
			"public": {"on"}, "published": {"on"},
		})
		if res.Request.URL.Path != fmt.Sprintf("/answers/%d", f.en.ID) || !strings.Contains(a.text("h1"), "well?") {
			t.Fatalf("edit landed on %s", res.Request.URL)
		}
		if x.get(t, "/search?q=editedword").doc.Find("ol.list > li").Length() != 1 {
			t.Fatal("edit not searchable at once")
		}
		// Now public: a visitor reads it in full.
		v := f.browser("en").get(t, fmt.Sprintf("/answers/%d", f.en.ID))
		contains(t, v, "public after edit", "editedword")
		p = x.get(t, fmt.Sprintf("/answers/%d/edit", f.en.ID))
		if p.doc.Find(".revisions ol.list > li").Length() != 2 {
			t.Fatalf("revisions: %d", p.doc.Find(".revisions ol.list > li").Length())
		}
		// Unpublish: gone for members, still there for the expert.
		x.post(t, fmt.Sprintf("/answers/%d/edit", f.en.ID), url.Values{"title": {"How do I negotiate a job offer well?"}, "body": {"Know your number. editedword"}, "tags": {"career"}})
		want(t, f.signIn(t, f.member, "en").get(t, fmt.Sprintf("/answers/%d", f.en.ID)), 404, "unpublished answer")
		contains(t, x.get(t, fmt.Sprintf("/answers/%d", f.en.ID)), "expert sees unpublished", "Not in the archive")
	})

	t.Run("FAQ", func(t *testing.T) {
		res, p := x.post(t, "/answers/new", url.Values{"title": {"常见问题：会员如何续费？"}, "body": {"联系主理人。faqword"}, "tags": {"会员"}, "public": {"on"}, "action": {"publish"}})
		if !strings.HasPrefix(res.Request.URL.Path, "/answers/") || !strings.Contains(p.text("h1"), "续费") {
			t.Fatalf("FAQ landed on %s: %s", res.Request.URL, p.text("main"))
		}
	})

	t.Run("Members", func(t *testing.T) {
		p := x.get(t, "/members")
		want(t, p, 200, "members")
		if p.doc.Find("table.members tbody tr").Length() != 3 || !strings.Contains(p.text("table"), "韩梅梅") {
			t.Fatalf("members: %s", p.text("table"))
		}
		if !strings.Contains(p.doc.Find("table.members tbody tr:contains('韩梅梅')").Text(), "Expired") {
			t.Error("lapsed membership not shown as expired")
		}
		res, p := x.post(t, "/members", url.Values{"email": {"new@example.com"}, "name": {"新会员"}, "password": {"first-password"}, "active_until": {"2031-12-31"}, "role": {"member"}})
		if res.Request.URL.Path != "/members" || p.text(".flash") != "Member added." || !strings.Contains(p.text("table"), "新会员") {
			t.Fatalf("add member: %s", p.text("main"))
		}
		_, p = x.post(t, "/members", url.Values{"email": {"NEW@example.com"}, "name": {"dup"}, "password": {"first-password"}})
		want(t, p, 409, "same email")
		if !strings.Contains(p.text(".error"), "NEW@example.com") || p.doc.Find("#m-email").AttrOr("value", "") != "NEW@example.com" {
			t.Fatalf("duplicate email error %q", p.text(".error"))
		}
		// Renew the lapsed member: they read the archive again at once.
		lapsedBrowser := f.signIn(t, f.lapsed, "en")
		x.post(t, fmt.Sprintf("/members/%d", f.lapsed.ID), url.Values{"active_until": {time.Now().AddDate(0, 6, 0).Format(time.DateOnly)}})
		contains(t, lapsedBrowser.get(t, fmt.Sprintf("/answers/%d", f.priv.ID)), "renewed", "SECRETBODY")
		_, p = x.post(t, fmt.Sprintf("/members/%d", f.lapsed.ID), url.Values{"active_until": {"31/12/2030"}})
		want(t, p, 400, "bad date")
		_, p = x.post(t, "/members/99999", url.Values{"active_until": {"2030-01-01"}})
		want(t, p, 404, "unknown member")
	})
}

// jsonPost posts a form as the page's script does.
func jsonPost(t testing.TB, b *browser, path string, form url.Values) *page {
	t.Helper()
	req, _ := newRequest(b, "POST", path, form.Encode())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return b.do(t, req)
}
