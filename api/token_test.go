package api_test

import (
	"fmt"
	"testing"

	"answerbook/qa"
)

type token struct {
	ID    int64  `json:"id"`
	Label string `json:"label"`
	Scope string `json:"scope"`
	Token string `json:"token"`
}

func TestAPI_Tokens(t *testing.T) {
	s := newServer(t)
	m := s.person(t, "Token Member", qa.RoleMember, qa.ScopeWrite, nil)
	other := s.person(t, "Other", qa.RoleMember, qa.ScopeWrite, nil)
	reader := s.person(t, "Reader", qa.RoleMember, qa.ScopeRead, nil)

	var created token
	want(t, s.call(t, "POST", "/api/v1/tokens", m.token, map[string]any{"label": "博客插件", "scope": "read"}, &created), 201, "create")
	if created.Token == "" || created.Scope != "read" || created.Label != "博客插件" {
		t.Fatalf("created = %+v", created)
	}
	var list struct {
		Total int     `json:"total"`
		Items []token `json:"items"`
	}
	want(t, s.call(t, "GET", "/api/v1/tokens", m.token, nil, &list), 200, "list")
	if list.Total != 2 {
		t.Fatalf("tokens = %+v", list)
	}
	for _, tk := range list.Items {
		if tk.Token != "" {
			t.Fatal("a listed token shows its secret")
		}
	}
	// The new token works, and stops working at once when revoked.
	want(t, s.call(t, "GET", "/api/v1/me", created.Token, nil, nil), 200, "new token")
	want(t, s.call(t, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), other.token, nil, nil), 404, "another member revokes")
	want(t, s.call(t, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), m.token, nil, nil), 204, "revoke")
	want(t, s.call(t, "GET", "/api/v1/me", created.Token, nil, nil), 401, "revoked token")
	// A read token cannot mint a write token.
	want(t, s.call(t, "POST", "/api/v1/tokens", reader.token, map[string]any{"scope": "write"}, nil), 403, "read token escalates")
	want(t, s.call(t, "GET", "/api/v1/tokens", "", nil, nil), 401, "visitor")
}

func TestAPI_Withdraw(t *testing.T) {
	s := newServer(t)
	m := s.person(t, "Asker", qa.RoleMember, qa.ScopeWrite, nil)
	other := s.person(t, "Other", qa.RoleMember, qa.ScopeWrite, nil)
	var q question
	want(t, s.call(t, "POST", "/api/v1/questions", m.token, map[string]any{"title": "撤回这个问题"}, &q), 201, "ask")
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/questions/%d/withdraw", q.ID), other.token, nil, nil), 404, "other withdraws")
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/questions/%d/withdraw", q.ID), m.token, nil, &q), 200, "withdraw")
	if q.Status != "withdrawn" {
		t.Fatalf("status = %s", q.Status)
	}
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/questions/%d/withdraw", q.ID), m.token, nil, nil), 409, "again")
}
