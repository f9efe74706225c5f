package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

type tagInfo struct {
	Tag         string   `json:"tag"`
	Description string   `json:"description"`
	Synonyms    []string `json:"synonyms"`
}

// TestAPI_TagCare: the expert describes a tag, gives it synonyms that
// search uses, renames and merges tags; the old names redirect; members
// may read but not change; bad input is refused with the error shape.
func TestAPI_TagCare(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "Member", qa.RoleMember, qa.ScopeWrite, nil)
	for _, a := range []map[string]any{
		{"title": "How are staking rewards paid?", "body": "Each epoch, to delegators.", "tags": []string{"stake"}, "public": true},
		{"title": "质押的收益怎么算", "body": "按周期计算奖励。", "tags": []string{"staking"}, "public": true},
	} {
		want(t, s.call(t, "POST", "/api/v1/answers", x.token, a, nil), 201, "publish")
	}

	desc := "Locking coins to secure a chain. 锁定代币以保障网络。"
	var info tagInfo
	want(t, s.call(t, "PUT", "/api/v1/tags/staking", m.token, map[string]any{"description": "x"}, nil), 403, "member describes")
	want(t, s.call(t, "PUT", "/api/v1/tags/staking", x.token, map[string]any{"description": strings.Repeat("长", qa.MaxTagDescription+1)}, nil), 400, "long description")
	want(t, s.call(t, "PUT", "/api/v1/tags/nowhere", x.token, map[string]any{"description": "x"}, nil), 404, "missing tag")
	want(t, s.call(t, "PUT", "/api/v1/tags/staking", x.token, map[string]any{"description": desc}, &info), 200, "describe")
	if info.Tag != "staking" || info.Description != desc {
		t.Fatalf("info = %+v", info)
	}

	var syn struct {
		Tag      string   `json:"tag"`
		Synonyms []string `json:"synonyms"`
	}
	want(t, s.call(t, "PUT", "/api/v1/tags/staking/synonyms", m.token, map[string]any{"synonyms": []string{"质押"}}, nil), 403, "member synonyms")
	want(t, s.call(t, "PUT", "/api/v1/tags/staking/synonyms", x.token, map[string]any{"synonyms": "质押"}, nil), 400, "synonyms not a list")
	want(t, s.call(t, "PUT", "/api/v1/tags/staking/synonyms", x.token, map[string]any{"synonyms": []string{"a/b"}}, nil), 400, "bad synonym")
	want(t, s.call(t, "PUT", "/api/v1/tags/staking/synonyms", x.token, map[string]any{"synonyms": []string{"质押", "Bonding"}}, &syn), 200, "synonyms")
	if len(syn.Synonyms) != 2 || syn.Synonyms[0] != "bonding" {
		t.Fatalf("synonyms = %+v", syn)
	}
	want(t, s.call(t, "GET", "/api/v1/tags/staking/synonyms", "", nil, &syn), 200, "read synonyms")
	// The synonym finds the tag's answers at once.
	var r searchResult
	want(t, s.call(t, "GET", "/api/v1/search?q=bonding", m.token, nil, &r), 200, "search a synonym")
	if r.Total != 2 {
		t.Fatalf("bonding found %d, want the staking answer and the one that says staking", r.Total)
	}

	// Bad renames and merges.
	want(t, s.call(t, "POST", "/api/v1/tags/stake/merge", m.token, map[string]any{"into": "staking"}, nil), 403, "member merges")
	want(t, s.call(t, "POST", "/api/v1/tags/stake/merge", x.token, map[string]any{"into": "Stake"}, nil), 400, "merge into itself")
	want(t, s.call(t, "POST", "/api/v1/tags/stake/rename", x.token, map[string]any{"to": "staking"}, nil), 409, "rename onto a tag")
	want(t, s.call(t, "POST", "/api/v1/tags/stake/merge", x.token, map[string]any{"into": "nowhere"}, nil), 404, "merge into nothing")
	want(t, s.call(t, "POST", "/api/v1/tags/stake/merge", x.token, `{"into":`, nil), 400, "malformed")

	var mv struct {
		From, To           string
		Answers, Questions int
	}
	want(t, s.call(t, "POST", "/api/v1/tags/stake/merge", x.token, map[string]any{"into": "staking"}, &mv), 200, "merge")
	if mv.From != "stake" || mv.To != "staking" || mv.Answers != 1 || mv.Questions != 0 { // FAQ entries tag the answer only
		t.Fatalf("merge = %+v", mv)
	}
	// Searchable under the tag at once; the old name redirects.
	want(t, s.call(t, "GET", "/api/v1/search?tag=staking", m.token, nil, &r), 200, "search the tag")
	if r.Total != 2 {
		t.Fatalf("tag staking has %d hits after the merge, want 2", r.Total)
	}
	want(t, s.call(t, "GET", "/api/v1/tags/stake", m.token, nil, &info), 200, "old name (redirected)")
	if info.Tag != "staking" || info.Description != desc {
		t.Fatalf("old name led to %+v", info)
	}
	// The old name's feed moves too.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(s.URL + "/feeds/tags/stake.atom?token=x")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/feeds/tags/staking.atom?token=x" {
		t.Errorf("old feed: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	want(t, s.call(t, "GET", "/api/v1/tags/"+url.PathEscape("不存在"), "", nil, &info), 200, "no such tag")
	if info.Tag != "不存在" || info.Description != "" || len(info.Synonyms) != 0 {
		t.Fatalf("a name no answer carries: %+v", info)
	}
	want(t, s.call(t, "GET", "/api/v1/tags/a!b", "", nil, nil), 400, "not a tag name")

	want(t, s.call(t, "POST", "/api/v1/tags/staking/rename", x.token, map[string]any{"to": "权益质押"}, &mv), 200, "rename")
	want(t, s.call(t, "GET", "/api/v1/tags/stake", "", nil, &info), 200, "first name (redirected twice over)")
	if info.Tag != "权益质押" || strings.Join(info.Synonyms, " ") != "bonding stake staking 质押" {
		t.Fatalf("after the rename: %+v, want 权益质押 with bonding, stake, staking, 质押", info)
	}
}
