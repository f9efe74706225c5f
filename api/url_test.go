package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

// TestAPI_AnswerURLs: every place the API names an answer's address says
// qa.AnswerURL: the answer, a search hit, a question's answer, the feed,
// and oEmbed takes it back.
func TestAPI_AnswerURLs(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	var a answer
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "Where answers live", "body": "at one address", "tags": []string{"urls"}, "public": true}, &a), 201, "publish")
	u := qa.AnswerURL("http://answers.test", a.ID)
	if a.URL != u {
		t.Fatalf("answer url %q, want %q", a.URL, u)
	}
	var got answer
	want(t, s.call(t, "GET", fmt.Sprintf("/api/v1/answers/%d", a.ID), x.token, nil, &got), 200, "get")
	var r searchResult
	want(t, s.call(t, "GET", "/api/v1/search?q=address", x.token, nil, &r), 200, "search")
	if got.URL != u || len(r.Hits) != 1 || r.Hits[0].URL != u {
		t.Fatalf("get url %q, hits %+v; want %q", got.URL, r.Hits, u)
	}
	res, feed := s.get(t, "/feeds/answers.atom", nil)
	if res.StatusCode != 200 || !strings.Contains(feed, `href="`+u+`"`) {
		t.Fatalf("feed %d lacks %q:\n%s", res.StatusCode, u, feed)
	}
	if res, body := s.get(t, "/oembed?url="+url.QueryEscape(u), nil); res.StatusCode != 200 {
		t.Fatalf("oembed of %q: %d %s", u, res.StatusCode, body)
	}
}
