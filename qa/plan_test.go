package qa_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"answerbook/qa"
)

func TestStore_Plans(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		m := e.member(t, "Member", qa.RoleMember)
		year, err := e.CreatePlan(e.ctx, as(x), qa.PlanInput{NameEN: " Yearly ", NameZH: "年度会员", Amount: 29900, Currency: "CNY", PeriodDays: 365, Questions: ptr(20), TrialDays: 7, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if year.NameEN != "Yearly" || year.Currency != "cny" || *year.Questions != 20 || !year.Active() || year.Name("zh-Hans") != "年度会员" || year.Name("en") != "Yearly" {
			t.Fatalf("plan = %+v", year)
		}
		reader, err := e.CreatePlan(e.ctx, as(x), qa.PlanInput{NameZH: "只读", Amount: 990, Currency: "usd", PeriodDays: 30, Questions: ptr(0), Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if reader.Name("en") != "只读" {
			t.Fatalf("a plan named in Chinese only reads its Chinese name in English: %q", reader.Name("en"))
		}
		// Retire one: it leaves the list on sale, not the whole list.
		retired, err := e.UpdatePlan(e.ctx, as(x), reader.ID, qa.PlanInput{NameZH: "只读", NameEN: "Read only", Amount: 990, Currency: "usd", PeriodDays: 30, Questions: ptr(0)})
		if err != nil || retired.Active() || retired.NameEN != "Read only" || !retired.CreatedAt.Equal(reader.CreatedAt) {
			t.Fatalf("retired = %+v, %v", retired, err)
		}
		ps, err := e.FindPlans(e.ctx, false)
		if err != nil || len(ps) != 1 || ps[0].ID != year.ID {
			t.Fatalf("active = %v, %v", ps, err)
		}
		if ps, err = e.FindPlans(e.ctx, true); err != nil || len(ps) != 2 || ps[0].ID != reader.ID {
			t.Fatalf("all, cheapest first = %v, %v", ps, err)
		}
		back, err := e.UpdatePlan(e.ctx, as(x), reader.ID, qa.PlanInput{NameEN: "Read only", Amount: 990, Currency: "usd", PeriodDays: 30, Questions: ptr(0), Active: true})
		if err != nil || !back.Active() {
			t.Fatalf("back on sale = %+v, %v", back, err)
		}
		if p, err := e.FindPlan(e.ctx, year.ID); err != nil || p.Amount != 29900 {
			t.Fatalf("find = %+v, %v", p, err)
		}
		_, err = e.FindPlan(e.ctx, 9999)
		wantCode(t, err, qa.ENOTFOUND)
		_, err = e.UpdatePlan(e.ctx, as(x), 9999, qa.PlanInput{NameEN: "x", Currency: "usd", PeriodDays: 1})
		wantCode(t, err, qa.ENOTFOUND)

		_, err = e.CreatePlan(e.ctx, as(m), qa.PlanInput{NameEN: "x", Currency: "usd", PeriodDays: 1})
		wantCode(t, err, qa.EFORBIDDEN)
		_, err = e.UpdatePlan(e.ctx, asToken(x, qa.ScopeRead), year.ID, qa.PlanInput{NameEN: "x", Currency: "usd", PeriodDays: 1})
		wantCode(t, err, qa.EFORBIDDEN)

		ok := qa.PlanInput{NameEN: "Monthly", NameZH: "月度", Amount: 3000, Currency: "cny", PeriodDays: 30, Active: true}
		for _, c := range []struct {
			name string
			f    func(*qa.PlanInput)
			key  qa.Key
		}{
			{"no name", func(p *qa.PlanInput) { p.NameEN, p.NameZH = " ", "" }, qa.KeyPlanName},
			{"long name", func(p *qa.PlanInput) { p.NameZH = strings.Repeat("名", qa.MaxPlanNameLen+1) }, qa.KeyTooLong},
			{"negative amount", func(p *qa.PlanInput) { p.Amount = -1 }, qa.KeyPlanAmount},
			{"huge amount", func(p *qa.PlanInput) { p.Amount = qa.MaxPlanAmount + 1 }, qa.KeyPlanAmount},
			{"two letters", func(p *qa.PlanInput) { p.Currency = "us" }, qa.KeyPlanCurrency},
			{"digits", func(p *qa.PlanInput) { p.Currency = "us1" }, qa.KeyPlanCurrency},
			{"hanzi", func(p *qa.PlanInput) { p.Currency = "人民币" }, qa.KeyPlanCurrency},
			{"no period", func(p *qa.PlanInput) { p.PeriodDays = 0 }, qa.KeyPlanPeriod},
			{"long period", func(p *qa.PlanInput) { p.PeriodDays = qa.MaxPlanDays + 1 }, qa.KeyPlanPeriod},
			{"negative quota", func(p *qa.PlanInput) { p.Questions = ptr(-1) }, qa.KeyPlanQuestions},
			{"huge quota", func(p *qa.PlanInput) { p.Questions = ptr(qa.MaxPlanQuestions + 1) }, qa.KeyPlanQuestions},
			{"negative trial", func(p *qa.PlanInput) { p.TrialDays = -1 }, qa.KeyPlanTrial},
			{"long trial", func(p *qa.PlanInput) { p.TrialDays = qa.MaxPlanTrialDays + 1 }, qa.KeyPlanTrial},
		} {
			in := ok
			c.f(&in)
			_, err := e.CreatePlan(e.ctx, as(x), in)
			if qa.ErrorKey(err) != c.key {
				t.Errorf("%s: %v, want %s", c.name, err, c.key)
			}
		}
		in := ok
		in.Amount = -5
		_, err = e.CreatePlan(e.ctx, as(x), in)
		wantSaid(t, err, qa.KeyPlanAmount, "The price must be between 0 and 100,000,000 in the currency's smallest unit (cents, fen).",
			"价格必须在 0 到 100,000,000 之间，以货币的最小单位计（分）。")
		in = ok
		in.Currency = "元"
		_, err = e.CreatePlan(e.ctx, as(x), in)
		wantSaid(t, err, qa.KeyPlanCurrency, "The currency must be a three-letter ISO 4217 code such as usd or cny.",
			"货币必须是三个字母的 ISO 4217 代码，例如 cny 或 usd。")
		if ps, _ := e.FindPlans(e.ctx, true); len(ps) != 2 {
			t.Fatalf("refused plans were kept: %d plans", len(ps))
		}
	})
}

// TestStore_QuotaByPlan: a member's quota is their plan's, else the
// site's; asking and FindQuota follow the one rule; codes with a plan
// set it on joining and renewing; redemptions are listed.
func TestStore_QuotaByPlan(t *testing.T) {
	eachStoreWith(t, qa.Config{}, func(t *testing.T, e *env) {
		x := e.member(t, "Expert", qa.RoleExpert)
		plain := e.member(t, "No Plan 王", qa.RoleMember)
		quota := func(m *qa.Member) *qa.Quota {
			t.Helper()
			q, err := e.FindQuota(e.ctx, as(m))
			if err != nil {
				t.Fatal(err)
			}
			return q
		}
		// Without a plan: the site's default, 20, then what the owner sets.
		if q := quota(plain); q.Limit == nil || *q.Limit != 20 || *q.Remaining != 20 || q.ResetsAt != nil {
			t.Fatalf("default quota = %+v", q)
		}
		st, _ := e.Settings(e.ctx)
		st.Quota = ptr(2)
		if _, err := e.UpdateSettings(e.ctx, as(x), st); err != nil {
			t.Fatal(err)
		}
		q1 := e.ask(t, plain, "第一个问题", "")
		e.clock.Add(time.Hour)
		e.ask(t, plain, "Second question", "")
		if q := quota(plain); *q.Limit != 2 || q.Used != 2 || *q.Remaining != 0 || !q.ResetsAt.Equal(q1.CreatedAt.Add(30*24*time.Hour)) {
			t.Fatalf("used up = %+v", q)
		}
		_, err := e.CreateQuestion(e.ctx, as(plain), qa.QuestionCreate{Title: "Third"})
		wantSaid(t, err, qa.KeyQuota,
			"You have asked 2 questions in the last 30 days, the most your membership allows. You can ask the next one on 2026-03-31 (declined and expired questions give their credit back), or choose a larger plan on /join.",
			"你在最近 30 天内已提了 2 个问题，达到了会员的上限。2026-03-31 起可以再提问（被婉拒和过期的问题会返还次数），也可以在“加入”页面选择提问更多的套餐。")
		// A decline gives the credit back, and the count shows it.
		if _, err := e.DeclineQuestion(e.ctx, as(x), q1.ID, "不在范围内"); err != nil {
			t.Fatal(err)
		}
		if q := quota(plain); q.Used != 1 || *q.Remaining != 1 {
			t.Fatalf("after a decline = %+v", q)
		}

		// Plans: three questions, read-only, unlimited.
		mk := func(name string, questions *int) *qa.Plan {
			t.Helper()
			p, err := e.CreatePlan(e.ctx, as(x), qa.PlanInput{NameEN: name, NameZH: name + "套餐", Amount: 1000, Currency: "cny", PeriodDays: 30, Questions: questions, Active: true})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		three, readOnly, unlimited := mk("Three", ptr(3)), mk("Reader", ptr(0)), mk("Unlimited", nil)
		code := func(p *qa.Plan) string {
			t.Helper()
			var id *int64
			if p != nil {
				id = &p.ID
			}
			raw, _, err := e.CreateMembershipCode(e.ctx, as(x), qa.CodeCreate{Days: 30, MaxUses: 5, PlanID: id, Label: "微信转账"})
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}
		join := func(raw, email string) *qa.Member {
			t.Helper()
			m, err := e.RedeemCode(e.ctx, qa.Visitor(), qa.CodeRedeem{Code: raw, Email: email, Name: "新会员 " + email, Password: "long enough pw"}, "192.0.2.7")
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		threeCode := code(three)
		m3 := join(threeCode, "three@example.com")
		if m3.PlanID == nil || *m3.PlanID != three.ID {
			t.Fatalf("joined with a plan code: plan %v", m3.PlanID)
		}
		if q := quota(m3); *q.Limit != 3 || q.Used != 0 {
			t.Fatalf("plan quota = %+v", q)
		}
		for i := range 3 {
			e.ask(t, m3, "plan question "+string(rune('A'+i)), "")
		}
		_, err = e.CreateQuestion(e.ctx, as(m3), qa.QuestionCreate{Title: "fourth"})
		wantErrKey(t, err, qa.KeyQuota)
		// A retired plan keeps its members' quota.
		if _, err := e.UpdatePlan(e.ctx, as(x), three.ID, qa.PlanInput{NameEN: "Three", Amount: 1000, Currency: "cny", PeriodDays: 30, Questions: ptr(3)}); err != nil {
			t.Fatal(err)
		}
		if q := quota(m3); *q.Limit != 3 {
			t.Fatalf("retired plan quota = %+v", q)
		}
		// ... but no new code can give it.
		_, _, err = e.CreateMembershipCode(e.ctx, as(x), qa.CodeCreate{Days: 30, MaxUses: 1, PlanID: &three.ID})
		wantSaid(t, err, qa.KeyCodePlan, "Plan "+strconv.FormatInt(three.ID, 10)+" is not on sale: a code can only give an active plan.", "套餐 "+strconv.FormatInt(three.ID, 10)+" 未在售：会员码只能对应在售的套餐。")
		_, _, err = e.CreateMembershipCode(e.ctx, as(x), qa.CodeCreate{Days: 30, MaxUses: 1, PlanID: ptr(int64(987654))})
		wantErrKey(t, err, qa.KeyCodePlan)

		// Renewing with a code of another plan moves the member to it: a
		// read-only plan cannot ask, and says so.
		if _, err := e.RedeemCode(e.ctx, as(m3), qa.CodeRedeem{Code: code(readOnly)}, "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
		m3, _ = e.FindMemberByID(e.ctx, m3.ID)
		if q := quota(m3); q.Limit == nil || *q.Limit != 0 || *q.Remaining != 0 || q.Used != 3 {
			t.Fatalf("read-only quota = %+v", q)
		}
		_, err = e.CreateQuestion(e.ctx, as(m3), qa.QuestionCreate{Title: "may I?"})
		wantSaid(t, err, qa.KeyQuotaReadOnly,
			"Your plan is read-only: it includes no questions. Choose a plan with questions on /join, or renew with a code on /account.",
			"你的套餐是只读套餐，不含提问次数。可以在“加入”页面选择含提问的套餐，或在“我的账户”页面用会员码续期。")
		// A code without a plan keeps the member's plan.
		if _, err := e.RedeemCode(e.ctx, as(m3), qa.CodeRedeem{Code: code(nil)}, "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
		if m, _ := e.FindMemberByID(e.ctx, m3.ID); m.PlanID == nil || *m.PlanID != readOnly.ID {
			t.Fatalf("plain renewal changed the plan: %v", m.PlanID)
		}
		mu := join(code(unlimited), "unlimited@example.com")
		if q := quota(mu); q.Limit != nil || q.Remaining != nil {
			t.Fatalf("unlimited = %+v", q)
		}
		for i := range 4 {
			e.ask(t, mu, "无限提问 "+string(rune('0'+i)), "")
		}
		// The expert has no quota.
		if q := quota(x); q.Limit != nil {
			t.Fatalf("expert = %+v", q)
		}

		// Who redeemed which: newest first, with names, for the expert.
		rs, err := e.FindCodeRedemptions(e.ctx, as(x), 0)
		if err != nil || len(rs) != 4 {
			t.Fatalf("redemptions = %v, %v", rs, err)
		}
		if rs[0].MemberEmail != "unlimited@example.com" || rs[0].Renewal || rs[0].CodeLabel != "微信转账" || rs[0].PlanID == nil || *rs[0].PlanID != unlimited.ID {
			t.Fatalf("newest redemption = %+v", rs[0])
		}
		if !rs[1].Renewal || rs[1].MemberID != m3.ID || rs[1].PlanID != nil || rs[1].Days != 30 {
			t.Fatalf("renewal = %+v", rs[1])
		}
		one, err := e.FindCodeRedemptions(e.ctx, as(x), rs[3].CodeID)
		if err != nil || len(one) != 1 || one[0].MemberName != "新会员 three@example.com" {
			t.Fatalf("one code's = %v, %v", one, err)
		}
		_, err = e.FindCodeRedemptions(e.ctx, as(m3), 0)
		wantCode(t, err, qa.EFORBIDDEN)

		// The site's default: unlimited, then read-only.
		st.Quota = nil
		if _, err := e.UpdateSettings(e.ctx, as(x), st); err != nil {
			t.Fatal(err)
		}
		if q := quota(plain); q.Limit != nil {
			t.Fatalf("unlimited default = %+v", q)
		}
		st.Quota = ptr(0)
		if _, err := e.UpdateSettings(e.ctx, as(x), st); err != nil {
			t.Fatal(err)
		}
		_, err = e.CreateQuestion(e.ctx, as(plain), qa.QuestionCreate{Title: "read-only site"})
		wantErrKey(t, err, qa.KeyQuotaReadOnly)
	})
}
