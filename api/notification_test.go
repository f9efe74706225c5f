package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"answerbook/qa"
)

type notificationList struct {
	Total  int `json:"total"`
	Unread int `json:"unread"`
	Items  []struct {
		ID        int64  `json:"id"`
		Kind      string `json:"kind"`
		Title     string `json:"title"`
		URL       string `json:"url"`
		CreatedAt string `json:"created_at"`
		Read      bool   `json:"read"`
	} `json:"items"`
}

// notifications lists a member's notifications in a language.
func (s *server) notifications(t testing.TB, token, query, lang string) notificationList {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+"/api/v1/notifications"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET notifications%s: %d %s", query, res.StatusCode, raw)
	}
	var l notificationList
	if err := json.Unmarshal(raw, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestAPI_Notifications: the asker hears of their question's outcome, the
// expert of new questions, each titled in the request's language with an
// absolute link; they page, filter to the unread ones, mark some or all
// read; nobody reads or marks another's.
func TestAPI_Notifications(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "Li Lei", qa.RoleMember, qa.ScopeWrite, nil)
	other := s.person(t, "Han Meimei", qa.RoleMember, qa.ScopeWrite, nil)

	var q1, q2 question
	want(t, s.call(t, "POST", "/api/v1/questions", m.token, map[string]any{"title": "如何准备 system design 面试？"}, &q1), 201, "ask 1")
	want(t, s.call(t, "POST", "/api/v1/questions", m.token, map[string]any{"title": "Can I stake from an exchange?"}, &q2), 201, "ask 2")

	// The expert: one grouped notification of both questions.
	xl := s.notifications(t, x.token, "", "")
	if xl.Total != 1 || xl.Unread != 1 || xl.Items[0].Kind != "queue.new" || xl.Items[0].URL != "http://answers.test/queue" ||
		xl.Items[0].Title != "2 new questions, the latest “Can I stake from an exchange?”" {
		t.Fatalf("expert's notifications: %+v", xl)
	}

	var a answer
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/questions/%d/answer", q1.ID), x.token, map[string]any{"body": "先读 DDIA。"}, &a), 201, "answer")
	want(t, s.call(t, "POST", fmt.Sprintf("/api/v1/questions/%d/decline", q2.ID), x.token, map[string]any{"reason": "不在讨论范围内"}, nil), 200, "decline")

	l := s.notifications(t, m.token, "", "en-US,en;q=0.9")
	if l.Total != 2 || l.Unread != 2 || len(l.Items) != 2 {
		t.Fatalf("asker's notifications: %+v", l)
	}
	declined, answered := l.Items[0], l.Items[1] // newest first
	if declined.Kind != "question.declined" || declined.Title != "Your question “Can I stake from an exchange?” was declined: 不在讨论范围内" ||
		declined.URL != "http://answers.test/my/questions" || declined.Read {
		t.Errorf("declined: %+v", declined)
	}
	if answered.Kind != "question.answered" || answered.Title != "Your question “如何准备 system design 面试？” has been answered" ||
		answered.URL != fmt.Sprintf("http://answers.test/answers/%d", a.ID) || answered.CreatedAt == "" {
		t.Errorf("answered: %+v", answered)
	}
	zh := s.notifications(t, m.token, "", "zh-CN,zh;q=0.9")
	if zh.Items[1].Title != "你的问题“如何准备 system design 面试？”已有解答" || zh.Items[0].Title != "你的问题“Can I stake from an exchange?”被婉拒：不在讨论范围内" {
		t.Errorf("Chinese titles: %q, %q", zh.Items[0].Title, zh.Items[1].Title)
	}

	// Paging.
	if p := s.notifications(t, m.token, "?page=2&per_page=1", ""); p.Total != 2 || len(p.Items) != 1 || p.Items[0].ID != answered.ID {
		t.Errorf("page 2: %+v", p)
	}

	var me struct {
		Unread int `json:"unread_notifications"`
	}
	want(t, s.call(t, "GET", "/api/v1/me", m.token, nil, &me), 200, "me")
	if me.Unread != 2 {
		t.Errorf("me: unread_notifications = %d", me.Unread)
	}

	// Mark one read: another member's ids are ignored.
	var res struct{ Marked, Unread int }
	want(t, s.call(t, "POST", "/api/v1/notifications/read", other.token, map[string]any{"ids": []int64{answered.ID}}, &res), 200, "foreign ids")
	if res.Marked != 0 || res.Unread != 0 {
		t.Errorf("another member marked: %+v", res)
	}
	want(t, s.call(t, "POST", "/api/v1/notifications/read", m.token, map[string]any{"ids": []int64{answered.ID}}, &res), 200, "mark one")
	if res.Marked != 1 || res.Unread != 1 {
		t.Errorf("mark one: %+v", res)
	}
	if u := s.notifications(t, m.token, "?unread=true", ""); u.Total != 1 || u.Unread != 1 || u.Items[0].ID != declined.ID {
		t.Errorf("unread only: %+v", u)
	}
	if all := s.notifications(t, m.token, "?unread=false", ""); all.Total != 2 || !all.Items[1].Read || all.Items[0].Read {
		t.Errorf("after marking one: %+v", all)
	}
	want(t, s.call(t, "POST", "/api/v1/notifications/read", m.token, map[string]any{"all": true}, &res), 200, "mark all")
	if res.Marked != 1 || res.Unread != 0 {
		t.Errorf("mark all: %+v", res)
	}
	want(t, s.call(t, "POST", "/api/v1/notifications/read", m.token, map[string]any{"ids": []int64{}}, &res), 200, "mark none")
	if res.Marked != 0 {
		t.Errorf("mark none: %+v", res)
	}

	// Bad input and strangers.
	var e struct {
		Error struct{ Key string } `json:"error"`
	}
	want(t, s.call(t, "GET", "/api/v1/notifications?unread=maybe", m.token, nil, &e), 400, "unread=maybe")
	if e.Error.Key != "err.boolean" {
		t.Errorf("unread=maybe: key %q", e.Error.Key)
	}
	want(t, s.call(t, "GET", "/api/v1/notifications?per_page=101", m.token, nil, nil), 400, "per_page=101")
	many := make([]int64, qa.MaxMarkRead+1)
	for i := range many {
		many[i] = int64(i + 1)
	}
	want(t, s.call(t, "POST", "/api/v1/notifications/read", m.token, map[string]any{"ids": many}, &e), 400, "too many ids")
	if e.Error.Key != "err.mark_read_many" {
		t.Errorf("too many ids: key %q", e.Error.Key)
	}
	want(t, s.call(t, "POST", "/api/v1/notifications/read", m.token, `{"ids":"1"}`, nil), 400, "ids not an array")
	want(t, s.call(t, "GET", "/api/v1/notifications", "", nil, nil), 401, "visitor lists")
	want(t, s.call(t, "POST", "/api/v1/notifications/read", "", map[string]any{"all": true}, nil), 401, "visitor marks")
	if l := s.notifications(t, other.token, "", ""); l.Total != 0 || l.Items == nil {
		t.Errorf("a stranger's list: %+v", l)
	}
}
