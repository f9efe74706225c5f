package mail_test

import (
	"bufio"
	"context"
	"io"
	"net"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"answerbook/internal/pgtest"
	"answerbook/mail"
	"answerbook/mail/mailtest"
	"answerbook/qa"
)

func TestParseSMTP(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want mail.SMTP
	}{
		{"smtp://user:p%40ss@mail.example.com:587", mail.SMTP{Host: "mail.example.com", Port: 587, Username: "user", Password: "p@ss", Security: mail.StartTLS}},
		{"smtp://mail.example.com", mail.SMTP{Host: "mail.example.com", Port: 587, Security: mail.StartTLS}},
		{"smtp://127.0.0.1:1025?starttls=off", mail.SMTP{Host: "127.0.0.1", Port: 1025, Security: mail.Plain}},
		{"smtps://u:p@smtp.example.com", mail.SMTP{Host: "smtp.example.com", Port: 465, Username: "u", Password: "p", Security: mail.ImplicitTLS}},
	} {
		got, err := mail.ParseSMTP(tc.in)
		if err != nil || *got != tc.want {
			t.Errorf("ParseSMTP(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "mail.example.com:587", "http://mail.example.com", "smtp://", "smtp://h:0", "smtp://h:99999",
		"smtp://h/path", "smtps://h?starttls=off", "smtp://h?tls=maybe", "smtp://user:secret@h:x", "smtp://user:secret@h?x=1"} {
		_, err := mail.ParseSMTP(bad)
		if qa.ErrorKey(err) != qa.KeySMTPURL {
			t.Errorf("ParseSMTP(%q): %v, want %s", bad, err, qa.KeySMTPURL)
		}
		if err != nil && strings.Contains(qa.ErrorMessage(err), "secret") {
			t.Errorf("ParseSMTP(%q) shows the password: %s", bad, qa.ErrorMessage(err))
		}
	}
}

func TestParseFrom(t *testing.T) {
	a, err := mail.ParseFrom(`"张老师 Answers" <answers@example.com>`)
	if err != nil || a.Name != "张老师 Answers" || a.Address != "answers@example.com" {
		t.Fatalf("%+v %v", a, err)
	}
	for _, bad := range []string{"", "answers", "Name <>", "Evil\r\nBcc: x@example.com <a@example.com>", "a@example.com\r\nBcc: x@example.com"} {
		if _, err := mail.ParseFrom(bad); qa.ErrorKey(err) != qa.KeyMailFrom {
			t.Errorf("ParseFrom(%q): %v", bad, err)
		}
	}
}

// TestSubject: one line, cut between characters, never longer than the
// bound.
func TestSubject(t *testing.T) {
	long := strings.Repeat("质押奖励", 60) // 240 characters, 3 bytes each
	s := mail.Subject(long)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) != mail.MaxSubjectRunes || !strings.HasSuffix(s, "…") {
		t.Fatalf("cut: %d runes, %q", utf8.RuneCountInString(s), s)
	}
	if got := mail.Subject("Hi\r\nBcc: evil@example.com\r\n\r\nbody\x00\u2028end"); got != "Hi Bcc: evil@example.com body end" {
		t.Fatalf("one line: %q", got)
	}
	if got := mail.Subject(strings.Repeat("a", 149) + "é"); got != strings.Repeat("a", 149)+"é" {
		t.Fatalf("150 runes are kept: %q", got)
	}
}

