package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"answerbook/api/client"
	"answerbook/mail/mailtest"
	"answerbook/qa"
)

const testMailFrom = `"答疑 Answers" <answers@example.com>`

// startMailMain starts the whole program sending e-mail to pit.
func startMailMain(t *testing.T, dir string, pit *mailtest.Mailpit) (*Main, string) {
	t.Helper()
	m := NewMain()
	m.Config.DataDir, m.Config.Addr = dir, "127.0.0.1:0"
	m.Config.SMTP, m.Config.MailFrom = pit.SMTPURL(), testMailFrom
	m.Config.MailPoll, m.Config.MailLease, m.Config.MailTimeout = 20*time.Millisecond, 3*time.Second, time.Second
	var link string
	m.SetupLink = func(l string) { link = l }
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, link
}

// TestMail_Walkthrough: a member asks, the expert answers, the e-mail
// arrives (a real SMTP server) and the member has 1 unread notification;
// the mail's link opens the answer; one-click unsubscribe by POST to the
// List-Unsubscribe URL, cross-site and signed out, turns that mail off.
func TestMail_Walkthrough(t *testing.T) {
	pit := mailtest.Start(t)
	dir := t.TempDir()
	m, link := startMailMain(t, dir, pit)
	ctx := context.Background()

	// The expert through the setup link; a member with a password.
	web := newClient(t, m.URL(), "")
	tok := link[strings.Index(link, "token=")+6:]
	if res := web.form("/setup", url.Values{"token": {tok}, "email": {"expert@example.com"}, "name": {"张老师"}, "password": {"expert-secret-1"}, "password2": {"expert-secret-1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup: %d", res.StatusCode)
	}
	if code, out, errOut := cli(t, "member-secret-1\n", "member", "add", "--data", dir, "--email", "li@example.com", "--name", "李雷", "--password-stdin"); code != 0 {
		t.Fatalf("member add: %d %s %s", code, out, errOut)
	}
	_, out, _ := cli(t, "", "token", "create", "--data", dir, "--email", "li@example.com", "--scope", "write")
	memberToken := strings.TrimSpace(out)
	member := client.New(m.URL(), memberToken)
	_, out, _ = cli(t, "", "token", "create", "--data", dir, "--email", "expert@example.com", "--scope", "write")
	expert := client.New(m.URL(), strings.TrimSpace(out))

	q, err := member.Ask(ctx, client.Ask{Title: "质押奖励什么时候到账？", Tags: []string{"staking"}})
	if err != nil {
		t.Fatal(err)
	}
	body := "每个 epoch 结束后发放。Rewards are paid after each epoch."
	a, err := expert.AnswerQuestion(ctx, q.ID, client.AnswerWrite{Body: &body})
	if err != nil {
		t.Fatal(err)
	}
	msg := pit.WaitTo(t, "li@example.com", 15*time.Second)
	if msg.Subject != "Answered: 质押奖励什么时候到账？" {
		t.Fatalf("subject %q", msg.Subject)
	}
	li, err := m.Store.FindMemberByEmail(ctx, "li@example.com")
	if err != nil {
		t.Fatal(err)
	}
	l, err := m.Store.FindNotifications(ctx, qa.Actor{Member: li, Scope: qa.ScopeRead}, qa.NotificationFilter{})
	if err != nil || l.Unread != 1 || l.Items[0].Kind != qa.KindAnswered {
		t.Fatalf("notifications: %+v %v", l, err)
	}
	// The bell says 1, through the API as a client sees it.
	var bell struct {
		Unread int `json:"unread"`
		Items  []struct {
			Kind, Title, URL string
		} `json:"items"`
	}
	if code := newClient(t, m.URL(), memberToken).do("GET", "/api/v1/notifications?unread=true", nil, &bell); code != 200 ||
		bell.Unread != 1 || len(bell.Items) != 1 || bell.Items[0].URL != m.URL()+qa.AnswerPath(a.ID) {
		t.Fatalf("GET /api/v1/notifications: %d %+v", code, bell)
	}

	// The link opens the answer, for the member signed in.
	answerURL := regexp.MustCompile(regexp.QuoteMeta(m.URL()) + `/answers/\d+`).FindString(msg.Text)
	if answerURL != m.URL()+qa.AnswerPath(a.ID) {
		t.Fatalf("answer link %q in:\n%s", answerURL, msg.Text)
	}
	reader := newClient(t, m.URL(), "")
	if res := reader.form("/login", url.Values{"email": {"li@example.com"}, "password": {"member-secret-1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	res, err := reader.http.Get(answerURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "Rewards are paid after each epoch.") {
		t.Fatalf("the link: %d\n%.500s", res.StatusCode, page)
	}

	// One-click unsubscribe: the page (both languages) shows a button;
	// the mail client's POST, cross-site and without a session, works.
	unsub := strings.Trim(pit.Headers(t, msg.ID)["List-Unsubscribe"][0], "<>")
	if !strings.HasPrefix(unsub, m.URL()+"/unsubscribe?t=") {
		t.Fatalf("List-Unsubscribe %q", unsub)
	}
	for lang, want := range map[string]string{"en": "Stop this kind of e-mail", "zh-CN": "不再接收"} {
		req, _ := http.NewRequest("GET", unsub, nil)
		req.Header.Set("Accept-Language", lang)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(page), want) || !strings.Contains(string(page), `method="post"`) {
			t.Fatalf("GET unsubscribe (%s): %d\n%s", lang, res.StatusCode, page)
		}
		if prefs, _ := m.Store.MailPrefs(ctx, qa.Actor{Member: li, Scope: qa.ScopeRead}); prefs[qa.TopicOutcomes] != qa.MailNow {
			t.Fatalf("GET changed the preference: %v", prefs)
		}
	}
	req, _ := http.NewRequest("POST", unsub, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://mail.example.net")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Accept-Language", "zh-CN")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "你不会再收到关于你的问题的邮件") {
		t.Fatalf("one-click POST: %d\n%s", res.StatusCode, page)
	}
	prefs, _ := m.Store.MailPrefs(ctx, qa.Actor{Member: li, Scope: qa.ScopeRead})
	if prefs[qa.TopicOutcomes] != qa.MailNever || prefs[qa.TopicMembership] != qa.MailNow {
		t.Fatalf("after unsubscribe: %v", prefs)
	}
	// A forged token changes nothing and says so.
	res, _ = http.Post(m.URL()+"/unsubscribe?t="+url.QueryEscape(strings.Replace(unsub[strings.Index(unsub, "t=")+2:], "outcomes", "membership", 1)), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("forged token: %d", res.StatusCode)
	}
	res.Body.Close()

	// Now declined: no e-mail (outcomes are off), the bell still hears.
	q2, _ := member.Ask(ctx, client.Ask{Title: "Can I stake from an exchange?"})
	if _, err := expert.Decline(ctx, q2.ID, "off topic"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := pit.Count(t); n != 1 {
		t.Fatalf("%d messages after unsubscribing", n)
	}
}

// TestMail_BadConfig: a bad --smtp or --mail-from stops the start with a
// clear error, never showing the password.
func TestMail_BadConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--smtp", "http://user:hunter2@mail.example.com"}, "must look like smtp://"},
		{[]string{"--smtp", "smtp://user:hunter2@mail.example.com:99999", "--mail-from", "a@example.com"}, "port"},
		{[]string{"--smtp", "smtp://mail.example.com"}, "--mail-from"},
		{[]string{"--smtp", "smtp://mail.example.com", "--mail-from", "Evil\nBcc: x@example.com <a@example.com>"}, "--mail-from"},
	} {
		args := append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, tc.args...)
		code, _, errOut := cli(t, "", args...)
		if code == 0 || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "hunter2") {
			t.Errorf("%v: %d %q", tc.args, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "answerbook.db")); err == nil {
		t.Error("a bad mail configuration opened the database")
	}
}

