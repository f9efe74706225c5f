package qa_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"answerbook/qa"
)

func TestStore_Stats(t *testing.T) {
	cfg := qa.Config{QuestionQuota: -1, ExpireAfter: 30 * 24 * time.Hour}
	t.Run("Empty", func(t *testing.T) {
		eachStoreWith(t, cfg, func(t *testing.T, e *env) {
			expert := e.member(t, "Expert", qa.RoleExpert)
			st, err := e.Stats(e.ctx, as(expert))
			if err != nil {
				t.Fatal(err)
			}
			if st.Pending.Count != 0 || st.Pending.Oldest != nil || st.Pending.ExpiringThisWeek != 0 {
				t.Errorf("pending = %+v, want zeros", st.Pending)
			}
			if len(st.TimeToAnswer) != 2 || st.TimeToAnswer[0].Days != 30 || st.TimeToAnswer[1].Days != 90 {
				t.Fatalf("time to answer = %+v", st.TimeToAnswer)
			}
			for _, at := range st.TimeToAnswer {
				if at.Answered != 0 || at.Median != 0 || at.P90 != 0 {
					t.Errorf("time to answer = %+v, want zeros", at)
				}
			}
			if len(st.Weeks) != qa.DashboardWeeks {
				t.Fatalf("weeks = %d, want %d", len(st.Weeks), qa.DashboardWeeks)
			}
			for _, w := range st.Weeks {
				if w.Questions != 0 || w.Answers != 0 || w.Start.Weekday() != time.Monday {
					t.Errorf("week = %+v, want a Monday with zeros", w)
				}
			}
			if len(st.Unanswered) != 0 {
				t.Errorf("unanswered = %v", st.Unanswered)
			}
		})
	})
	t.Run("ErrExpertOnly", func(t *testing.T) {
		eachStore(t, func(t *testing.T, e *env) {
			m := e.member(t, "Ann", qa.RoleMember)
			_, err := e.Stats(e.ctx, as(m))
			wantCode(t, err, qa.EFORBIDDEN)
			_, err = e.Stats(e.ctx, qa.Visitor())
			wantCode(t, err, qa.EUNAUTHORIZED)
			_, err = e.ClearSearchLog(e.ctx, as(m))
			wantCode(t, err, qa.EFORBIDDEN)
		})
	})
	t.Run("Figures", func(t *testing.T) {
		eachStoreWith(t, cfg, func(t *testing.T, e *env) {
			expert := e.member(t, "Expert", qa.RoleExpert)
			m := e.member(t, "Ann", qa.RoleMember)
			// Asked 27 days ago: expires in 3 days, this week.
			old := e.ask(t, m, "An old question about staking", "")
			e.clock.Add(time.Hour)
			q1 := e.ask(t, m, "First answered question", "")
			e.clock.Add(2 * time.Hour)
			e.answer(t, expert, q1, "Answer one.")
			q2 := e.ask(t, m, "Second answered question", "")
			e.clock.Add(10 * time.Hour)
			e.answer(t, expert, q2, "Answer two.")
			e.clock.Add(27*24*time.Hour - 13*time.Hour)
			// Asked now: expires in 30 days.
			e.ask(t, m, "A fresh question about validators", "")

			st, err := e.Stats(e.ctx, as(expert))
			if err != nil {
				t.Fatal(err)
			}
			if st.Pending.Count != 2 || st.Pending.ExpiringThisWeek != 1 || st.Pending.ExpireAfter != cfg.ExpireAfter {
				t.Errorf("pending = %+v, want 2, 1 expiring", st.Pending)
			}
			if st.Pending.Oldest == nil || !st.Pending.Oldest.Equal(old.CreatedAt) || st.Pending.OldestAge != 27*24*time.Hour {
				t.Errorf("oldest = %v (age %v), want %v (27 days)", st.Pending.Oldest, st.Pending.OldestAge, old.CreatedAt)
			}
			for _, at := range st.TimeToAnswer {
				// Two waits, 2h and 10h: the median (nearest rank) is 2h,
				// the 90th percentile 10h.
				if at.Answered != 2 || at.Median != 2*time.Hour || at.P90 != 10*time.Hour {
					t.Errorf("time to answer over %d days = %+v, want 2 answered, 2h, 10h", at.Days, at)
				}
			}
			var nq, na int
			for _, w := range st.Weeks {
				nq += w.Questions
				na += w.Answers
			}
			if nq != 4 || na != 2 {
				t.Errorf("weekly totals = %d questions, %d answers; want 4, 2 (%+v)", nq, na, st.Weeks)
			}
			last := st.Weeks[len(st.Weeks)-1]
			if !last.Start.Equal(qa.WeekStart(e.clock.Now())) || last.Questions != 1 {
				t.Errorf("this week = %+v, want 1 question from %v", last, qa.WeekStart(e.clock.Now()))
			}

			// 40 days on, the first answers are out of the 30-day window
			// but still in the 90-day one.
			e.clock.Add(40 * 24 * time.Hour)
			st, err = e.Stats(e.ctx, as(expert))
			if err != nil {
				t.Fatal(err)
			}
			if st.TimeToAnswer[0].Answered != 0 || st.TimeToAnswer[1].Answered != 2 {
				t.Errorf("time to answer = %+v, want 0 in 30 days, 2 in 90", st.TimeToAnswer)
			}
			if st.Pending.ExpiringThisWeek != 2 {
				t.Errorf("expiring = %d, want 2 (both overdue)", st.Pending.ExpiringThisWeek)
			}
		})
	})
	t.Run("NoExpiry", func(t *testing.T) {
		eachStore(t, func(t *testing.T, e *env) {
			expert := e.member(t, "Expert", qa.RoleExpert)
			// Expiry off: the setting's 0 days (no flag fixes it).
			st0, _ := e.Settings(e.ctx)
			st0.ExpireDays = 0
			if _, err := e.UpdateSettings(e.ctx, as(expert), st0); err != nil {
				t.Fatal(err)
			}
			e.ask(t, e.member(t, "Ann", qa.RoleMember), "A question that never expires", "")
			e.clock.Add(365 * 24 * time.Hour)
			st, err := e.Stats(e.ctx, as(expert))
			if err != nil {
				t.Fatal(err)
			}
			if st.Pending.Count != 1 || st.Pending.ExpiringThisWeek != 0 {
				t.Errorf("pending = %+v, want 1 and none expiring", st.Pending)
			}
		})
	})
}