// env is a store with an expert (who hears of no new questions by mail)
// and two askers, one reading in Chinese.
type env struct {
	ctx            context.Context
	store          *qa.Store
	expert, en, zh *qa.Member
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	cfg := qa.Config{DataDir: t.TempDir(), QuestionQuota: -1}
	if pgtest.All(t) {
		cfg.DSN = pgtest.Schema(t)
	}
	s, err := qa.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &env{ctx: ctx, store: s}
	mk := func(email, name string, role qa.Role) *qa.Member {
		m, err := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: email, Name: name, Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	e.expert = mk("expert@example.com", "专家", qa.RoleExpert)
	e.en = mk("li@example.com", "Li Lei", qa.RoleMember)
	e.zh = mk("han@example.com", "韩梅梅", qa.RoleMember)
	if err := s.SetMailPref(ctx, as(e.expert), qa.TopicQueue, qa.MailNever); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMemberLang(ctx, as(e.zh), "zh-Hans"); err != nil {
		t.Fatal(err)
	}
	return e
}

func as(m *qa.Member) qa.Actor { return qa.Actor{Member: m, Scope: qa.ScopeWrite} }

// answered asks a question as m and answers it; it returns the answer.
func (e *env) answered(t *testing.T, m *qa.Member, title string) *qa.Answer {
	t.Helper()
	q, err := e.store.CreateQuestion(e.ctx, as(m), qa.QuestionCreate{Title: title, Tags: []string{"staking"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.store.AnswerQuestion(e.ctx, as(e.expert), q.ID, qa.AnswerCreate{Body: "每个 epoch 结束后发放。Paid after each epoch."})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *env) sender(t *testing.T, smtpURL string, tune func(*mail.Config)) *mail.Sender {
	t.Helper()
	sm, err := mail.ParseSMTP(smtpURL)
	if err != nil {
		t.Fatal(err)
	}
	from, _ := mail.ParseFrom(`"Answers 答疑" <answers@example.com>`)
	cfg := mail.Config{Store: e.store, SMTP: sm, From: from, BaseURL: "https://answers.example.com", SiteName: "答疑 Answers",
		SendTimeout: 5 * time.Second}
	if tune != nil {
		tune(&cfg)
	}
	s, err := mail.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sendAll(t *testing.T, s *mail.Sender) int {
	t.Helper()
	total := 0
	for {
		n, err := s.SendDue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}

// TestSender_Mailpit delivers an answered mail in English and one in
// Chinese to a real SMTP server and reads them back: headers, both parts,
// absolute links, one-click unsubscribe.
func TestSender_Mailpit(t *testing.T) {
	pit := mailtest.Start(t)
	e := newEnv(t)
	aEN := e.answered(t, e.en, "When are staking rewards paid?")
	aZH := e.answered(t, e.zh, "质押奖励什么时候到账？")
	s := e.sender(t, pit.SMTPURL(), nil)
	if n := sendAll(t, s); n != 2 {
		t.Fatalf("sent %d", n)
	}
	if st, _ := e.store.MailStats(e.ctx); st[qa.OutboxSent] != 2 || st[qa.OutboxPending] != 0 {
		for id := int64(1); id <= 3; id++ {
			as, _ := e.store.FindMailAttempts(e.ctx, id)
			for _, a := range as {
				t.Logf("mail %d: %s", id, a.Error)
			}
		}
		t.Fatalf("stats %v", st)
	}
	for _, tc := range []struct {
		to              string
		answer          *qa.Answer
		subject, action string
		unsub           string
	}{
		{e.en.Email, aEN, "Answered: When are staking rewards paid?", "Read the answer", "Unsubscribe from e-mail about your questions"},
		{e.zh.Email, aZH, "已解答：质押奖励什么时候到账？", "阅读解答", "退订关于你的问题的邮件"},
	} {
		m := pit.WaitTo(t, tc.to, 10*time.Second)
		h := pit.Headers(t, m.ID)
		if m.Subject != tc.subject {
			t.Errorf("subject %q, want %q", m.Subject, tc.subject)
		}
		if !strings.HasPrefix(m.MessageID, "ab.") || !strings.HasSuffix(m.MessageID, "@answers.example.com") {
			t.Errorf("Message-ID %q", m.MessageID)
		}
		if d, err := netmail.ParseDate(first(h, "Date")); err != nil || time.Since(d).Abs() > time.Minute {
			t.Errorf("Date %q: %v", first(h, "Date"), err)
		}
		lu := first(h, "List-Unsubscribe")
		if !strings.HasPrefix(lu, "<https://answers.example.com/unsubscribe?t=") || !strings.HasSuffix(lu, ">") {
			t.Errorf("List-Unsubscribe %q", lu)
		}
		if got := first(h, "List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post %q", got)
		}
		if from := first(h, "From"); !strings.Contains(from, "answers@example.com") {
			t.Errorf("From %q", from)
		}
		link := "https://answers.example.com" + qa.AnswerPath(tc.answer.ID)
		unsub := strings.Trim(lu, "<>")
		for name, part := range map[string]string{"text": m.Text, "html": m.HTML} {
			if !strings.Contains(part, link) || !strings.Contains(part, tc.action) || !strings.Contains(part, tc.unsub) {
				t.Errorf("%s part to %s lacks the link %s, %q or %q:\n%s", name, tc.to, link, tc.action, tc.unsub, part)
			}
			if !strings.Contains(part, strings.ReplaceAll(unsub, "&", "&amp;")) && !strings.Contains(part, unsub) {
				t.Errorf("%s part lacks the unsubscribe link", name)
			}
		}
		if !strings.Contains(m.HTML, `<a href="`+link+`"`) {
			t.Errorf("html lacks the link as a link:\n%s", m.HTML)
		}
		raw := pit.Raw(t, m.ID)
		if !strings.Contains(raw, "multipart/alternative") || !strings.Contains(raw, "text/plain") || !strings.Contains(raw, "text/html") {
			t.Errorf("not multipart text + html:\n%s", raw)
		}
		// The unsubscribe token is the store's and unsubscribes this topic.
		tok := unsub[strings.Index(unsub, "t=")+2:]
		if top, err := e.store.Unsubscribe(e.ctx, tok); err != nil || top != qa.TopicOutcomes {
			t.Errorf("unsubscribe token: %v %v", top, err)
		}
	}
}

func first(h map[string][]string, k string) string {
	if v := h[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// TestRender_AccountMail: a reset mail (the account engineer's kind) links
// to its page with the token, says the link lasts an hour, and has no
// unsubscribe header; a confirmation links to its page.
func TestRender_AccountMail(t *testing.T) {
	e := newEnv(t)
	s := e.sender(t, "smtp://127.0.0.1:1?starttls=off", nil)
	var b strings.Builder
	reset := &qa.Mail{ID: 1, MessageID: "ab.reset1", MemberID: &e.zh.ID, ToAddr: e.zh.Email, Kind: qa.MailReset, Lang: "zh-Hans",
		Args: qa.Args{"Token": "tok123", "URL": "/password/reset?t=tok123"}}
	if err := s.WriteMessage(e.ctx, &b, reset); err != nil {
		t.Fatal(err)
	}
	msg, err := netmail.ReadMessage(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("List-Unsubscribe") != "" || msg.Header.Get("List-Unsubscribe-Post") != "" {
		t.Fatalf("account mail with unsubscribe headers: %v", msg.Header)
	}
	if msg.Header.Get("Message-Id") != "<ab.reset1@answers.example.com>" {
		t.Fatalf("Message-ID %q", msg.Header.Get("Message-Id"))
	}
	r, err := mail.NewRenderer("https://answers.example.com", "答疑", e.store.UnsubscribeToken)
	if err != nil {
		t.Fatal(err)
	}
	m, err := r.Render(e.ctx, reset)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "https://answers.example.com/password/reset?t=tok123") || !strings.Contains(m.Text, "1 小时") || m.Unsubscribe != "" {
		t.Fatalf("reset text:\n%s", m.Text)
	}
	// A URL without the token gets it added.
	confirm := &qa.Mail{ID: 2, MessageID: "ab.c", MemberID: &e.en.ID, ToAddr: e.en.Email, Kind: qa.MailConfirm, Args: qa.Args{"Token": "tok 9", "URL": "/email/confirm"}}
	m, err = r.Render(e.ctx, confirm)
	if err != nil || !strings.Contains(m.Text, "https://answers.example.com/email/confirm?t=tok+9") || !strings.Contains(m.Subject, "Confirm your e-mail address") {
		t.Fatalf("confirm: %v\n%s", err, m.Text)
	}
}

// TestRender_EveryKind renders every kind in both languages: a subject, a
// lead, links absolute, nothing left untranslated.
func TestRender_EveryKind(t *testing.T) {
	e := newEnv(t)
	r, err := mail.NewRenderer("https://answers.example.com", "答疑", e.store.UnsubscribeToken)
	if err != nil {
		t.Fatal(err)
	}
	args := map[qa.Kind]qa.Args{
		qa.KindAnswered:         {"Title": "T <b>", "URL": "/answers/1"},
		qa.KindDeclined:         {"Title": "T", "Reason": "off topic <script>", "URL": "/my/questions"},
		qa.KindDuplicate:        {"Title": "T", "URL": "/answers/2"},
		qa.KindExpired:          {"Title": "T", "URL": "/my/questions"},
		qa.KindNewQuestions:     {"Title": "Q3", "Count": float64(12), "Titles": []any{"Q1", "Q2", "Q3"}, "URL": "/queue"},
		qa.KindQueueSummary:     {"Count": float64(4), "Date": "2026-03-01", "Oldest": "2026-02-20", "URL": "/queue"},
		qa.KindMembershipEnding: {"Date": "2026-03-08", "URL": "/account"},
		qa.KindMembershipEnded:  {"Date": "2026-03-08", "URL": "/account"},
		qa.KindFollowedAnswers:  {"Title": "New", "Count": float64(1), "Titles": []any{"New"}, "URL": "/answers/3"},
		qa.MailDigest: {"Mode": "weekly", "Period": "2026-W09", "Items": []any{
			map[string]any{"kind": "tags.new_answers", "url": "/answers/4", "count": float64(1), "args": map[string]any{"Title": "Plutus", "Tags": []any{"plutus"}, "Excerpt": "Cardano's language"}},
			map[string]any{"kind": "question.answered", "url": "/answers/5", "count": float64(1), "args": map[string]any{"Title": "Mine"}},
			map[string]any{"kind": "tags.new_answers", "url": "/answers/6", "count": float64(1), "args": map[string]any{"Title": "Haskell"}},
		}},
		qa.MailReset:   {"Token": "x", "URL": "/password/reset?t=x"},
		qa.MailConfirm: {"Token": "y", "URL": "/email/confirm?t=y"},
	}
	for kind, a := range args {
		for _, lang := range []string{"en", "zh-Hans"} {
			m, err := r.Render(e.ctx, &qa.Mail{ID: 9, MessageID: "ab.x", MemberID: &e.en.ID, ToAddr: e.en.Email, Kind: kind, Args: a, Lang: lang})
			if err != nil {
				t.Fatalf("%s %s: %v", kind, lang, err)
			}
			for _, part := range []string{m.Subject, m.Text, m.HTML} {
				if rawID.MatchString(part) || strings.Contains(part, "{{") || part == m.HTML && (strings.Contains(part, "<script>") || strings.Contains(part, "<b>")) {
					t.Errorf("%s %s: untranslated or unescaped:\n%s", kind, lang, part)
				}
			}
			if !strings.Contains(m.Text, "https://answers.example.com/") || m.Subject == "" {
				t.Errorf("%s %s: %q\n%s", kind, lang, m.Subject, m.Text)
			}
			if (m.Unsubscribe == "") != (kind == qa.MailReset || kind == qa.MailConfirm) {
				t.Errorf("%s: unsubscribe %q", kind, m.Unsubscribe)
			}
			if kind == qa.MailDigest {
				if !strings.Contains(m.Text, "https://answers.example.com/answers/4") || !strings.Contains(m.Text, "plutus") ||
					strings.Count(m.Text, "/unsubscribe?t=") != 2 || !strings.Contains(m.Unsubscribe, ".followed.") {
					t.Errorf("digest %s:\n%s", lang, m.Text)
				}
			}
			if kind == qa.KindNewQuestions && !strings.Contains(m.Text, "Q2") {
				t.Errorf("grouped titles:\n%s", m.Text)
			}
		}
	}
}

// rawID matches a message id left untranslated (mail.answered.lead).
var rawID = regexp.MustCompile(`(^|[^-])mail\.[a-z]`)

// TestSender_HeaderInjection: line breaks in anything from the outbox
// (titles, reasons) never make a header; the subject stays one line.
func TestSender_HeaderInjection(t *testing.T) {
	e := newEnv(t)
	s := e.sender(t, "smtp://127.0.0.1:1?starttls=off", nil)
	evil := "Hi\r\nBcc: evil@example.com\r\nX-Evil: 1\r\n\r\n<script>alert(1)</script>" + strings.Repeat(" 很长的标题", 40)
	m := &qa.Mail{ID: 3, MessageID: "ab.evil\r\nX-Evil: 2", MemberID: &e.en.ID, ToAddr: e.en.Email, Kind: qa.KindDeclined,
		Args: qa.Args{"Title": evil, "Reason": evil, "URL": "/my/questions"}}
	var b strings.Builder
	if err := s.WriteMessage(e.ctx, &b, m); err != nil {
		t.Fatal(err)
	}
	msg, err := netmail.ReadMessage(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"Bcc", "X-Evil"} {
		if v := msg.Header.Get(h); v != "" {
			t.Fatalf("injected header %s: %q", h, v)
		}
	}
	if msg.Header.Get("Message-Id") != "<ab.evilX-Evil2@answers.example.com>" {
		t.Fatalf("Message-ID %q", msg.Header.Get("Message-Id"))
	}
	subj, err := new(mimeDecoder).decode(msg.Header.Get("Subject"))
	if err != nil || strings.ContainsAny(subj, "\r\n") || !strings.HasPrefix(subj, "Declined: Hi Bcc: evil@example.com X-Evil: 1 <script>") ||
		utf8.RuneCountInString(subj) > mail.MaxSubjectRunes || !strings.HasSuffix(subj, "…") {
		t.Fatalf("subject %q (%d runes) %v", subj, utf8.RuneCountInString(subj), err)
	}
	// A recipient address with a line break is refused, not sent.
	bad := &qa.Mail{ID: 4, MessageID: "ab.y", MemberID: &e.en.ID, ToAddr: "a@example.com\r\nBcc: evil@example.com", Kind: qa.KindExpired, Args: qa.Args{"Title": "x"}}
	if err := s.WriteMessage(e.ctx, io.Discard, bad); err == nil {
		t.Fatal("a recipient with a line break was accepted")
	}
}

// fakeSMTP is a misbehaving SMTP server: it refuses (554 greeting), drops
// the connection after the data, or says nothing at all.
func fakeSMTP(t *testing.T, mode string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				switch mode {
				case "silent":
					time.Sleep(3 * time.Second)
					return
				case "refuse":
					io.WriteString(c, "554 5.7.1 no service for you\r\n")
					return
				}
				r := bufio.NewReader(c)
				io.WriteString(c, "220 fake ESMTP\r\n")
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.TrimSpace(l))
					switch {
					case strings.HasPrefix(cmd, "EHLO"):
						io.WriteString(c, "250-fake\r\n250 8BITMIME\r\n")
					case strings.HasPrefix(cmd, "DATA"):
						io.WriteString(c, "354 go on\r\n")
						for {
							l, err := r.ReadString('\n')
							if err != nil || l == ".\r\n" {
								return // the whole message, then gone without a word
							}
						}
					case strings.HasPrefix(cmd, "RCPT") && mode == "reject-rcpt":
						io.WriteString(c, "550 5.1.1 no such user\r\n")
					case strings.HasPrefix(cmd, "QUIT"):
						io.WriteString(c, "221 bye\r\n")
						return
					default:
						io.WriteString(c, "250 OK\r\n")
					}
				}
			}(c)
		}
	}()
	return ln.Addr().String()
}

// TestSender_BadServers: a server that refuses, rejects the recipient,
// drops the connection after the data, or says nothing within the timeout
// leaves the mail queued with the error recorded; after
// qa.MaxMailAttempts it is failed. STARTTLS is required unless turned off.
func TestSender_BadServers(t *testing.T) {
	for _, tc := range []struct{ mode, url, want string }{
		{"refuse", "", "554"},
		{"reject-rcpt", "", "RCPT TO"},
		{"drop", "", "end of DATA"},
		{"silent", "", "timeout"},
		{"starttls", "smtp://%s", "STARTTLS"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			e := newEnv(t)
			e.answered(t, e.en, "Will it arrive?")
			addr := fakeSMTP(t, tc.mode)
			u := "smtp://" + addr + "?starttls=off"
			if tc.url != "" {
				u = strings.Replace(tc.url, "%s", addr, 1)
			}
			s := e.sender(t, u, func(c *mail.Config) {
				c.SendTimeout, c.Lease = 500*time.Millisecond, 5*time.Second
				c.Backoff = func(int) time.Duration { return 0 }
			})
			if n, err := s.SendDue(e.ctx); err != nil || n != 1 {
				t.Fatalf("send: %d %v", n, err)
			}
			st, _ := e.store.MailStats(e.ctx)
			if st[qa.OutboxPending] != 1 || st[qa.OutboxSent] != 0 {
				t.Fatalf("stats %v", st)
			}
			ms, err := e.store.ClaimMail(e.ctx, 10, 0)
			if err != nil || len(ms) != 1 || ms[0].Attempts != 1 || !strings.Contains(ms[0].LastError, tc.want) {
				t.Fatalf("queued with the error: %+v %v", ms, err)
			}
			as, _ := e.store.FindMailAttempts(e.ctx, ms[0].ID)
			if len(as) != 1 || as[0].OK || as[0].Error == "" {
				t.Fatalf("attempts %+v", as)
			}
			if tc.mode != "refuse" {
				return
			}
			for i := 1; i < qa.MaxMailAttempts; i++ {
				if _, err := s.SendDue(e.ctx); err != nil {
					t.Fatal(err)
				}
			}
			if st, _ := e.store.MailStats(e.ctx); st[qa.OutboxFailed] != 1 {
				t.Fatalf("after %d attempts: %v", qa.MaxMailAttempts, st)
			}
			if as, _ := e.store.FindMailAttempts(e.ctx, ms[0].ID); len(as) != qa.MaxMailAttempts {
				t.Fatalf("%d attempts recorded", len(as))
			}
		})
	}
}

// TestExpBackoff: doubling, bounded, jittered.
func TestExpBackoff(t *testing.T) {
	for n := 1; n <= 20; n++ {
		d := mail.ExpBackoff(n)
		base := 30 * time.Second << min(n-1, 10)
		base = min(base, 6*time.Hour)
		if d < base*3/4 || d > base*5/4 {
			t.Fatalf("attempt %d: %v (base %v)", n, d, base)
		}
	}
}

// TestRender_Dates: the days in an e-mail are written the way the member's
// language writes dates, not as YYYY-MM-DD.
func TestRender_Dates(t *testing.T) {
	e := newEnv(t)
	r, err := mail.NewRenderer("https://answers.example.com", "答疑", e.store.UnsubscribeToken)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, want string }{{"en", "Mar 8, 2026"}, {"zh-Hans", "2026年3月8日"}} {
		m, err := r.Render(e.ctx, &qa.Mail{ID: 9, MessageID: "ab.d", MemberID: &e.en.ID, ToAddr: e.en.Email, Kind: qa.KindMembershipEnding,
			Args: qa.Args{"Date": "2026-03-08", "URL": "/account"}, Lang: c.lang})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Subject, c.want) || !strings.Contains(m.Text, c.want) || strings.Contains(m.Text, "2026-03-08") {
			t.Errorf("%s: %q\n%s", c.lang, m.Subject, m.Text)
		}
		m, err = r.Render(e.ctx, &qa.Mail{ID: 9, MessageID: "ab.s", MemberID: &e.en.ID, ToAddr: e.en.Email, Kind: qa.KindQueueSummary,
			Args: qa.Args{"Count": float64(2), "Date": "2026-03-09", "Oldest": "2026-03-08", "URL": "/queue"}, Lang: c.lang})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, c.want) {
			t.Errorf("%s summary:\n%s", c.lang, m.Text)
		}
	}
}

// TestSender_HandsBackUntried: mail claimed but not tried in a round (the
// lease too short for it, or a stop) is handed back, due at once for any
// sender, instead of waiting for the lease to end.
func TestSender_HandsBackUntried(t *testing.T) {
	e := newEnv(t)
	e.answered(t, e.en, "First")
	e.answered(t, e.zh, "Second")
	addr := fakeSMTP(t, "refuse")
	s := e.sender(t, "smtp://"+addr+"?starttls=off", func(c *mail.Config) {
		// No time is left in the lease for any send: the round tries none.
		c.SendTimeout, c.Lease = time.Second, 2*time.Second
	})
	if n, err := s.SendDue(e.ctx); err != nil || n != 0 {
		t.Fatalf("send: %d %v", n, err)
	}
	ms, err := e.store.ClaimMail(e.ctx, 10, time.Minute)
	if err != nil || len(ms) != 2 || ms[0].Attempts != 0 || ms[1].Attempts != 0 {
		t.Fatalf("handed back untried and due at once: %+v %v", ms, err)
	}

}