// TestCrash_KillWithQueuedMail kills the server with SIGKILL while it
// sends 500 queued e-mails, then starts it again: every mail is delivered,
// none twice (counted by Message-ID in mailpit).
func TestCrash_KillWithQueuedMail(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test")
	}
	const n = 500
	pit := mailtest.Start(t)
	dir := t.TempDir()
	queueDeclines(t, dir, n)

	cmd := program("serve", "--data", dir, "--addr", "127.0.0.1:0", "--smtp", pit.SMTPURL(), "--mail-from", testMailFrom,
		"--mail-poll", "20ms", "--mail-lease", "3s", "--mail-timeout", "1s", "--log-level", "error")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for pit.Count(t) < n/4 {
		select {
		case err := <-exited:
			t.Fatalf("the server stopped: %v", err)
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the server sent too little")
		}
	}
	cmd.Process.Kill() // SIGKILL, in the middle of sending
	<-exited
	before := pit.Count(t)

	m, _ := startMailMain(t, dir, pit)
	stAtRestart, _ := m.Store.MailStats(context.Background())
	deadline = time.Now().Add(60 * time.Second)
	for {
		st, err := m.Store.MailStats(context.Background())
		if err == nil && st[qa.OutboxSent] == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not all sent after the restart: %v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // anything in flight lands
	msgs := pit.Messages(t)
	seen := map[string]int{}
	dups := 0
	for _, s := range msgs {
		seen[s.MessageID]++
		if seen[s.MessageID] == 2 {
			dups++
		}
	}
	t.Logf("kill -9: %d queued; %d in mailpit at the kill; outbox at restart %v; after restart %d delivered, %d distinct Message-IDs, %d sent twice",
		n, before, stAtRestart, len(msgs), len(seen), dups)
	if len(seen) != n || dups != 0 || len(msgs) != n {
		t.Fatalf("%d messages, %d distinct, %d duplicated; want %d, none twice", len(msgs), len(seen), dups, n)
	}
}

