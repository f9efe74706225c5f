package qa_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"answerbook/qa"
)

// TestSignEmbed: a signed embed shows a member-only answer in full until
// it expires, for that answer only; only the expert mints one; the TTL is
// bounded; two servers (one database) sign alike.
func TestSignEmbed(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "专家 Expert", qa.RoleExpert)
		m := e.member(t, "会员 Member", qa.RoleMember)
		title := "会员专享：质押收益怎么算 Staking rewards"
		a, err := e.CreateAnswer(e.ctx, as(x), qa.AnswerCreate{Title: &title, Body: "每个 epoch 结算 — paid every epoch."})
		if err != nil {
			t.Fatal(err)
		}
		g, err := e.SignEmbed(e.ctx, as(x), a.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		exp := time.Unix(g.Exp, 0).UTC()
		if !exp.Equal(g.ExpiresAt) || exp.Sub(e.clock.Now()) != time.Hour {
			t.Fatalf("expiry %v, grant %+v", exp, g)
		}
		ok, err := e.EmbedSigned(e.ctx, a.ID, itoa(g.Exp), g.Sig)
		if err != nil || !ok {
			t.Fatalf("a fresh grant does not verify: %v %v", ok, err)
		}
		full, err := e.FindEmbeddedAnswer(e.ctx, a.ID, ok)
		if err != nil || !full.Full || full.BodyMarkdown == "" {
			t.Fatalf("signed embed: %+v %v", full, err)
		}
		teaser, err := e.FindEmbeddedAnswer(e.ctx, a.ID, false)
		if err != nil || teaser.Full {
			t.Fatalf("unsigned embed of a member-only answer is full: %+v %v", teaser, err)
		}
		for name, c := range map[string][2]string{
			"other expiry": {itoa(g.Exp + 1), g.Sig},
			"garbage exp":  {"soon", g.Sig},
			"empty sig":    {itoa(g.Exp), ""},
		} {
			if ok, _ := e.EmbedSigned(e.ctx, a.ID, c[0], c[1]); ok {
				t.Errorf("%s verifies", name)
			}
		}
		if ok, _ := e.EmbedSigned(e.ctx, a.ID+1, itoa(g.Exp), g.Sig); ok {
			t.Error("a grant verifies for another answer")
		}
		e.clock.Add(time.Hour)
		if ok, _ := e.EmbedSigned(e.ctx, a.ID, itoa(g.Exp), g.Sig); ok {
			t.Error("an expired grant verifies")
		}
		if _, err := e.SignEmbed(e.ctx, as(m), a.ID, time.Hour); qa.ErrorCode(err) != qa.EFORBIDDEN {
			t.Errorf("a member mints: %v", err)
		}
		for _, ttl := range []time.Duration{time.Second, 400 * 24 * time.Hour} {
			if _, err := e.SignEmbed(e.ctx, as(x), a.ID, ttl); !errors.Is(err, qa.E(qa.KeyEmbedTTL, nil)) {
				t.Errorf("ttl %v: %v", ttl, err)
			}
		}
		if _, err := e.SignEmbed(e.ctx, as(x), 999999, 0); qa.ErrorCode(err) != qa.ENOTFOUND {
			t.Errorf("missing answer: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
