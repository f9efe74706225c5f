package api_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"answerbook/internal/imagetest"
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

// TestAPI_FeedImages: a feed entry's answer HTML names its images and links
// by absolute URLs (the site's base URL), which a visitor can load for a
// public answer; a member-only answer is not in the public feed, teasers
// on or not, and neither is its image; a member's personal feed holds it,
// the image's absolute URL served to the member and to no one else.
func TestAPI_FeedImages(t *testing.T) {
	s := newServer(t) // base URL http://answers.test
	const base = "http://answers.test"
	x := s.person(t, "专家 Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	m := s.person(t, "会员 Reader", qa.RoleMember, qa.ScopeWrite, nil)
	st, pubImg, _ := s.upload(t, x.token, "application/octet-stream", imagetest.PNG(120, 80, 7))
	if st != 201 {
		t.Fatalf("upload: %d", st)
	}
	st, privImg, _ := s.upload(t, x.token, "application/octet-stream", imagetest.JPEG(64, 64, 8))
	if st != 201 {
		t.Fatalf("upload: %d", st)
	}
	var pub, priv answer
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{
		"title": "质押收益图解 Staking rewards, in a chart", "public": true, "tags": []string{"staking"},
		"body": "每个周期发放。Paid every epoch.\n\n![收益图 chart](" + pubImg.URL + ")\n\n另见 [the fees](/tags/fees) and [below](#md-more).\n\n## More",
	}, &pub), 201, "public answer")
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{
		"title": "会员专享：验证者收益明细 Validator earnings, members only", "tags": []string{"staking"},
		"body": "明细如下。\n\n![明细 details](" + privImg.URL + ")\n\n[Back to the chart](/answers/" + itoa(pub.ID) + ")",
	}, &priv), 201, "member-only answer")

	relative := regexp.MustCompile(`(?:src|href)="/`)
	f := parseFeed(t, s, "/feeds/answers.atom")
	if len(f.Items) != 1 || f.Items[0].Title != "质押收益图解 Staking rewards, in a chart" {
		t.Fatalf("public feed: %d items", len(f.Items))
	}
	content := f.Items[0].Content
	for _, w := range []string{
		`src="` + base + pubImg.URL + `"`, `href="` + base + `/tags/fees"`, `href="` + base + "/answers/" + itoa(pub.ID) + `#md-more"`,
		`alt="收益图 chart"`, "每个周期发放。Paid every epoch.",
	} {
		if !strings.Contains(content, w) {
			t.Errorf("public entry lacks %s:\n%s", w, content)
		}
	}
	if relative.MatchString(content) {
		t.Errorf("public entry keeps a relative URL:\n%s", content)
	}
	_, raw := s.get(t, "/feeds/answers.atom", nil)
	if strings.Contains(raw, privImg.SHA256) || strings.Contains(raw, "验证者收益明细") {
		t.Fatal("the public feed names the member-only answer or its image")
	}
	// The public image loads from its absolute URL, by anyone.
	if res, _ := s.send(t, "GET", pubImg.URL, "", "", "", nil, nil); res.StatusCode != 200 {
		t.Fatalf("public image: %d", res.StatusCode)
	}

	// The personal feed: the member-only entry, its image absolute, served
	// to the member only.
	var links struct {
		URL string `json:"url"`
	}
	want(t, s.call(t, "POST", "/api/v1/feed-token", m.token, nil, &links), 201, "feed token")
	u, _ := url.Parse(links.URL)
	f = parseFeed(t, s, u.RequestURI())
	var private *gofeed.Item
	for _, it := range f.Items {
		if it.Title == "会员专享：验证者收益明细 Validator earnings, members only" {
			private = it
		}
	}
	if private == nil {
		t.Fatalf("the member's feed lacks the member-only answer: %d items", len(f.Items))
	}
	for _, w := range []string{`src="` + base + privImg.URL + `"`, `href="` + base + "/answers/" + itoa(pub.ID) + `"`} {
		if !strings.Contains(private.Content, w) {
			t.Errorf("member-only entry lacks %s:\n%s", w, private.Content)
		}
	}
	if relative.MatchString(private.Content) {
		t.Errorf("member-only entry keeps a relative URL:\n%s", private.Content)
	}
	if res, _ := s.send(t, "GET", privImg.URL, "", "", "", nil, nil); res.StatusCode == 200 {
		t.Fatal("the member-only image is served to a visitor")
	}
	if res, _ := s.send(t, "GET", privImg.URL, m.token, "", "", nil, nil); res.StatusCode != 200 {
		t.Fatalf("the member-only image to the member: %d", res.StatusCode)
	}
}
