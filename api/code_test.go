package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"answerbook/qa"
)

// TestAPI_Codes: the expert makes membership codes by the API (each shown
// once, with its join link), lists them with their state and revokes one;
// members may not; bad counts and days are keyed 400s.
func TestAPI_Codes(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "专家 Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "李雷 Li Lei", qa.RoleMember, qa.ScopeWrite, nil)
	var made struct {
		Total int
		Items []struct {
			ID      int64  `json:"id"`
			Code    string `json:"code"`
			JoinURL string `json:"join_url"`
			State   string `json:"state"`
			Days    int    `json:"days"`
			MaxUses int    `json:"max_uses"`
		}
	}
	if code := s.call(t, "POST", "/api/v1/codes", x.token, map[string]any{"label": "春季课程 spring", "days": 30, "max_uses": 5, "count": 2}, &made); code != http.StatusCreated || made.Total != 2 {
		t.Fatalf("create: %d %+v", code, made)
	}
	for _, c := range made.Items {
		if c.Code == "" || !strings.HasPrefix(c.JoinURL, "http://answers.test/join?code=") || c.State != qa.CodeActive || c.Days != 30 || c.MaxUses != 5 {
			t.Fatalf("made code %+v", c)
		}
	}
	if made.Items[0].Code == made.Items[1].Code {
		t.Fatal("two codes alike")
	}
	// The code works: a visitor joins with it.
	if _, err := s.store.RedeemCode(s.ctx, qa.Visitor(), qa.CodeRedeem{Code: made.Items[0].Code, Email: "new@example.com", Name: "韩梅梅", Password: "a good password"}, "198.51.100.7"); err != nil {
		t.Fatalf("redeem: %v", err)
	}
	if code := s.call(t, "DELETE", "/api/v1/codes/"+itoa(made.Items[1].ID), x.token, nil, nil); code != http.StatusNoContent {
		t.Fatalf("revoke: %d", code)
	}
	var list struct {
		Total int
		Items []struct {
			ID    int64  `json:"id"`
			Code  string `json:"code"`
			Uses  int    `json:"uses"`
			State string `json:"state"`
		}
	}
	if code := s.call(t, "GET", "/api/v1/codes", x.token, nil, &list); code != http.StatusOK || list.Total != 2 {
		t.Fatalf("list: %d %+v", code, list)
	}
	for _, c := range list.Items {
		if c.Code != "" {
			t.Fatal("a listed code shows its secret")
		}
		switch c.ID {
		case made.Items[0].ID:
			if c.Uses != 1 || c.State != qa.CodeActive {
				t.Fatalf("used code %+v", c)
			}
		case made.Items[1].ID:
			if c.State != qa.CodeRevoked {
				t.Fatalf("revoked code %+v", c)
			}
		}
	}
	// Members may not; bad input is a keyed 400.
	if code := s.call(t, "GET", "/api/v1/codes", m.token, nil, nil); code != http.StatusForbidden {
		t.Fatalf("member lists codes: %d", code)
	}
	var e struct {
		Error struct {
			Key string `json:"key"`
		} `json:"error"`
	}
	exp := time.Now().Add(24 * time.Hour)
	for body, key := range map[string]string{
		`{"days":30,"max_uses":1,"count":101}`: string(qa.KeyCodeCount),
		`{"days":0,"max_uses":1}`:              string(qa.KeyCodeDays),
		`{"days":1,"max_uses":0}`:              string(qa.KeyCodeUses),
	} {
		var raw map[string]any
		if err := json.Unmarshal([]byte(body), &raw); err != nil {
			t.Fatal(err)
		}
		raw["expires_at"] = exp
		if code := s.call(t, "POST", "/api/v1/codes", x.token, raw, &e); code != http.StatusBadRequest || e.Error.Key != key {
			t.Fatalf("%s: %d %q", body, code, e.Error.Key)
		}
	}
}
