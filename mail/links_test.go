package mail_test

import (
	"context"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"answerbook/internal/imagetest"
	"answerbook/mail"
	"answerbook/mail/mailtest"
	"answerbook/qa"
)

// TestSender_FollowedAnswerLinks: the daily digest of a followed tag tells
// of a member-only answer whose Markdown holds an uploaded image and
// relative links. Mail carries no answer HTML, only the title, the tags and
// the plain-text opening (the image as its description): every link in
// both parts is absolute (the site's base URL), and no image URL — the
// member-only image least of all — is in the mail; in Chinese and English.
func TestSender_FollowedAnswerLinks(t *testing.T) {
	pit := mailtest.Start(t)
	ctx := context.Background()
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	s, err := qa.Open(ctx, qa.Config{DataDir: t.TempDir(), QuestionQuota: -1, Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	mk := func(email, name string, role qa.Role) *qa.Member {
		t.Helper()
		m, err := s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: email, Name: name, Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	expert := mk("expert@example.com", "专家", qa.RoleExpert)
	if err := s.SetMailPref(ctx, as(expert), qa.TopicQueue, qa.MailNever); err != nil {
		t.Fatal(err)
	}
	readers := []*qa.Member{mk("han@example.com", "韩梅梅", qa.RoleMember), mk("li@example.com", "Li Lei", qa.RoleMember)}
	if err := s.SetMemberLang(ctx, as(readers[0]), "zh-Hans"); err != nil {
		t.Fatal(err)
	}
	for _, m := range readers {
		if err := s.FollowTag(ctx, as(m), "staking"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMailPref(ctx, as(m), qa.TopicFollowed, qa.MailDaily); err != nil {
			t.Fatal(err)
		}
	}
	img, err := s.SaveImage(ctx, as(expert), imagetest.PNG(100, 60, 9))
	if err != nil {
		t.Fatal(err)
	}
	title := "会员专享：验证者收益明细 Validator earnings, members only"
	body := "每个周期发放，明细见图。Paid every epoch.\n\n![收益明细图 earnings chart](" + img.URL() + ")\n\n另见 [手续费 fees](/tags/fees) 和 [下文 below](#md-more)。"
	a, err := s.CreateAnswer(ctx, as(expert), qa.AnswerCreate{Title: &title, Body: body, Tags: []string{"staking"}})
	if err != nil {
		t.Fatal(err)
	}
	// The digest of a day goes out the day after.
	clock.Add(int64(24 * time.Hour))
	if n, err := s.QueueDigests(ctx, qa.MailDaily); err != nil || n != 2 {
		t.Fatalf("digests queued: %d, %v", n, err)
	}
	sm, err := mail.ParseSMTP(pit.SMTPURL())
	if err != nil {
		t.Fatal(err)
	}
	from, _ := mail.ParseFrom(`"Answers 答疑" <answers@example.com>`)
	sender, err := mail.New(mail.Config{Store: s, SMTP: sm, From: from, BaseURL: "https://answers.example.com", SiteName: "答疑 Answers", SendTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if n := sendAll(t, sender); n != 2 {
		t.Fatalf("sent %d", n)
	}

	link := "https://answers.example.com" + qa.AnswerPath(a.ID)
	urlAttr := regexp.MustCompile(`(?:href|src)="([^"]*)"`)
	for _, m := range readers {
		got := pit.WaitTo(t, m.Email, 10*time.Second)
		raw := pit.Raw(t, got.ID)
		for name, part := range map[string]string{"text": got.Text, "html": got.HTML} {
			if !strings.Contains(part, link) || !strings.Contains(part, "验证者收益明细") || !strings.Contains(part, "每个周期发放") {
				t.Errorf("%s part to %s lacks the answer (%s, its title, its opening):\n%s", name, m.Email, link, part)
			}
		}
		for _, part := range []string{got.Text, got.HTML, raw} {
			if strings.Contains(part, "/images/") || strings.Contains(part, img.SHA256) {
				t.Fatalf("the mail to %s names the member-only image:\n%s", m.Email, part)
			}
		}
		attrs := urlAttr.FindAllStringSubmatch(got.HTML, -1)
		if len(attrs) == 0 {
			t.Fatalf("no links in the html part to %s", m.Email)
		}
		for _, at := range attrs {
			if !strings.HasPrefix(at[1], "https://answers.example.com/") {
				t.Errorf("the mail to %s links to %q, not an absolute URL of the site", m.Email, at[1])
			}
		}
	}
}
