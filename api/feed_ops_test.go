package api_test

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	abserver "answerbook/internal/server"
	"answerbook/internal/servertest"
	"answerbook/qa"
)

// atomDoc is what the feed tests read of an Atom document, with xml:lang.
type atomDoc struct {
	Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string `xml:"id"`
	Updated string `xml:"updated"`
	Entries []struct {
		Lang  string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		ID    string `xml:"id"`
		Title string `xml:"title"`
		Link  struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

// fetchFeed GETs a feed from base with the headers and parses it when the
// status is 200.
func fetchFeed(t *testing.T, base, path string, headers ...string) (*http.Response, *atomDoc) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return res, nil
	}
	var d atomDoc
	if err := xml.NewDecoder(res.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	return res, &d
}

// TestFeed_Conventions: xml:lang on the feed and each entry; an empty
// feed's updated is the site's creation, not 1970; entry and feed ids are
// tag URIs minted once, which stay the same when the site's base URL or
// port changes (the links follow the new address).
func TestFeed_Conventions(t *testing.T) {
	site := servertest.Start(t, servertest.Options{})
	created, err := site.Store.SiteCreated(t.Context())
	if err != nil || created.IsZero() {
		t.Fatalf("site created %v %v", created, err)
	}
	_, empty := fetchFeed(t, site.URL, "/feeds/answers.atom")
	if empty.Updated != created.Format(time.RFC3339) || strings.HasPrefix(empty.Updated, "1970") || empty.Lang != "en" || len(empty.Entries) != 0 {
		t.Fatalf("empty feed: updated %s (site created %s), lang %q", empty.Updated, created.Format(time.RFC3339), empty.Lang)
	}
	if !strings.HasPrefix(empty.ID, "tag:localhost,"+created.Format(time.DateOnly)+":feed/answers") {
		t.Fatalf("feed id %q", empty.ID)
	}

	expert := expertOf(t, site)
	zh := publishFAQ(t, site, expert, "如何准备面试？", []string{"面试"})
	en := publishFAQ(t, site, expert, "How do I prepare for an interview?", []string{"面试"})
	publishFAQ(t, site, expert, "简历应该写几页？", []string{"简历"})

	_, f := fetchFeed(t, site.URL, "/feeds/answers.atom")
	if f.Lang != "zh" || len(f.Entries) != 3 {
		t.Fatalf("feed lang %q, %d entries", f.Lang, len(f.Entries))
	}
	ids := map[string]string{}
	for _, e := range f.Entries {
		ids[e.Title] = e.ID
		want := "en"
		if e.Title != en.Title() {
			want = "zh"
		}
		if e.Lang != want {
			t.Errorf("entry %q: xml:lang %q, want %s", e.Title, e.Lang, want)
		}
		if !strings.HasPrefix(e.Link.Href, site.URL+"/answers/") {
			t.Errorf("entry link %q", e.Link.Href)
		}
	}
	if ids[zh.Title()] != "tag:localhost,"+created.Format(time.DateOnly)+":answer/"+itoa(zh.ID) {
		t.Fatalf("entry id %q", ids[zh.Title()])
	}
	_, tagged := fetchFeed(t, site.URL, "/feeds/tags/"+url.PathEscape("面试")+".atom")
	if len(tagged.Entries) != 2 || tagged.ID == f.ID || !strings.HasSuffix(tagged.ID, ":feed/tags/"+url.PathEscape("面试")) {
		t.Fatalf("tag feed %q with %d entries", tagged.ID, len(tagged.Entries))
	}

	// The same site at another address and port: the same ids.
	moved, err := abserver.New(abserver.Config{Store: site.Store, Index: site.Index, BaseURL: "https://answers.example.com:8443"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(moved)
	defer srv.Close()
	_, again := fetchFeed(t, srv.URL, "/feeds/answers.atom")
	if again.ID != f.ID || len(again.Entries) != len(f.Entries) {
		t.Fatalf("moved feed id %q, was %q", again.ID, f.ID)
	}
	for _, e := range again.Entries {
		if e.ID != ids[e.Title] {
			t.Errorf("entry %q: id %q after the move, %q before", e.Title, e.ID, ids[e.Title])
		}
		if !strings.HasPrefix(e.Link.Href, "https://answers.example.com:8443/answers/") {
			t.Errorf("moved entry link %q", e.Link.Href)
		}
	}
}

// TestFeed_LastModified: the public feed says Last-Modified and answers 304
// to If-Modified-Since only while nothing changed — a new answer and an
// unpublished one (which leaves no newer date among the entries) both
// count; a member's feed (which also depends on their standing) never
// answers 304 from a date alone.
func TestFeed_LastModified(t *testing.T) {
	site := servertest.Start(t, servertest.Options{})
	expert := expertOf(t, site)
	publishFAQ(t, site, expert, "如何准备面试？", []string{"面试"})
	old := publishFAQ(t, site, expert, "How to write a CV?", []string{"cv"})

	// Right after a change no date is given (it might still move).
	res, _ := fetchFeed(t, site.URL, "/feeds/answers.atom")
	if lm := res.Header.Get("Last-Modified"); lm != "" {
		t.Fatalf("Last-Modified %q right after a change", lm)
	}
	if res, _ := fetchFeed(t, site.URL, "/feeds/answers.atom", "If-Modified-Since", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); res.StatusCode != 200 {
		t.Fatalf("If-Modified-Since without a date: %d", res.StatusCode)
	}
	settle := func() string {
		t.Helper()
		time.Sleep(2100 * time.Millisecond)
		res, _ := fetchFeed(t, site.URL, "/feeds/answers.atom")
		lm := res.Header.Get("Last-Modified")
		if lm == "" {
			t.Fatal("no Last-Modified")
		}
		if res, _ := fetchFeed(t, site.URL, "/feeds/answers.atom", "If-Modified-Since", lm); res.StatusCode != http.StatusNotModified {
			t.Fatalf("unchanged feed, If-Modified-Since %s: %d", lm, res.StatusCode)
		}
		return lm
	}
	lm := settle()

	// Unpublishing the older answer: the newest entry's date stays, the
	// feed changed.
	no := false
	if _, err := site.Store.UpdateAnswer(t.Context(), qa.Actor{Member: expert, Scope: qa.ScopeWrite}, old.ID, qa.AnswerUpdate{Published: &no}); err != nil {
		t.Fatal(err)
	}
	res, f := fetchFeed(t, site.URL, "/feeds/answers.atom", "If-Modified-Since", lm)
	if res.StatusCode != 200 || len(f.Entries) != 1 {
		t.Fatalf("after an unpublish, If-Modified-Since %s: %d", lm, res.StatusCode)
	}
	lm2 := settle()
	if lm2 == lm {
		t.Fatalf("Last-Modified did not move: %s", lm)
	}
	publishFAQ(t, site, expert, "新的解答", []string{"面试"})
	time.Sleep(2100 * time.Millisecond)
	if res, _ := fetchFeed(t, site.URL, "/feeds/answers.atom", "If-Modified-Since", lm2); res.StatusCode != 200 {
		t.Fatalf("after a publish, If-Modified-Since %s: %d", lm2, res.StatusCode)
	}

	// A member's feed: the ETag alone revalidates.
	m, err := site.Store.CreateMember(t.Context(), qa.System(), qa.MemberCreate{Email: "li@example.com", Name: "李雷"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := site.Store.CreateFeedToken(t.Context(), qa.Actor{Member: m, Scope: qa.ScopeWrite})
	if err != nil {
		t.Fatal(err)
	}
	path := "/feeds/answers.atom?token=" + url.QueryEscape(tok)
	res, _ = fetchFeed(t, site.URL, path)
	if res.Header.Get("Last-Modified") != "" || res.Header.Get("ETag") == "" {
		t.Fatalf("member feed headers %v", res.Header)
	}
	if res, _ := fetchFeed(t, site.URL, path, "If-Modified-Since", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); res.StatusCode != 200 {
		t.Fatalf("member feed, If-Modified-Since alone: %d", res.StatusCode)
	}
	if res2, _ := fetchFeed(t, site.URL, path, "If-None-Match", res.Header.Get("ETag")); res2.StatusCode != http.StatusNotModified {
		t.Fatalf("member feed, If-None-Match: %d", res2.StatusCode)
	}
}

func expertOf(t *testing.T, site *servertest.Site) *qa.Member {
	t.Helper()
	m, err := site.Store.CreateMember(t.Context(), qa.System(), qa.MemberCreate{Email: "zhang@example.com", Name: "张老师", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func publishFAQ(t *testing.T, site *servertest.Site, expert *qa.Member, title string, tags []string) *qa.Answer {
	t.Helper()
	a, err := site.Store.CreateAnswer(t.Context(), qa.Actor{Member: expert, Scope: qa.ScopeWrite},
		qa.AnswerCreate{Title: &title, Body: "正文：先准备基础。Start with the basics.", Tags: tags, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