func TestNormalizeSearch(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  Staking   Rewards ", "staking rewards"},
		{"ＳＴＡＫＩＮＧ", "staking"},
		{"质押  收益", "质押 收益"},
		{"\t\n", ""},
		{"bad\xffutf8", "badutf8"},
		{strings.Repeat("a", 500), strings.Repeat("a", qa.SearchLogMaxText)},
		{strings.Repeat("质", 500), strings.Repeat("质", qa.SearchLogMaxText)},
	} {
		if got := qa.NormalizeSearch(tc.in); got != tc.want {
			t.Errorf("NormalizeSearch(%.20q) = %.20q, want %.20q", tc.in, got, tc.want)
		}
	}
}

func TestStore_SearchLog(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		ann := e.member(t, "Ann", qa.RoleMember)
		lapsed := e.expired(t, "Lapsed")
		logAs := func(a qa.Actor, text string, results int) {
			t.Helper()
			if err := e.LogSearch(e.ctx, a, text, qa.SearchOutcome{Results: results}); err != nil {
				t.Fatalf("log %q: %v", text, err)
			}
		}
		log := func(text string, results int) { t.Helper(); logAs(as(ann), text, results) }
		misses := func() []qa.SearchMiss {
			t.Helper()
			st, err := e.Stats(e.ctx, as(expert))
			if err != nil {
				t.Fatal(err)
			}
			return st.Unanswered
		}
		day1 := e.clock.Now().Format(time.DateOnly)
		log("Staking  Rewards", 0)
		log("staking rewards", 0)
		log("slashing", 0)
		log("found something", 3) // not a miss: not logged
		log("   ", 0)             // nothing to log
		// Only members who read the whole archive are heard: the others
		// find public answers only, the expert is checking.
		logAs(as(expert), "expert search", 0)
		logAs(as(lapsed), "lapsed search", 0)
		logAs(qa.Visitor(), "visitor search", 0)
		e.clock.Add(24 * time.Hour)
		day2 := e.clock.Now().Format(time.DateOnly)
		log("STAKING rewards", 0)

		got := misses()
		want := []qa.SearchMiss{{Text: "staking rewards", Count: 3, LastSeen: day2}, {Text: "slashing", Count: 1, LastSeen: day1}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("unanswered = %+v, want %+v", got, want)
		}

		// The log keeps 90 days: on day 91 the first day's rows go.
		e.clock.Add(89 * 24 * time.Hour)
		n, err := e.PruneSearchLog(e.ctx)
		if err != nil || n != 2 {
			t.Fatalf("prune = %d, %v; want the first day's 2 rows", n, err)
		}
		want = []qa.SearchMiss{{Text: "staking rewards", Count: 1, LastSeen: day2}}
		if got := misses(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("after pruning = %+v, want %+v", got, want)
		}

		n, err = e.ClearSearchLog(e.ctx, as(expert))
		if err != nil || n != 1 {
			t.Fatalf("clear = %d, %v; want 1", n, err)
		}
		if got := misses(); len(got) != 0 {
			t.Fatalf("after clearing = %+v", got)
		}
	})
}

