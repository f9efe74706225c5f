package qa_test

import (
	"errors"
	"fmt"
	"testing"

	"answerbook/qa"
)

// TestStartTrial: a plan's free trial makes a visitor a member on that plan
// for its trial days, once per e-mail and a few times per address; a plan
// without a trial, or retired, starts none; members renew instead.
func TestStartTrial(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "专家 Expert", qa.RoleExpert)
		five := 5
		p, err := e.CreatePlan(e.ctx, as(x), qa.PlanInput{NameEN: "Monthly", NameZH: "月度会员", Amount: 2900, Currency: "cny", PeriodDays: 30, Questions: &five, TrialDays: 14, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		start := func(email string, plan int64, addr string) (*qa.Member, error) {
			return e.StartTrial(e.ctx, qa.Visitor(), qa.TrialStart{PlanID: plan, Email: email, Name: "试用者 Trialist", Password: "a long password", Lang: "zh-Hans"}, addr)
		}
		m, err := start("trial@example.com", p.ID, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if m.PlanID == nil || *m.PlanID != p.ID || m.ActiveUntil == nil || !m.ActiveUntil.Equal(e.clock.Now().UTC().Truncate(24*60*60e9).AddDate(0, 0, 14)) {
			t.Fatalf("trial member: plan %v until %v", m.PlanID, m.ActiveUntil)
		}
		q, err := e.FindQuota(e.ctx, as(m))
		if err != nil || q.Limit == nil || *q.Limit != 5 {
			t.Fatalf("the trial's quota is not the plan's: %+v %v", q, err)
		}
		if _, err := start("TRIAL@example.com", p.ID, "10.0.0.2"); !errors.Is(err, qa.E(qa.KeyTrialRefused, nil)) {
			t.Fatalf("a second trial for one address: %v", err)
		}
		none, err := e.CreatePlan(e.ctx, as(x), qa.PlanInput{NameEN: "Yearly", Amount: 29900, Currency: "cny", PeriodDays: 365, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := start("other@example.com", none.ID, "10.0.0.3"); !errors.Is(err, qa.E(qa.KeyTrialPlan, nil)) {
			t.Fatalf("a plan without a trial: %v", err)
		}
		if _, err := e.PatchPlan(e.ctx, as(x), p.ID, func(in *qa.PlanInput) error { in.Active = false; return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := start("retired@example.com", p.ID, "10.0.0.3"); !errors.Is(err, qa.E(qa.KeyTrialPlan, nil)) {
			t.Fatalf("a retired plan: %v", err)
		}
		if _, err := e.PatchPlan(e.ctx, as(x), p.ID, func(in *qa.PlanInput) error { in.Active = true; return nil }); err != nil {
			t.Fatal(err)
		}
		// Few per client address, success or not.
		var last error
		for i := range qa.MaxTrialsPerAddress + 1 {
			_, last = start(fmt.Sprintf("t%d@example.com", i), p.ID, "10.9.9.9")
		}
		if qa.ErrorCode(last) != qa.ERATELIMITED {
			t.Fatalf("trial %d from one address: %v", qa.MaxTrialsPerAddress+1, last)
		}
		if _, err := e.StartTrial(e.ctx, as(m), qa.TrialStart{PlanID: p.ID, Email: "m2@example.com", Name: "M", Password: "a long password"}, ""); !errors.Is(err, qa.E(qa.KeyTrialMembers, nil)) {
			t.Fatalf("a member starts a trial: %v", err)
		}
	})
}

// TestFindMembers_ByPlan: the members list filters by plan, and by no plan.
func TestFindMembers_ByPlan(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		x := e.member(t, "专家", qa.RoleExpert)
		p, err := e.CreatePlan(e.ctx, as(x), qa.PlanInput{NameEN: "Monthly", NameZH: "月度", Amount: 2900, Currency: "cny", PeriodDays: 30, TrialDays: 7, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.StartTrial(e.ctx, qa.Visitor(), qa.TrialStart{PlanID: p.ID, Email: "on-plan@example.com", Name: "有套餐 On plan", Password: "a long password"}, ""); err != nil {
			t.Fatal(err)
		}
		e.member(t, "无套餐 No plan", qa.RoleMember)
		names := func(id int64) []string {
			t.Helper()
			role := qa.RoleMember
			ms, _, err := e.FindMembers(e.ctx, as(x), qa.MemberFilter{Role: &role, PlanID: &id, Page: qa.Page{Page: 1, PerPage: 20}})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range ms {
				out = append(out, m.Name)
			}
			return out
		}
		if got := names(p.ID); len(got) != 1 || got[0] != "有套餐 On plan" {
			t.Fatalf("on the plan: %v", got)
		}
		if got := names(0); len(got) != 1 || got[0] != "无套餐 No plan" {
			t.Fatalf("no plan: %v", got)
		}
	})
}
