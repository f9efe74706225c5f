package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"answerbook/internal/servertest"
	"answerbook/qa"
)

// bell returns the unread count the header's bell shows ("" for none),
// and fails when the bell is missing.
func bell(t testing.TB, p *page) string {
	t.Helper()
	b := p.doc.Find(`header.site a.bell[href="/notifications"]`)
	if b.Length() != 1 {
		t.Fatalf("%s: no bell in the header", p.res.Request.URL.Path)
	}
	return strings.TrimSpace(b.Find(".count").Text())
}

// TestPages_Notifications: the bell in every page's header counts the
// member's unread notifications; /notifications lists them newest first
// with links, in the reader's language, marks what it showed read (marking
// it "new" this once), pages, and marks all read; the member's language is
// recorded for their e-mail. E-mail off, the page says so.
func TestPages_Notifications(t *testing.T) {
	f := newFixture(t)
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			zh := lang != "en"
			pick := func(en, cn string) string {
				if zh {
					return cn
				}
				return en
			}
			until := time.Now().AddDate(1, 0, 0)
			m := f.person(t, "王小明 "+lang, qa.RoleMember, &until)
			ma, xa := qa.Actor{Member: m, Scope: qa.ScopeWrite}, qa.Actor{Member: f.expert, Scope: qa.ScopeWrite}
			b := f.signIn(t, m, lang)

			home := b.get(t, "/")
			if got := bell(t, home); got != "" {
				t.Fatalf("bell before anything happened: %q", got)
			}
			if got, _ := f.store.FindMemberByID(f.ctx, m.ID); got.Lang != pick("en", "zh-Hans") {
				t.Errorf("language recorded: %q", got.Lang)
			}

			q, err := f.store.CreateQuestion(f.ctx, ma, qa.QuestionCreate{Title: "如何准备 system design 面试？"})
			if err != nil {
				t.Fatal(err)
			}
			body := "先读 DDIA。"
			a, err := f.store.AnswerQuestion(f.ctx, xa, q.ID, qa.AnswerCreate{Body: body})
			if err != nil {
				t.Fatal(err)
			}
			// Every page's bell counts it, for the member only.
			for _, path := range []string{"/", "/tags", fmt.Sprintf("/answers/%d", f.pub.ID), "/account", "/my/questions"} {
				p := b.get(t, path)
				want(t, p, 200, path)
				if got := bell(t, p); got != "1" {
					t.Errorf("%s: bell shows %q", path, got)
				}
				if !strings.Contains(p.text("a.bell"), pick("1 unread notification", "1 条未读通知")) {
					t.Errorf("%s: the bell's words: %q", path, p.text("a.bell"))
				}
			}
			if f.browser(lang).get(t, "/").doc.Find("a.bell").Length() != 0 {
				t.Error("visitors see a bell")
			}

			p := b.get(t, "/notifications")
			want(t, p, 200, "notifications")
			items := p.doc.Find("ol.notifications > li")
			if items.Length() != 1 {
				t.Fatalf("%d items: %s", items.Length(), p.text("main"))
			}
			link := items.Find(fmt.Sprintf(`a[href="/answers/%d"]`, a.ID))
			if strings.TrimSpace(link.Text()) != pick("Your question “如何准备 system design 面试？” has been answered", "你的问题“如何准备 system design 面试？”已有解答") {
				t.Errorf("item: %q", items.Text())
			}
			if !items.HasClass("unread") || strings.TrimSpace(items.Find(".badge.new").Text()) != pick("New", "新") {
				t.Error("an unread notification is not marked new")
			}
			// Opening the list read it: this page's bell, and the next, count none.
			if got := bell(t, p); got != "" {
				t.Errorf("bell on the list: %q", got)
			}
			contains(t, p, "mail off", pick("E-mail is off on this site", "本站没有开启邮件"))
			if p.doc.Find(`form[action="/notifications/read"]`).Length() != 0 {
				t.Error("mark all read offered with nothing unread")
			}
			again := b.get(t, "/notifications")
			if bell(t, again) != "" || again.doc.Find("ol.notifications .unread").Length() != 0 {
				t.Error("still unread after the list showed it")
			}
			if l, _ := f.store.FindNotifications(f.ctx, ma, qa.NotificationFilter{}); l.Unread != 0 {
				t.Errorf("store: %d unread", l.Unread)
			}

			// 21 declined questions: two pages, newest first; the first page's
			// showing leaves the oldest unread, and "mark all read" reads it.
			for i := range 21 {
				q, err := f.store.CreateQuestion(f.ctx, ma, qa.QuestionCreate{Title: fmt.Sprintf("Question %02d", i)})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.store.DeclineQuestion(f.ctx, xa, q.ID, "off topic"); err != nil {
					t.Fatal(err)
				}
			}
			if got := bell(t, b.get(t, "/")); got != "21" {
				t.Errorf("bell: %q", got)
			}
			p1 := b.get(t, "/notifications")
			if n := p1.doc.Find("ol.notifications > li").Length(); n != 20 || !strings.Contains(p1.text("ol.notifications li"), "Question 20") {
				t.Fatalf("page 1: %d items, first %q", n, p1.text("ol.notifications li"))
			}
			contains(t, p1, "page 1", pick("22 notifications", "共 22 条通知"))
			if got := bell(t, p1); got != "1" {
				t.Errorf("bell after page 1: %q", got)
			}
			next, ok := p1.doc.Find(`nav.pager a[rel=next]`).Attr("href")
			if !ok || next != "/notifications?page=2" {
				t.Fatalf("next page link %q", next)
			}
			if p1.doc.Find(`form[action="/notifications/read"] button`).Length() != 1 {
				t.Fatal("no mark-all-read button while one is unread")
			}
			res, done := b.post(t, "/notifications/read", nil)
			if res.Request.URL.Path != "/notifications" || done.text(".flash") != pick("All notifications are marked read.", "所有通知都已标为已读。") || bell(t, done) != "" {
				t.Fatalf("mark all read: %s %q", res.Request.URL, done.text(".flash"))
			}
			p2 := b.get(t, "/notifications?page=2")
			if n := p2.doc.Find("ol.notifications > li").Length(); n != 2 || p2.doc.Find(".unread").Length() != 0 {
				t.Errorf("page 2: %d items", n)
			}
			want(t, b.get(t, "/notifications?page=0"), 400, "page 0")
		})
	}

	t.Run("Others", func(t *testing.T) {
		v := f.browser("en")
		p := v.get(t, "/notifications")
		if p.res.Request.URL.Path != "/login" {
			t.Errorf("visitor landed on %s", p.res.Request.URL)
		}
		_, p = v.post(t, "/notifications/read", nil)
		want(t, p, 401, "visitor marks read")
		// The expert hears of new questions, grouped.
		x := f.signIn(t, f.expert, "en")
		x.get(t, "/notifications")
		ma := qa.Actor{Member: f.member, Scope: qa.ScopeWrite}
		for _, title := range []string{"First new question", "Second new question"} {
			if _, err := f.store.CreateQuestion(f.ctx, ma, qa.QuestionCreate{Title: title}); err != nil {
				t.Fatal(err)
			}
		}
		p = x.get(t, "/notifications")
		if got := p.text("ol.notifications li a"); got != "2 new questions, the latest “Second new question”" {
			t.Errorf("expert's notification %q", got)
		}
		if p.doc.Find(`ol.notifications li a`).First().AttrOr("href", "") != "/queue" {
			t.Error("new questions do not link to the queue")
		}
	})
}

