package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"answerbook/qa"
)

func parseFeed(t *testing.T, s *server, path string) *gofeed.Feed {
	t.Helper()
	res, body := s.get(t, path, nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("%s: %d %s", path, res.StatusCode, body)
	}
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("%s: a feed parser cannot read it: %v\n%s", path, err, body)
	}
	if f.FeedType != "atom" {
		t.Fatalf("feed type %q", f.FeedType)
	}
	return f
}

func TestAPI_Feeds(t *testing.T) {
	s := newServer(t)
	_, pub, priv := publishTwo(t, s)
	m := s.person(t, "Reader", qa.RoleMember, qa.ScopeWrite, nil)

	f := parseFeed(t, s, "/feeds/answers.atom")
	if len(f.Items) != 1 || f.Items[0].Title != pub.Question.Title || !strings.Contains(f.Items[0].Content, "带上护照去移民局") || f.Items[0].Link != pub.URL {
		t.Fatalf("public feed = %+v", f.Items)
	}
	if strings.Contains(f.Items[0].Content, "<script") {
		t.Fatal("feed content carries a script")
	}

	var links struct {
		URL    string `json:"url"`
		TagURL string `json:"tag_url"`
	}
	want(t, s.call(t, "POST", "/api/v1/feed-token", m.token, nil, &links), 201, "feed token")
	u, _ := url.Parse(links.URL)
	f = parseFeed(t, s, u.RequestURI())
	if len(f.Items) != 2 {
		t.Fatalf("member feed has %d items", len(f.Items))
	}
	var private *gofeed.Item
	for _, it := range f.Items {
		if it.Title == priv.Question.Title {
			private = it
		}
	}
	if private == nil || !strings.Contains(private.Content, "42 and 43") || len(private.Categories) != 1 || private.Categories[0] != "salary" {
		t.Fatalf("member feed entry = %+v", private)
	}
	tagged := parseFeed(t, s, fmt.Sprintf("/feeds/tags/%s.atom?token=%s", "salary", u.Query().Get("token")))
	if len(tagged.Items) != 1 || tagged.Items[0].Title != priv.Question.Title {
		t.Fatalf("tag feed = %+v", tagged.Items)
	}
	// 304 for an unchanged feed.
	res, _ := s.get(t, u.RequestURI(), nil)
	if r2, _ := s.get(t, u.RequestURI(), map[string]string{"If-None-Match": res.Header.Get("ETag")}); r2.StatusCode != 304 {
		t.Fatalf("unchanged feed: %d", r2.StatusCode)
	}
	// A lapsed member's feed falls back to public answers at once.
	past := time.Now().AddDate(0, 0, -5)
	if _, err := s.store.UpdateMember(s.ctx, qa.System(), m.ID, qa.MemberUpdate{ActiveUntil: &past}); err != nil {
		t.Fatal(err)
	}
	if f := parseFeed(t, s, u.RequestURI()); len(f.Items) != 1 {
		t.Fatalf("lapsed member's feed has %d items", len(f.Items))
	}
	// Revoked: the old link stops working.
	want(t, s.call(t, "DELETE", "/api/v1/feed-token", m.token, nil, nil), 204, "revoke")
	if res, _ := s.get(t, u.RequestURI(), nil); res.StatusCode != 401 {
		t.Fatalf("revoked feed link: %d", res.StatusCode)
	}
	want(t, s.call(t, "POST", "/api/v1/feed-token", "", nil, nil), 401, "visitor")
}