// TestStore_SearchLog_Window: the dashboard reads the miss totals that
// LogSearch and PruneSearchLog keep; a day out of the window but not yet
// pruned still does not count, and after the prune the totals agree.
func TestStore_SearchLog_Window(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		ann := e.member(t, "Ann", qa.RoleMember)
		log := func(text string) {
			t.Helper()
			if err := e.LogSearch(e.ctx, as(ann), text, qa.SearchOutcome{}); err != nil {
				t.Fatal(err)
			}
		}
		misses := func() string {
			t.Helper()
			st, err := e.Stats(e.ctx, as(expert))
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(st.Unanswered)
		}
		day1 := e.clock.Now().Format(time.DateOnly)
		log("validator keys")
		log("validator keys")
		log("epoch length")
		e.clock.Add(24 * time.Hour)
		day2 := e.clock.Now().Format(time.DateOnly)
		log("epoch length")
		log("restaking")
		want := fmt.Sprint([]qa.SearchMiss{{Text: "epoch length", Count: 2, LastSeen: day2}, {Text: "validator keys", Count: 2, LastSeen: day1}, {Text: "restaking", Count: 1, LastSeen: day2}})
		if got := misses(); got != want {
			t.Fatalf("unanswered = %s, want %s", got, want)
		}
		// Day one leaves the window: counted out before the prune runs…
		e.clock.Add(89 * 24 * time.Hour)
		want = fmt.Sprint([]qa.SearchMiss{{Text: "epoch length", Count: 1, LastSeen: day2}, {Text: "restaking", Count: 1, LastSeen: day2}})
		if got := misses(); got != want {
			t.Fatalf("before the prune = %s, want %s", got, want)
		}
		// …and after it.
		if n, err := e.PruneSearchLog(e.ctx); err != nil || n != 2 {
			t.Fatalf("prune = %d, %v; want 2", n, err)
		}
		if got := misses(); got != want {
			t.Fatalf("after the prune = %s, want %s", got, want)
		}
		log("restaking")
		want = fmt.Sprint([]qa.SearchMiss{{Text: "restaking", Count: 2, LastSeen: e.clock.Now().Format(time.DateOnly)}, {Text: "epoch length", Count: 1, LastSeen: day2}})
		if got := misses(); got != want {
			t.Fatalf("after a new search = %s, want %s", got, want)
		}
	})
}

func TestStore_FindMembers_Standing(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		now := e.clock.Now()
		day := func(d int) *time.Time {
			v := time.Date(now.Year(), now.Month(), now.Day()+d, 0, 0, 0, 0, time.UTC)
			return &v
		}
		mk := func(name string, until *time.Time) *qa.Member {
			t.Helper()
			m, err := e.CreateMember(e.ctx, qa.System(), qa.MemberCreate{Email: strings.ToLower(name) + "@example.com", Name: name, ActiveUntil: until})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		mk("Forever", nil)
		mk("Later", day(30))
		mk("EdgeActive", day(7))
		mk("EdgeExpiring", day(6))
		mk("Today", day(0))
		mk("Yesterday", day(-1))
		mk("Long_ago", day(-100))
		gone := mk("Gone", day(30))
		if _, err := e.DisableMember(e.ctx, as(expert), gone.ID); err != nil {
			t.Fatal(err)
		}
		all, _, err := e.FindMembers(e.ctx, as(expert), qa.MemberFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range qa.Standings() {
			var want []string
			for _, m := range all {
				if m.Standing(e.clock.Now()) == st {
					want = append(want, m.Name)
				}
			}
			got, total, err := e.FindMembers(e.ctx, as(expert), qa.MemberFilter{Standing: &st})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, m := range got {
				names = append(names, m.Name)
			}
			if fmt.Sprint(names) != fmt.Sprint(want) || total != len(want) {
				t.Errorf("standing %s: %v (total %d), want %v", st, names, total, want)
			}
			if len(want) == 0 {
				t.Errorf("standing %s: the fixture has no member of it", st)
			}
		}

		for _, tc := range []struct {
			q    string
			want string
		}{
			{"edge", "[EdgeExpiring EdgeActive]"},
			{"LATER@EXAMPLE", "[Later]"},
			{"_", "[Long_ago]"}, // a wildcard is a plain character
			{"%", "[]"},
		} {
			got, _, err := e.FindMembers(e.ctx, as(expert), qa.MemberFilter{Query: tc.q})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, m := range got {
				names = append(names, m.Name)
			}
			if fmt.Sprintf("%v", names) != tc.want && !(tc.want == "[]" && len(names) == 0) {
				t.Errorf("query %q: %v, want %s", tc.q, names, tc.want)
			}
		}
		_, _, err = e.FindMembers(e.ctx, as(expert), qa.MemberFilter{Query: strings.Repeat("x", qa.MaxMemberQuery+1)})
		wantErrKey(t, err, qa.KeySearchLong)
		_, err = qa.ParseStanding("lapsed")
		wantErrKey(t, err, qa.KeyStanding)
	})
}

