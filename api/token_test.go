package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
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

// TestAPI_AskIdempotent: a retried ask with the same Idempotency-Key gets the
// first question back; a new key asks anew; a bad key is invalid.
func TestAPI_AskIdempotent(t *testing.T) {
	s := newServer(t)
	m := s.person(t, "Retrier", qa.RoleMember, qa.ScopeWrite, nil)
	ask := func(key, title string) (int, question) {
		t.Helper()
		req, err := http.NewRequest("POST", s.URL+"/api/v1/questions", strings.NewReader(`{"title":"`+title+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+m.token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		res, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var q question
		json.NewDecoder(res.Body).Decode(&q)
		return res.StatusCode, q
	}
	st1, q1 := ask("retry-1f9c", "超时后重试 retried")
	st2, q2 := ask("retry-1f9c", "超时后重试 retried")
	if st1 != 201 || st2 != 201 || q1.ID == 0 || q2.ID != q1.ID {
		t.Fatalf("retry: %d %d, questions %d and %d", st1, st2, q1.ID, q2.ID)
	}
	if st, q3 := ask("retry-2a7d", "another question"); st != 201 || q3.ID == q1.ID {
		t.Fatalf("a new key: %d %d", st, q3.ID)
	}
	var list struct{ Total int }
	want(t, s.call(t, "GET", "/api/v1/questions", m.token, nil, &list), 200, "list")
	if list.Total != 2 {
		t.Fatalf("questions asked: %d", list.Total)
	}
}
