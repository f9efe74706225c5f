package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"answerbook/qa"
)

// TestPages_TagCare: the tag list has a filter box that works without a
// script (?q=); the expert describes a tag, gives it synonyms, renames and
// merges tags from its edit page; the old names' pages redirect (301); bad
// input shows the error on the form; in both languages.
func TestPages_TagCare(t *testing.T) {
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	member := s.person(t, "Ann", qa.RoleMember, nil)
	s.publish(t, "How are staking rewards paid?", "Each epoch.", true, "stake")
	s.publish(t, "质押收益怎么算", "按周期。", true, "staking")
	s.publish(t, "港口引航员的薪资", "按吨位。", true, "港口")

	v := s.browser("en")
	p := v.get(t, "/tags?q=STAK")
	want(t, p, 200, "filter")
	var shown []string
	p.doc.Find("#tag-list li").Each(func(_ int, li *goquery.Selection) {
		tag, _ := li.Attr("data-tag")
		shown = append(shown, tag)
	})
	if strings.Join(shown, ",") != "stake,staking" || p.text("#tags-count") != "2 tags" {
		t.Errorf("?q=STAK shows %v (%q)", shown, p.text("#tags-count"))
	}
	if v, _ := p.doc.Find("#tag-q").Attr("value"); v != "stak" {
		t.Errorf("the filter box holds %q", v)
	}
	p = s.browser("zh-Hans").get(t, "/tags?q="+url.QueryEscape("没有"))
	want(t, p, 200, "filter, nothing")
	if got := p.text("#tags-none-match"); got != "没有包含“没有”的标签。" {
		t.Errorf("no match (zh): %q", got)
	}
	want(t, v.get(t, "/tags?q="+strings.Repeat("x", 101)), 400, "long filter")
	if p := v.get(t, "/tags/stake"); p.doc.Find("#tag-edit").Length() != 0 {
		t.Error("a visitor sees the edit link")
	}
	m := s.signIn(t, member, "en")
	want(t, m.get(t, "/tags/stake/edit"), 403, "member edits")

	x := s.signIn(t, expert, "zh-Hans")
	p = x.get(t, "/tags/staking")
	if href, _ := p.doc.Find("#tag-edit").Attr("href"); href != "/tags/staking/edit" {
		t.Fatalf("edit link = %q", href)
	}
	p = x.get(t, "/tags/staking/edit")
	want(t, p, 200, "edit page")
	_, p = x.post(t, "/tags/staking/edit", url.Values{"description": {strings.Repeat("长", qa.MaxTagDescription+1)}, "synonyms": {"质押, bonding"}})
	want(t, p, 400, "long description")
	if !strings.Contains(p.text(".error, [role=alert]"), "500") {
		t.Errorf("error (zh) = %q", p.text(".error, [role=alert]"))
	}
	if got := p.doc.Find("#synonyms").AttrOr("value", ""); got != "质押, bonding" {
		t.Errorf("the synonyms typed are lost: %q", got)
	}
	res, p := x.post(t, "/tags/staking/edit", url.Values{"description": {"锁定代币以保障网络。Locking coins."}, "synonyms": {"质押，Bonding"}})
	if res.Request.URL.Path != "/tags/staking" || p.text("#tag-description") != "锁定代币以保障网络。Locking coins." {
		t.Fatalf("after saving: %s, description %q", res.Request.URL.Path, p.text("#tag-description"))
	}
	if got := p.text("#tag-synonyms"); got != "同义词： bonding, 质押" {
		t.Errorf("synonyms line = %q", got)
	}
	// The synonym finds the tag's answers.
	if p := x.get(t, "/search?q="+url.QueryEscape("质押")); !strings.Contains(p.body, "质押收益怎么算") {
		t.Error("searching 质押 does not find the staking answer")
	}

	_, p = x.post(t, "/tags/stake/merge", url.Values{"into": {"STAKE"}})
	want(t, p, 400, "merge into itself")
	if got := p.text(".error, [role=alert]"); !strings.Contains(got, "stake") {
		t.Errorf("merge error (zh) = %q", got)
	}
	_, p = x.post(t, "/tags/stake/rename", url.Values{"to": {"staking"}})
	want(t, p, 409, "rename onto a tag")
	if got := p.doc.Find("#to").AttrOr("value", ""); got != "staking" {
		t.Errorf("the name typed is lost: %q", got)
	}
	res, p = x.post(t, "/tags/stake/merge", url.Values{"into": {"staking"}})
	if res.Request.URL.Path != "/tags/staking" || !strings.Contains(p.body, "How are staking rewards paid?") || !strings.Contains(p.body, "质押收益怎么算") ||
		!strings.Contains(p.body, "标签已合并，旧名字的页面会跳转到这里。") {
		t.Fatalf("after the merge: %s", res.Request.URL.Path)
	}

	// The old name redirects, for good, keeping the rest of the address.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := noFollow.Get(s.URL + "/tags/stake?page=1")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != "/tags/staking?page=1" {
		t.Errorf("old tag: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}

	res, _ = x.post(t, "/tags/staking/rename", url.Values{"to": {"权益质押"}})
	if res.Request.URL.Path != "/tags/权益质押" {
		t.Fatalf("after the rename: %s", res.Request.URL.Path)
	}
	p = s.browser("en").get(t, "/tags/stake")
	if p.res.Request.URL.Path != "/tags/权益质押" || p.text("#tag-description") != "锁定代币以保障网络。Locking coins." {
		t.Errorf("the first name leads to %s", p.res.Request.URL.Path)
	}
	if got := p.text("#tag-synonyms"); got != "Also found as: bonding, stake, staking, 质押" {
		t.Errorf("synonyms (en) = %q", got)
	}
}