// TestStore_SearchMissLedToQuestion: a search that found nothing is marked
// once a question holding its text in the title is asked (in either
// script's case), and not for a question about something else; LIKE's
// wildcards in the text are literal.
func TestStore_SearchMissLedToQuestion(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert 专家", qa.RoleExpert)
		ann := e.member(t, "Ann 安", qa.RoleMember)
		for _, text := range []string{"质押奖励", "validator keys", "100%_sure"} {
			if err := e.LogSearch(e.ctx, as(ann), text, qa.SearchOutcome{}); err != nil {
				t.Fatal(err)
			}
		}
		asked := func() map[string]bool {
			t.Helper()
			st, err := e.Stats(e.ctx, as(expert))
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, m := range st.Unanswered {
				out[m.Text] = m.Asked
			}
			return out
		}
		if got := asked(); got["质押奖励"] || got["validator keys"] || got["100%_sure"] {
			t.Fatalf("marked before any question: %v", got)
		}
		e.ask(t, ann, "质押奖励怎么计算？", "")
		e.ask(t, ann, "How do I rotate Validator Keys safely?", "")
		e.ask(t, ann, "100 percent sure", "")
		if got := asked(); !got["质押奖励"] || !got["validator keys"] || got["100%_sure"] {
			t.Fatalf("after the questions: %v", got)
		}
	})
}

// TestStore_SearchLog_Weak: a search that found only weak matches is
// logged beside the ones that found nothing and counted apart (Weak,
// Found); a close match is not logged; the totals agree with the log before
// and after the prune; a weak search that led to a question is marked.
func TestStore_SearchLog_Weak(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert 专家", qa.RoleExpert)
		ann := e.member(t, "Ann 安", qa.RoleMember)
		log := func(text string, o qa.SearchOutcome) {
			t.Helper()
			if err := e.LogSearch(e.ctx, as(ann), text, o); err != nil {
				t.Fatal(err)
			}
		}
		misses := func() map[string]qa.SearchMiss {
			t.Helper()
			st, err := e.Stats(e.ctx, as(expert))
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]qa.SearchMiss{}
			for _, m := range st.Unanswered {
				out[m.Text] = m
			}
			return out
		}
		nothing := qa.SearchOutcome{}
		weak := qa.SearchOutcome{Results: 4, BestScore: 1.5, Weak: true}
		day1 := e.clock.Now().Format(time.DateOnly)
		log("质押 保险", weak)
		log("质押 保险", weak)
		log("slashing insurance", nothing)
		log("slashing insurance", weak)
		log("staking rewards", qa.SearchOutcome{Results: 3, BestScore: 7}) // a close match: not logged
		e.clock.Add(24 * time.Hour)
		day2 := e.clock.Now().Format(time.DateOnly)
		log("质押 保险", weak)
		log("epoch length", nothing)

		got := misses()
		want := map[string]qa.SearchMiss{
			"质押 保险":              {Text: "质押 保险", Count: 3, Weak: 3, LastSeen: day2},
			"slashing insurance": {Text: "slashing insurance", Count: 2, Weak: 1, LastSeen: day1},
			"epoch length":       {Text: "epoch length", Count: 1, LastSeen: day2},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("unanswered = %+v\nwant %+v", got, want)
		}
		for text, found := range map[string]string{"质押 保险": "weak", "slashing insurance": "both", "epoch length": "nothing"} {
			if got[text].Found() != found {
				t.Errorf("%q found %q, want %q", text, got[text].Found(), found)
			}
		}
		if got["slashing insurance"].Nothing() != 1 {
			t.Errorf("slashing insurance found nothing %d times, want 1", got["slashing insurance"].Nothing())
		}

		// Day one out of the window: counted out before the prune (the
		// log grouped) and after it (the totals).
		e.clock.Add(89 * 24 * time.Hour)
		want = map[string]qa.SearchMiss{
			"质押 保险":        {Text: "质押 保险", Count: 1, Weak: 1, LastSeen: day2},
			"epoch length": {Text: "epoch length", Count: 1, LastSeen: day2},
		}
		if got := misses(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("before the prune = %+v\nwant %+v", got, want)
		}
		if n, err := e.PruneSearchLog(e.ctx); err != nil || n != 2 {
			t.Fatalf("prune = %d, %v; want 2", n, err)
		}
		if got := misses(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("after the prune = %+v\nwant %+v", got, want)
		}

		// The weak search led to a question: marked, still weak.
		e.ask(t, ann, "质押 保险 有哪些选择？", "")
		if m := misses()["质押 保险"]; !m.Asked || m.Found() != "weak" {
			t.Fatalf("after the question: %+v", m)
		}
	})
}
