package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"answerbook/qa"
)

// TestPages_Webhooks: the expert adds a webhook on the page (its secret
// shown once), sees the delivery an answer's publication queues, with its
// attempts, status and error as the dispatcher records them, in English
// and Chinese, and removes it. Members may not, visitors sign in first.
func TestPages_Webhooks(t *testing.T) {
	f := newFixture(t)
	x := f.signIn(t, f.expert, "en")
	xa := qa.Actor{Member: f.expert, Scope: qa.ScopeWrite}

	p := x.get(t, "/webhooks")
	want(t, p, 200, "webhooks")
	if p.text(".empty") != "No webhooks yet." || p.doc.Find(`nav.main a[href="/webhooks"][aria-current="page"]`).Length() != 1 {
		t.Fatalf("empty webhooks page: %q", p.text("main"))
	}
	if p.doc.Find(`input[name=event][checked]`).Length() != len(qa.WebhookEvents) {
		t.Fatal("a fresh form does not tick every event")
	}

	t.Run("Invalid", func(t *testing.T) {
		for _, c := range []struct {
			url, msg string
		}{
			{"ftp://hooks.example/x", "The webhook URL must be an http or https address"},
			{"https://user:pw@hooks.example/x", "without a user name or password"},
			{"hooks.example/x", "must be an http or https address"},
			{"https://hooks.example/" + strings.Repeat("a", 2001), "at most 2000 characters"},
		} {
			_, p := x.post(t, "/webhooks", url.Values{"url": {c.url}, "event": {qa.EventAnswerPublished}})
			want(t, p, 400, c.url)
			if !strings.Contains(p.text(".error"), c.msg) {
				t.Errorf("%.40s: error %q", c.url, p.text(".error"))
			}
			if len(c.url) < 2000 && p.doc.Find("#w-url").AttrOr("value", "") != c.url {
				t.Errorf("%s: the form lost the URL", c.url)
			}
		}
		_, p := x.post(t, "/webhooks", url.Values{"url": {"https://hooks.example/x"}})
		want(t, p, 400, "no event")
		if p.text(".error") != "Pick at least one event." || p.doc.Find(`input[name=event][checked]`).Length() != 0 {
			t.Fatalf("no event: %q", p.text(".error"))
		}
		_, p = x.post(t, "/webhooks", url.Values{"url": {"https://hooks.example/x"}, "event": {"answer.deleted"}})
		want(t, p, 400, "unknown event")
		if hooks, _ := f.store.FindWebhooks(f.ctx, xa); len(hooks) != 0 {
			t.Fatalf("invalid forms registered %d webhooks", len(hooks))
		}
	})

	hookURL := "https://hooks.example/answerbook?source=page"
	var secret string
	t.Run("Add", func(t *testing.T) {
		_, p := x.post(t, "/webhooks", url.Values{"url": {hookURL}, "event": {qa.EventAnswerPublished, qa.EventQuestionCreated}})
		want(t, p, 200, "add webhook")
		secret = p.text("#secret")
		if !strings.HasPrefix(secret, "whsec_") || p.res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("secret %q, cache %q", secret, p.res.Header.Get("Cache-Control"))
		}
		if strings.Contains(p.res.Request.URL.String(), secret) {
			t.Fatal("the secret travels in a URL")
		}
		hooks, err := f.store.FindWebhooks(f.ctx, xa)
		if err != nil || len(hooks) != 1 || hooks[0].Secret != secret || hooks[0].URL != hookURL || hooks[0].Events.String() != "answer.published,question.created" {
			t.Fatalf("stored webhooks %+v %v", hooks, err)
		}
		again := x.get(t, "/webhooks")
		if strings.Contains(again.body, secret) || again.doc.Find("#secret").Length() != 0 {
			t.Fatal("the secret is shown again")
		}
		item := again.doc.Find("li.webhook")
		if item.Length() != 1 || item.Find("h2").Text() != hookURL || !strings.Contains(item.Text(), "An answer is published") ||
			!strings.Contains(item.Text(), "question.created") || strings.Contains(item.Text(), "answer.updated") {
			t.Fatalf("webhook listed as %q", item.Text())
		}
		if !strings.Contains(item.Text(), "Nothing delivered yet.") || item.Find("time").Length() != 1 {
			t.Fatalf("new webhook: %q", item.Text())
		}
	})

	t.Run("Deliveries", func(t *testing.T) {
		res, a := x.post(t, "/answers/new", url.Values{"title": {"Webhook test answer"}, "body": {"Delivered by a webhook."}, "public": {"on"}, "action": {"publish"}})
		if !strings.HasPrefix(res.Request.URL.Path, "/answers/") {
			t.Fatalf("publish landed on %s: %s", res.Request.URL, a.text("main"))
		}
		id := strings.TrimPrefix(res.Request.URL.Path, "/answers/")
		p := x.get(t, "/webhooks")
		rows := p.doc.Find("table.deliveries tbody tr")
		if rows.Length() != 1 {
			t.Fatalf("%d deliveries listed: %s", rows.Length(), p.text("main"))
		}
		row := rows.First()
		cells := row.Find("td")
		if !strings.Contains(row.Find("th").Text(), "An answer is published") || row.Find(`th a[href="/answers/`+id+`"]`).Length() != 1 ||
			strings.TrimSpace(cells.Eq(0).Text()) != "Waiting" || strings.TrimSpace(cells.Eq(2).Text()) != "0" ||
			!strings.Contains(cells.Eq(4).Text(), "next attempt") {
			t.Fatalf("queued delivery shown as %q", row.Text())
		}

		// The dispatcher's first attempt failed: its outcome shows.
		hooks, _ := f.store.FindWebhooks(f.ctx, xa)
		ds, err := f.store.FindDeliveries(f.ctx, xa, hooks[0].ID, 10)
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries %v %v", ds, err)
		}
		if err := f.store.RecordAttempt(f.ctx, ds[0], 502, "the receiver answered 502", time.Minute); err != nil {
			t.Fatal(err)
		}
		cells = x.get(t, "/webhooks").doc.Find("table.deliveries tbody tr td")
		if strings.TrimSpace(cells.Eq(1).Text()) != "502" || strings.TrimSpace(cells.Eq(2).Text()) != "1" ||
			strings.TrimSpace(cells.Eq(3).Text()) != "the receiver answered 502" {
			t.Fatalf("failed attempt shown as %q", cells.Text())
		}
		// Then it went through.
		if err := f.store.RecordAttempt(f.ctx, ds[0], 204, "", time.Minute); err != nil {
			t.Fatal(err)
		}
		cells = x.get(t, "/webhooks").doc.Find("table.deliveries tbody tr td")
		if strings.TrimSpace(cells.Eq(0).Text()) != "Delivered" || strings.TrimSpace(cells.Eq(1).Text()) != "204" ||
			strings.TrimSpace(cells.Eq(2).Text()) != "2" || !strings.Contains(cells.Eq(4).Text(), "delivered") {
			t.Fatalf("delivered shown as %q", cells.Text())
		}

		// A question asked by a member is the other subscribed event.
		if _, err := f.store.CreateQuestion(f.ctx, qa.Actor{Member: f.member, Scope: qa.ScopeWrite}, qa.QuestionCreate{Title: "A question for the webhook"}); err != nil {
			t.Fatal(err)
		}
		zh := f.signIn(t, f.expert, "zh-CN")
		p = zh.get(t, "/webhooks")
		want(t, p, 200, "webhooks in Chinese")
		if p.text("h1") != "Webhook" || p.doc.Find("table.deliveries tbody tr").Length() != 2 {
			t.Fatalf("Chinese page: %s", p.text("main"))
		}
		contains(t, p, "Chinese page", "有人提问", "发布了解答", "等待中", "已送达", "最近的投递", "添加 Webhook")
		if strings.Contains(p.body, "Waiting") || strings.Contains(p.body, "Delivered") {
			t.Error("English on the Chinese page")
		}
	})

	t.Run("Redeliver", func(t *testing.T) {
		p := x.get(t, "/webhooks")
		forms := p.doc.Find(`table.deliveries form[action$="/redeliver"]`)
		if forms.Length() != 2 {
			t.Fatalf("%d redeliver buttons", forms.Length())
		}
		// The delivered one (the answer's) is the older: the last row.
		action, _ := forms.Last().Attr("action")
		res, p := x.post(t, action, nil)
		if res.Request.URL.Path != "/webhooks" || p.text(".flash") != "The delivery is queued and will be sent again in a moment." {
			t.Fatalf("after redelivering: %s %q", res.Request.URL, p.text(".flash"))
		}
		cells := p.doc.Find("table.deliveries tbody tr").Last().Find("td")
		if strings.TrimSpace(cells.Eq(0).Text()) != "Waiting" || strings.TrimSpace(cells.Eq(2).Text()) != "0" {
			t.Fatalf("redelivered shown as %q", cells.Text())
		}
		m := f.signIn(t, f.member, "en")
		_, p = m.post(t, action, nil)
		want(t, p, 403, "member redelivers")
		_, p = x.post(t, strings.Replace(action, "/deliveries/", "/deliveries/9999", 1), nil)
		want(t, p, 404, "no such delivery")
	})

	t.Run("Rotate", func(t *testing.T) {
		hooks, _ := f.store.FindWebhooks(f.ctx, xa)
		old := hooks[0].Secret
		_, p := x.post(t, fmt.Sprintf("/webhooks/%d/rotate", hooks[0].ID), url.Values{"overlap_hours": {"12"}})
		want(t, p, 200, "rotate")
		secret := p.text("#secret")
		if !strings.HasPrefix(secret, "whsec_") || secret == old || p.res.Header.Get("Cache-Control") != "no-store" ||
			!strings.Contains(p.text(".secret"), "The old secret keeps signing beside the new one until") {
			t.Fatalf("rotated: %q %q", secret, p.text(".secret"))
		}
		hooks, _ = f.store.FindWebhooks(f.ctx, xa)
		if hooks[0].Secret != secret || hooks[0].PreviousSecret != old || len(hooks[0].SigningSecrets(f.store.Now())) != 2 {
			t.Fatalf("stored %+v", hooks[0])
		}
		_, p = x.post(t, fmt.Sprintf("/webhooks/%d/rotate", hooks[0].ID), url.Values{"overlap_hours": {"999"}})
		want(t, p, 400, "overlap too long")
		if !strings.Contains(p.text(".error"), "between 0 and 168 hours") {
			t.Fatalf("error %q", p.text(".error"))
		}
		m := f.signIn(t, f.member, "en")
		_, p = m.post(t, fmt.Sprintf("/webhooks/%d/rotate", hooks[0].ID), nil)
		want(t, p, 403, "member rotates")
	})

	t.Run("Others", func(t *testing.T) {
		hooks, _ := f.store.FindWebhooks(f.ctx, xa)
		del := fmt.Sprintf("/webhooks/%d/delete", hooks[0].ID)
		m := f.signIn(t, f.member, "en")
		want(t, m.get(t, "/webhooks"), 403, "member lists webhooks")
		_, p := m.post(t, "/webhooks", url.Values{"url": {"https://evil.example/"}, "event": {qa.EventAnswerPublished}})
		want(t, p, 403, "member adds a webhook")
		_, p = m.post(t, del, nil)
		want(t, p, 403, "member removes a webhook")
		if m.get(t, "/").doc.Find(`nav.main a[href="/webhooks"]`).Length() != 0 {
			t.Error("members are offered the webhooks page")
		}
		lapsed := f.signIn(t, f.lapsed, "en")
		want(t, lapsed.get(t, "/webhooks"), 403, "lapsed member lists webhooks")

		v := f.browser("en")
		p = v.get(t, "/webhooks")
		if p.status() != 200 || p.res.Request.URL.Path != "/login" || p.res.Request.URL.Query().Get("next") != "/webhooks" {
			t.Fatalf("visitor: %d at %s", p.status(), p.res.Request.URL)
		}
		_, p = v.post(t, "/webhooks", url.Values{"url": {"https://evil.example/"}, "event": {qa.EventAnswerPublished}})
		want(t, p, 401, "visitor adds a webhook")
		_, p = v.post(t, del, nil)
		want(t, p, 401, "visitor removes a webhook")
		if got, _ := f.store.FindWebhooks(f.ctx, xa); len(got) != 1 || got[0].URL != hookURL {
			t.Fatalf("webhooks changed by others: %+v", got)
		}
	})

	t.Run("Remove", func(t *testing.T) {
		p := x.get(t, "/webhooks")
		action, ok := p.doc.Find(`li.webhook form[action$="/delete"]`).Attr("action")
		if !ok {
			t.Fatal("no remove button")
		}
		res, p := x.post(t, action, nil)
		if res.Request.URL.Path != "/webhooks" || p.text(".flash") != "Webhook removed." || p.doc.Find("li.webhook").Length() != 0 {
			t.Fatalf("after removing: %s %s", res.Request.URL, p.text("main"))
		}
		if hooks, _ := f.store.FindWebhooks(f.ctx, xa); len(hooks) != 0 {
			t.Fatalf("still stored: %+v", hooks)
		}
		_, p = x.post(t, action, nil)
		want(t, p, 404, "remove twice")
		_, p = x.post(t, "/webhooks/nope/delete", nil)
		want(t, p, 404, "remove a non-id")
	})
}

