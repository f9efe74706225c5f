package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"answerbook/internal/servertest"
	"answerbook/qa"
)

// TestAPI_Quota: GET /api/v1/me says where a member stands with the quota
// (limit, used, remaining, when credit returns); a declined question gives
// its credit back; the expert has no limit.
func TestAPI_Quota(t *testing.T) {
	site := servertest.Start(t, servertest.Options{BaseURL: "http://answers.test", QuestionQuota: 3})
	site.Client().Transport = newValidator(t, site.Client().Transport)
	s := &server{Server: site.Server, store: site.Store, ctx: context.Background()}
	m := s.person(t, "李雷 Li Lei", qa.RoleMember, qa.ScopeWrite, nil)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	type me struct {
		Quota struct {
			Limit, Remaining *int
			Used             int
			ResetsAt         *time.Time `json:"resets_at"`
		}
	}
	var got me
	if code := s.call(t, "GET", "/api/v1/me", m.token, nil, &got); code != http.StatusOK || got.Quota.Limit == nil || *got.Quota.Limit != 3 ||
		got.Quota.Used != 0 || *got.Quota.Remaining != 3 || got.Quota.ResetsAt != nil {
		t.Fatalf("fresh member: %d %+v", code, got.Quota)
	}
	var q1 struct{ ID int64 }
	for _, title := range []string{"质押奖励怎么算？", "How are rewards paid?"} {
		if code := s.call(t, "POST", "/api/v1/questions", m.token, map[string]any{"title": title}, &q1); code != http.StatusCreated {
			t.Fatalf("ask: %d", code)
		}
	}
	got = me{}
	s.call(t, "GET", "/api/v1/me", m.token, nil, &got)
	if got.Quota.Used != 2 || *got.Quota.Remaining != 1 || got.Quota.ResetsAt == nil || time.Until(*got.Quota.ResetsAt) < 29*24*time.Hour {
		t.Fatalf("after two questions: %+v", got.Quota)
	}
	if code := s.call(t, "POST", "/api/v1/questions/"+itoa(q1.ID)+"/decline", x.token, map[string]any{"reason": "off topic"}, nil); code != http.StatusOK {
		t.Fatalf("decline: %d", code)
	}
	got = me{}
	s.call(t, "GET", "/api/v1/me", m.token, nil, &got)
	if got.Quota.Used != 1 || *got.Quota.Remaining != 2 {
		t.Fatalf("after a decline: %+v", got.Quota)
	}
	got = me{}
	s.call(t, "GET", "/api/v1/me", x.token, nil, &got)
	if got.Quota.Limit != nil || got.Quota.Remaining != nil {
		t.Fatalf("expert: %+v", got.Quota)
	}
}
