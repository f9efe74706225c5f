package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"answerbook/qa"
)

// TestCLI_CodeCreatePlan: "code create --plan ID" makes codes that give
// the plan (and its quota) to who joins with them; a plan not on sale or
// not a number is refused.
func TestCLI_CodeCreatePlan(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := qa.Open(ctx, qa.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := s.CreatePlan(ctx, qa.System(), qa.PlanInput{NameEN: "Quarterly", NameZH: "季度会员", Amount: 8800, Currency: "cny", PeriodDays: 90, Questions: ptr(7), Active: true})
	if err != nil {
		t.Fatal(err)
	}
	retired, err := s.CreatePlan(ctx, qa.System(), qa.PlanInput{NameEN: "Old", Amount: 100, Currency: "cny", PeriodDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	id := strconv.FormatInt(plan.ID, 10)
	code, out, errOut := cli(t, "", "code", "create", "--data", dir, "--days", "90", "--uses", "1", "--count", "2", "--plan", id, "--label", "微信 transfer")
	lines := strings.Fields(out)
	if code != 0 || len(lines) != 2 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--plan", strconv.FormatInt(retired.ID, 10)}, 1, "is not on sale"},
		{[]string{"--plan", "987654"}, 1, "plan 987654 is not on sale"},
		{[]string{"--plan", "季度"}, 2, "--plan"},
		{[]string{"--plan=-1"}, 1, "is not on sale"},
	} {
		args := append([]string{"code", "create", "--data", dir, "--days", "30", "--uses", "1"}, c.args...)
		code, out, errOut := cli(t, "", args...)
		if code != c.code || out != "" || !strings.Contains(errOut, c.stderr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d, %q", c.args, code, out, errOut, c.code, c.stderr)
		}
	}

	s, err = qa.Open(ctx, qa.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, err := s.RedeemCode(ctx, qa.Visitor(), qa.CodeRedeem{Code: lines[0], Email: "jiang@example.com", Name: "江", Password: "a good password"}, "")
	if err != nil || m.PlanID == nil || *m.PlanID != plan.ID {
		t.Fatalf("redeem: %+v, %v", m, err)
	}
	q, err := s.FindQuota(ctx, qa.Actor{Member: m, Scope: qa.ScopeWrite})
	if err != nil || q.Limit == nil || *q.Limit != 7 {
		t.Fatalf("quota of the plan: %+v, %v", q, err)
	}
	cs, err := s.FindMembershipCodes(ctx, qa.System())
	if err != nil || len(cs) != 2 || cs[0].PlanID == nil || *cs[0].PlanID != plan.ID || cs[0].Label != "微信 transfer" {
		t.Fatalf("codes: %v, %v", cs, err)
	}
}

// TestServe_FlagsWinOverSettings: --site-name and --expire-after fix their
// settings only when given; left out, the settings (or their defaults)
// are in force.
func TestServe_FlagsWinOverSettings(t *testing.T) {
	parse := func(args ...string) Config {
		t.Helper()
		var c CLI
		p, err := kong.New(&c, cliVars(), kong.Exit(func(int) { t.Fatal("exit") }))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Parse(append([]string{"serve"}, args...)); err != nil {
			t.Fatal(err)
		}
		return c.Serve.config(&c.Globals)
	}
	if c := parse(); c.SiteName != "" || c.ExpireAfter != 0 {
		t.Fatalf("no flags: %+v", c)
	}
	if c := parse("--site-name", "答疑", "--expire-after", "48h"); c.SiteName != "答疑" || c.ExpireAfter != 48*time.Hour {
		t.Fatalf("flags: %+v", c)
	}
	if c := parse("--expire-after", "0"); c.ExpireAfter >= 0 {
		t.Fatalf("--expire-after 0 must fix 'never': %v", c.ExpireAfter)
	}
	t.Setenv("ANSWERBOOK_EXPIRE_AFTER", "72h")
	if c := parse(); c.ExpireAfter != 72*time.Hour {
		t.Fatalf("env: %v", c.ExpireAfter)
	}

	// The running program: the flag's name is the site's, the setting
	// waits; without the flag the setting is in force.
	dir := t.TempDir()
	m := NewMain()
	m.Config.DataDir, m.Config.Addr, m.Config.SiteName = dir, "127.0.0.1:0", "Flag 站"
	m.SetupLink = func(string) {}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := m.Store.Settings(ctx)
	if err != nil || st.SiteName != "Flag 站" || !st.IsFixed(qa.FixedSiteName) || st.ExpireDays != 30 || st.IsFixed(qa.FixedExpireDays) {
		t.Fatalf("with --site-name: %+v, %v", st, err)
	}
	st.SiteName, st.ExpireDays = "Flag 站", 3
	if _, err := m.Store.UpdateSettings(ctx, qa.System(), st); err != nil {
		t.Fatal(err)
	}
	if d, _ := m.Store.ExpireAfter(ctx); d != 3*24*time.Hour {
		t.Fatalf("expiry from the setting: %v", d)
	}
	m.Close()
}

func ptr[T any](v T) *T { return &v }