// TestAccount_FeedToken: a member makes a feed link on the account page,
// shown once; it works without a session against the real feed route, in
// full for an active member and as teasers for a lapsed one; a new link
// replaces the old; revoking ends it.
func TestAccount_FeedToken(t *testing.T) {
	f := newFixture(t)
	b := f.signIn(t, f.member, "zh-CN")
	client := &http.Client{Timeout: 20 * time.Second}
	fetch := func(t *testing.T, u string) (int, string) {
		t.Helper()
		res, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var sb strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := res.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return res.StatusCode, sb.String()
	}
	create := func(t *testing.T, b *browser) (all, tag string, p *page) {
		t.Helper()
		_, p = b.post(t, "/account/feed-token", nil)
		want(t, p, 200, "create feed link")
		if p.res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("cache %q", p.res.Header.Get("Cache-Control"))
		}
		return p.text("#feed-all"), p.text("#feed-tag"), p
	}

	p := b.get(t, "/account")
	contains(t, p, "account", "个人订阅源", "还没有订阅链接。", "创建订阅链接")
	if p.doc.Find(`form[action="/account/feed-token/revoke"]`).Length() != 0 {
		t.Fatal("a revoke button without a feed link")
	}

	all, tag, p := create(t, b)
	u, err := url.Parse(all)
	if err != nil || u.Path != "/feeds/answers.atom" || !strings.HasPrefix(all, f.URL) || !strings.HasPrefix(u.Query().Get("token"), "abf_") {
		t.Fatalf("feed URL %q", all)
	}
	if strings.Contains(p.res.Request.URL.String(), "abf_") {
		t.Fatal("the token travels in a URL of the page")
	}
	if !strings.Contains(p.body, "标签“面试”下的解答") || !strings.HasSuffix(strings.Split(tag, "?")[0], "/feeds/tags/"+url.PathEscape("面试")+".atom") ||
		!strings.HasSuffix(tag, "?token="+url.QueryEscape(u.Query().Get("token"))) {
		t.Fatalf("tag feed example %q", tag)
	}
	// The link works on its own, with what the member may read in full.
	st, body := fetch(t, all)
	if st != 200 || !strings.Contains(body, "<feed") || !strings.Contains(body, "SECRETBODY") {
		t.Fatalf("feed: %d %.300s", st, body)
	}
	st, body = fetch(t, tag)
	if st != 200 || !strings.Contains(body, "SECRETBODY") || strings.Contains(body, "MEMBERSONLY") {
		t.Fatalf("tag feed: %d %.300s", st, body)
	}
	if _, err := f.store.ActorForFeedToken(f.ctx, u.Query().Get("token")); err != nil {
		t.Fatal(err)
	}

	// Shown once: the page now only says a link exists.
	again := b.get(t, "/account")
	if strings.Contains(again.body, "abf_") || again.doc.Find("#feed-all").Length() != 0 {
		t.Fatal("the feed link is shown again")
	}
	contains(t, again, "account with a feed link", "你已有订阅链接", "重新创建订阅链接", "撤销订阅链接")

	// A new link replaces the old one.
	all2, _, _ := create(t, b)
	if all2 == all {
		t.Fatal("the same link twice")
	}
	if st, _ := fetch(t, all); st != 401 {
		t.Fatalf("the replaced link still works: %d", st)
	}
	if st, _ := fetch(t, all2); st != 200 {
		t.Fatalf("the new link: %d", st)
	}

	// Revoked: the link stops working at once.
	res, p := b.post(t, "/account/feed-token/revoke", nil)
	if res.Request.URL.Path != "/account" || p.text(".flash") != "订阅链接已撤销，不能再使用。" || !strings.Contains(p.body, "还没有订阅链接。") {
		t.Fatalf("after revoking: %s %s", res.Request.URL, p.text("main"))
	}
	if st, _ := fetch(t, all2); st != 401 {
		t.Fatalf("the revoked link still works: %d", st)
	}
	u2, _ := url.Parse(all2)
	if _, err := f.store.ActorForFeedToken(f.ctx, u2.Query().Get("token")); qa.ErrorCode(err) != qa.EUNAUTHORIZED {
		t.Fatalf("revoked token: %v", err)
	}

	t.Run("English", func(t *testing.T) {
		e := f.signIn(t, f.member, "en")
		all, _, p := create(t, e)
		contains(t, p, "English account", "Personal feed", "Copy these links now.", "All answers:", "Answers tagged “面试”:")
		lacks(t, p, "English account", "订阅")
		if st, _ := fetch(t, all); st != 200 {
			t.Fatalf("feed: %d", st)
		}
	})

	t.Run("Lapsed", func(t *testing.T) {
		l := f.signIn(t, f.lapsed, "en")
		all, _, p := create(t, l)
		contains(t, p, "lapsed account", "Your membership has ended: until you renew, the feed holds only the public answers.")
		st, body := fetch(t, all)
		if st != 200 || strings.Contains(body, "SECRETBODY") || strings.Contains(body, f.priv.Title()) || !strings.Contains(body, "DDIA") {
			t.Fatalf("lapsed member's feed: %d %.500s", st, body)
		}
	})

	t.Run("Expert", func(t *testing.T) {
		x := f.signIn(t, f.expert, "en")
		all, _, _ := create(t, x)
		if st, body := fetch(t, all); st != 200 || !strings.Contains(body, "MEMBERSONLY") {
			t.Fatalf("expert's feed: %d", st)
		}
	})

	t.Run("Visitor", func(t *testing.T) {
		v := f.browser("en")
		_, p := v.post(t, "/account/feed-token", nil)
		want(t, p, 401, "visitor creates a feed link")
		_, p = v.post(t, "/account/feed-token/revoke", nil)
		want(t, p, 401, "visitor revokes a feed link")
	})
}