// TestPages_NotificationsMailOn: with e-mail on, the list points to the
// e-mail choices instead of saying e-mail is off.
func TestPages_NotificationsMailOn(t *testing.T) {
	s := servertest.Start(t, servertest.Options{QuestionQuota: -1, MailEnabled: true})
	site := &site{Server: s.Server, store: s.Store, index: s.Index, ctx: context.Background()}
	m := site.person(t, "Li", qa.RoleMember, nil)
	for _, lang := range []string{"en", "zh-CN"} {
		b := site.signIn(t, m, lang)
		p := b.get(t, "/notifications")
		want(t, p, 200, "notifications")
		lacks(t, p, "mail on", "E-mail is off", "本站没有开启邮件")
		if p.doc.Find(`a[href="/account#mail-h"]`).Length() != 1 {
			t.Errorf("%s: no link to the e-mail choices", lang)
		}
		acc := b.get(t, "/account")
		lacks(t, acc, "account, mail on", "E-mail is off", "本站没有开启邮件")
	}
}

// TestPages_FollowTags: members follow and unfollow tags on a tag's page
// and on /tags, see them on /account, and hear of new answers in them.
func TestPages_FollowTags(t *testing.T) {
	f := newFixture(t)
	ma := qa.Actor{Member: f.member, Scope: qa.ScopeWrite}
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			zh := lang != "en"
			pick := func(en, cn string) string {
				if zh {
					return cn
				}
				return en
			}
			b := f.signIn(t, f.member, lang)
			tagPath := "/tags/" + url.PathEscape("面试")
			p := b.get(t, tagPath)
			btn := p.doc.Find(`form[action="/tags/follow"] button`)
			if btn.Length() != 1 || strings.TrimSpace(btn.Text()) != pick("Follow", "关注") ||
				p.doc.Find(`form[action="/tags/follow"] input[name=tag]`).AttrOr("value", "") != "面试" {
				t.Fatalf("follow button on the tag page: %s", p.text("main"))
			}
			res, p := b.post(t, "/tags/follow", url.Values{"tag": {"面试"}, "next": {tagPath}})
			if res.Request.URL.Path != "/tags/面试" || p.text(".flash") != pick("You follow the tag now.", "已关注这个标签。") {
				t.Fatalf("after following: %s %q", res.Request.URL, p.text(".flash"))
			}
			if p.doc.Find(`form[action="/tags/unfollow"] button`).Length() != 1 {
				t.Fatal("no unfollow button on a followed tag's page")
			}
			if got, _ := f.store.FollowedTags(f.ctx, ma); strings.Join(got, ",") != "面试" {
				t.Fatalf("followed: %v", got)
			}

			// /tags: a button per tag, its state shown.
			tags := b.get(t, "/tags")
			if n := tags.doc.Find(`ul.tagcloud form[action="/tags/unfollow"]`).Length(); n != 1 {
				t.Errorf("/tags: %d unfollow buttons", n)
			}
			if tags.doc.Find(`ul.tagcloud form[action="/tags/follow"] input[value="career"]`).Length() != 1 {
				t.Error("/tags: no follow button for career")
			}
			b.post(t, "/tags/follow", url.Values{"tag": {"career"}, "next": {"/tags"}})

			acc := b.get(t, "/account")
			followed := acc.doc.Find("#follow-h").Parent().Find("a.tag")
			if followed.Length() != 2 || !strings.Contains(followed.Text(), "career") || !strings.Contains(followed.Text(), "面试") {
				t.Errorf("account lists %q", followed.Text())
			}
			contains(t, acc, "account", pick("Tags you follow", "关注的标签"))

			// A new answer in a followed tag reaches the bell.
			title := "New answer for followers " + lang
			if _, err := f.store.CreateAnswer(f.ctx, qa.System(), qa.AnswerCreate{Title: &title, Body: "x", Tags: []string{"career"}}); err != nil {
				t.Fatal(err)
			}
			n := b.get(t, "/notifications")
			if !strings.Contains(n.text("ol.notifications"), title) {
				t.Errorf("followed answer not in the list: %q", n.text("ol.notifications"))
			}

			// Unfollow from the account page, and from the tag page.
			res, _ = b.post(t, "/tags/unfollow", url.Values{"tag": {"career"}, "next": {"/account#follow-h"}})
			if res.Request.URL.Path != "/account" {
				t.Errorf("unfollow landed on %s", res.Request.URL)
			}
			b.post(t, "/tags/unfollow", url.Values{"tag": {"面试"}, "next": {tagPath}})
			if got, _ := f.store.FollowedTags(f.ctx, ma); len(got) != 0 {
				t.Fatalf("still followed: %v", got)
			}
			contains(t, b.get(t, "/account"), "account", pick("You follow no tags yet.", "你还没有关注任何标签。"))
		})
	}
	// Visitors see no buttons and may not follow; a foreign next stays home.
	v := f.browser("en")
	if v.get(t, "/tags").doc.Find(`form[action="/tags/follow"]`).Length() != 0 {
		t.Error("visitors are offered follow buttons")
	}
	_, p := v.post(t, "/tags/follow", url.Values{"tag": {"面试"}})
	want(t, p, 401, "visitor follows")
	b := f.signIn(t, f.member, "en")
	res, _ := b.post(t, "/tags/follow", url.Values{"tag": {"go"}, "next": {"https://evil.example/"}})
	if res.Request.URL.Host != strings.TrimPrefix(f.URL, "http://") || res.Request.URL.Path != "/" {
		t.Errorf("foreign next: landed on %s", res.Request.URL)
	}
	_, p = b.post(t, "/tags/follow", url.Values{"tag": {""}})
	want(t, p, 400, "empty tag")
}