// queueDeclines makes a site in dir whose outbox holds n e-mails: n
// questions of five members, declined (the expert hears of no new
// questions by mail).
func queueDeclines(t testing.TB, dir string, n int) {
	t.Helper()
	ctx := context.Background()
	s, err := qa.Open(ctx, qa.Config{DataDir: dir, QuestionQuota: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	expert, err := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: "expert@example.com", Name: "Expert", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	ex := qa.Actor{Member: expert, Scope: qa.ScopeWrite}
	if err := s.SetMailPref(ctx, ex, qa.TopicQueue, qa.MailNever); err != nil {
		t.Fatal(err)
	}
	var askers []*qa.Member
	for i := 0; i < 5; i++ {
		mb, err := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: fmt.Sprintf("asker%d@example.com", i), Name: fmt.Sprintf("提问者 %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			if err := s.SetMemberLang(ctx, qa.Actor{Member: mb, Scope: qa.ScopeWrite}, "zh-Hans"); err != nil {
				t.Fatal(err)
			}
		}
		askers = append(askers, mb)
	}
	for i := 0; i < n; i++ {
		q, err := s.CreateQuestion(ctx, qa.Actor{Member: askers[i%len(askers)], Scope: qa.ScopeWrite}, qa.QuestionCreate{Title: fmt.Sprintf("问题 %d: will mail %d arrive?", i, i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeclineQuestion(ctx, ex, q.ID, "不在范围内 out of scope"); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.MailStats(ctx)
	if err != nil || st[qa.OutboxPending] != n {
		t.Fatalf("queued %v %v", st, err)
	}
}

// TestMail_PasswordReset: a member who forgot the password asks for a link
// on the sign-in page; the e-mail arrives through a real SMTP server, in the
// member's language; its link sets a new password, signs the member in and
// ends the session elsewhere; the link then works no more.
func TestMail_PasswordReset(t *testing.T) {
	pit := mailtest.Start(t)
	dir := t.TempDir()
	m, _ := startMailMain(t, dir, pit)
	if code, out, errOut := cli(t, "old password 1\n", "member", "add", "--data", dir, "--email", "mei@example.com", "--name", "韩梅梅", "--password-stdin"); code != 0 {
		t.Fatalf("member add: %d %s %s", code, out, errOut)
	}
	ctx := context.Background()
	mei, err := m.Store.FindMemberByEmail(ctx, "mei@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Store.SetMemberLang(ctx, qa.Actor{Member: mei}, "zh-Hans"); err != nil {
		t.Fatal(err)
	}
	other := newClient(t, m.URL(), "")
	if res := other.form("/login", url.Values{"email": {"mei@example.com"}, "password": {"old password 1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in elsewhere: %d", res.StatusCode)
	}

	b := newClient(t, m.URL(), "")
	if res := b.form("/password/forgot", url.Values{"email": {"MEI@example.com"}}); res.StatusCode != http.StatusOK {
		t.Fatalf("forgot: %d", res.StatusCode)
	}
	if res := b.form("/password/forgot", url.Values{"email": {"nobody@example.com"}}); res.StatusCode != http.StatusOK {
		t.Fatalf("forgot, unknown address: %d", res.StatusCode)
	}
	msg := pit.WaitTo(t, "mei@example.com", 15*time.Second)
	if !strings.Contains(msg.Subject, "密码") {
		t.Fatalf("subject not in the member's language: %q", msg.Subject)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(m.URL()) + `/password/reset\?t=[A-Za-z0-9_-]+`).FindString(msg.Text)
	if link == "" || !strings.Contains(msg.HTML, strings.ReplaceAll(link, "&", "&amp;")) {
		t.Fatalf("no reset link in:\n%s", msg.Text)
	}
	if h := pit.Headers(t, msg.ID); len(h["List-Unsubscribe"]) != 0 {
		t.Fatalf("account mail with an unsubscribe header: %v", h["List-Unsubscribe"])
	}
	tok := link[strings.Index(link, "t=")+2:]
	res, err := b.http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("reset form: %d", res.StatusCode)
	}
	if res := b.form("/password/reset", url.Values{"t": {tok}, "password": {"new password 2"}, "password2": {"new password 2"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	// Signed in here; the other session has ended.
	if code := b.do("GET", "/api/v1/me", nil, nil); code != http.StatusOK {
		t.Fatalf("after reset, me: %d", code)
	}
	if code := other.do("GET", "/api/v1/me", nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("the other session still works: %d", code)
	}
	// The new password signs in, the old does not, the link is spent.
	if res := newClient(t, m.URL(), "").form("/login", url.Values{"email": {"mei@example.com"}, "password": {"new password 2"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new password: %d", res.StatusCode)
	}
	if res := newClient(t, m.URL(), "").form("/login", url.Values{"email": {"mei@example.com"}, "password": {"old password 1"}}); res.StatusCode == http.StatusSeeOther {
		t.Fatal("the old password still signs in")
	}
	if res := newClient(t, m.URL(), "").form("/password/reset", url.Values{"t": {tok}, "password": {"third password"}, "password2": {"third password"}}); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a used link: %d", res.StatusCode)
	}
	// Only the known address got mail.
	if n := pit.Count(t); n != 1 {
		t.Fatalf("%d messages", n)
	}
}
