package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"answerbook/qa"
)

// TestPages_TagRedirectEscaped: a merged or renamed tag whose name must be
// escaped in a URL (Chinese) redirects to its new tag, and its edit page to
// the new tag's edit page, keeping the query.
func TestPages_TagRedirectEscaped(t *testing.T) {
	s := newSite(t)
	x := s.person(t, "张老师", qa.RoleExpert, nil)
	s.publish(t, "奖励如何发放", "每个周期。", true, "质押")
	s.publish(t, "What is staking?", "Locking coins.", true, "staking")
	if _, err := s.store.MergeTag(s.ctx, qa.Actor{Member: x, Scope: qa.ScopeWrite}, "质押", "staking"); err != nil {
		t.Fatal(err)
	}
	b := s.signIn(t, x, "zh-Hans")
	cl := &http.Client{Jar: b.http.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	old := "/tags/" + url.PathEscape("质押")
	for path, want := range map[string]string{
		old:                        "/tags/staking",
		old + "?page=1":            "/tags/staking?page=1",
		old + "/edit":              "/tags/staking/edit",
		"/tags/%e8%b4%a8%e6%8a%bc": "/tags/staking",
	} {
		res, err := cl.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != want {
			t.Errorf("%s → %d %s, want 301 %s", path, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
}