// TestAccount_MailPrefs: the account page offers, for each topic the
// member can hear of (the expert's two more), at once / daily / weekly /
// never, with the defaults chosen; saving stores them; e-mail off, the
// page says so plainly.
func TestAccount_MailPrefs(t *testing.T) {
	f := newFixture(t)
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			zh := lang != "en"
			pick := func(en, cn string) string {
				if zh {
					return cn
				}
				return en
			}
			until := time.Now().AddDate(1, 0, 0)
			m := f.person(t, "Prefs "+lang, qa.RoleMember, &until)
			b := f.signIn(t, m, lang)
			p := b.get(t, "/account")
			form := p.doc.Find(`form[action="/account/mail"]`)
			if n := form.Find("fieldset").Length(); n != len(qa.TopicsFor(m)) {
				t.Fatalf("%d topics for a member", n)
			}
			contains(t, p, "account", pick("My questions", "我的问题"), pick("Weekly digest", "每周汇总"),
				pick("E-mail is off on this site", "本站没有开启邮件"))
			lacks(t, p, "account", pick("Daily summary of the queue", "待答队列每日汇总"))
			if form.Find(`input[name=mode_outcomes][value=now][checked]`).Length() != 1 ||
				form.Find(`input[name=mode_followed][value=weekly][checked]`).Length() != 1 {
				t.Error("the defaults are not chosen")
			}
			res, saved := b.post(t, "/account/mail", url.Values{"mode_outcomes": {"daily"}, "mode_followed": {"never"}, "mode_membership": {"now"}})
			if res.Request.URL.Path != "/account" || saved.text(".flash") != pick("E-mail choices saved.", "邮件设置已保存。") {
				t.Fatalf("save: %s %q", res.Request.URL, saved.text(".flash"))
			}
			prefs, err := f.store.MailPrefs(f.ctx, qa.Actor{Member: m, Scope: qa.ScopeWrite})
			if err != nil || prefs[qa.TopicOutcomes] != qa.MailDaily || prefs[qa.TopicFollowed] != qa.MailNever || prefs[qa.TopicMembership] != qa.MailNow {
				t.Fatalf("stored %v %v", prefs, err)
			}
			if saved.doc.Find(`input[name=mode_outcomes][value=daily][checked]`).Length() != 1 {
				t.Error("the page does not show the saved choice")
			}
			_, bad := b.post(t, "/account/mail", url.Values{"mode_outcomes": {"hourly"}})
			want(t, bad, 400, "bad mode")
			if !strings.Contains(bad.text(".error"), "hourly") {
				t.Errorf("bad mode: error %q", bad.text(".error"))
			}
		})
	}
	x := f.signIn(t, f.expert, "en")
	p := x.get(t, "/account")
	if n := p.doc.Find(`form[action="/account/mail"] fieldset`).Length(); n != len(qa.Topics) {
		t.Errorf("%d topics for the expert", n)
	}
	contains(t, p, "expert's account", "New questions", "Daily summary of the queue")
	_, p = f.browser("en").post(t, "/account/mail", url.Values{"mode_outcomes": {"never"}})
	want(t, p, 401, "visitor saves")
}
