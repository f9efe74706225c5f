package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestPages_FeedLinks: the home page and every tag page announce their
// Atom feed (<link rel="alternate" type="application/atom+xml">), and a tag
// page shows a visible link to it, in Chinese and in English.
func TestPages_FeedLinks(t *testing.T) {
	s := newSite(t)
	s.publish(t, "如何准备面试？", "先准备基础。", true, "面试")
	tagFeed := "/feeds/tags/" + url.PathEscape("面试") + ".atom"
	for _, tc := range []struct{ lang, homeTitle, tagTitle, visible string }{
		{"zh-CN", "最新解答（Atom）", "面试：最新解答（Atom）", "此标签的 Atom 订阅源"},
		{"en", "New answers (Atom)", "面试: new answers (Atom)", "Atom feed of this tag"},
	} {
		v := s.browser(tc.lang)
		home := v.get(t, "/")
		link := home.doc.Find(`head link[rel="alternate"][type="application/atom+xml"]`)
		if link.Length() != 1 || link.AttrOr("href", "") != "/feeds/answers.atom" || link.AttrOr("title", "") != tc.homeTitle {
			t.Errorf("%s home: %s", tc.lang, outer(link))
		}
		tag := v.get(t, "/tags/"+url.PathEscape("面试"))
		link = tag.doc.Find(`head link[rel="alternate"][type="application/atom+xml"]`)
		if link.Length() != 1 || link.AttrOr("href", "") != tagFeed || link.AttrOr("title", "") != tc.tagTitle {
			t.Errorf("%s tag page: %s", tc.lang, outer(link))
		}
		a := tag.doc.Find(`main a[href="` + tagFeed + `"]`)
		if a.Length() != 1 || strings.TrimSpace(a.Text()) != tc.visible {
			t.Errorf("%s tag page: visible feed link %s", tc.lang, outer(a))
		}
		if feed := v.get(t, tagFeed); feed.status() != 200 {
			t.Errorf("%s: the linked feed answers %d", tc.lang, feed.status())
		}
	}
}
