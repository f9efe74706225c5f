package web_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"answerbook/qa"
	"answerbook/web"
)

// pickLang chooses the English or the Chinese text by the browser's language.
func pickLang(lang, en, zh string) string {
	if strings.HasPrefix(lang, "zh") {
		return zh
	}
	return en
}

// TestStorefront_Teasers: with teasers on (the default), a visitor finds
// the member-only archive on the home page, the tag pages, /tags and in
// search as titles, tags and dates, with no body text at all (no excerpt,
// no snippet, even when the words matched are in the body), each leading
// to "join to read" with the plans and a code field; counts are the
// archive's.
func TestStorefront_Teasers(t *testing.T) {
	f := newFixture(t)
	privExcerpt := "先了解市场行情"
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			v := f.browser(lang)
			p := func(en, zh string) string { return pickLang(lang, en, zh) }

			home := v.get(t, "/")
			want(t, home, 200, "home")
			contains(t, home, "home", f.pub.Title(), f.priv.Title(), f.en.Title(), p("3 answers in the archive", "答案库共 3 篇解答"))
			lacks(t, home, "home", "SECRETBODY", "MEMBERSONLY", privExcerpt, "Research the market")
			teaserItem(t, home, "home", f.priv, lang)
			teaserItem(t, home, "home", f.en, lang)

			// Search: the words of a member-only answer's body find it, but
			// its hit shows no passage of it.
			for _, q := range []string{"薪资", "SECRETBODY", "market rate"} {
				res := v.get(t, "/search?q="+url.QueryEscape(q))
				want(t, res, 200, "search "+q)
				list := res.doc.Find("ol.list")
				if !strings.Contains(list.Text(), f.priv.Title()) && !strings.Contains(list.Text(), f.en.Title()) {
					t.Errorf("search %q: no member-only teaser: %s", q, list.Text())
				}
				list.Find("li").Each(func(_ int, li *goquery.Selection) {
					if strings.Contains(li.Text(), f.pub.Title()) {
						return
					}
					if li.Find(".snippet, .excerpt, mark").Length() != 0 {
						t.Errorf("search %q: a teaser shows body text: %s", q, outer(li))
					}
				})
				for _, leak := range []string{"SECRETBODY</mark>", ">SECRETBODY", "MEMBERSONLY", privExcerpt, "Research the market"} {
					if strings.Contains(res.doc.Find("main").Text(), leak) || strings.Contains(outerAll(list), leak) {
						t.Errorf("search %q: page shows body text %q", q, leak)
					}
				}
			}
			res := v.get(t, "/search?q="+url.QueryEscape("薪资"))
			teaserItem(t, res, "search", f.priv, lang)
			contains(t, res, "search", p("1 answer for", "共有 1 篇解答"))

			tags := v.get(t, "/tags")
			want(t, tags, 200, "tags")
			contains(t, tags, "tags", "薪资", "career")
			if got := tagCount(tags, "面试"); got != p("2 answers", "2 篇") {
				t.Errorf("/tags: 面试 counts %q", got)
			}

			tag := v.get(t, "/tags/"+url.PathEscape("面试"))
			want(t, tag, 200, "tag")
			contains(t, tag, "tag", f.pub.Title(), f.priv.Title())
			if got := tag.text("main .count"); got != p("2 answers in 面试", "面试 共 2 篇解答") {
				t.Errorf("tag count %q", got)
			}
			lacks(t, tag, "tag", privExcerpt)
			teaserItem(t, tag, "tag", f.priv, lang)

			// The teaser leads to join to read: the plans (on /join) and the
			// code field, and signing in for members.
			priv := v.get(t, fmt.Sprintf("/answers/%d", f.priv.ID))
			want(t, priv, 200, "teaser")
			lacks(t, priv, "teaser", "SECRETBODY")
			gate := priv.doc.Find("#join-to-read")
			if gate.Find(`a[href="/join"]`).Text() != p("See the plans and join", "查看会员方案并加入") {
				t.Errorf("join-to-read has no link to the plans: %s", outer(gate))
			}
			code := gate.Find(`form[action="/join"][method=get] input[name=code]`)
			if code.Length() != 1 || gate.Find(`a[href^="/login?next="]`).Length() != 1 {
				t.Errorf("join-to-read lacks the code field or sign-in: %s", outer(gate))
			}
			// The code field's form lands on /join with the code filled in.
			join := v.get(t, "/join?code="+url.QueryEscape("HARBOUR-2026"))
			want(t, join, 200, "join")
			if got := join.doc.Find("#code").AttrOr("value", ""); got != "HARBOUR-2026" {
				t.Errorf("join code field = %q", got)
			}
		})
	}

	// A lapsed member sees the storefront too, with the renewal; a member
	// reads the excerpts and finds no "join to read".
	lapsed := f.signIn(t, f.lapsed, "en")
	home := lapsed.get(t, "/")
	contains(t, home, "lapsed home", f.priv.Title())
	lacks(t, home, "lapsed home", privExcerpt, "SECRETBODY")
	member := f.signIn(t, f.member, "zh-CN")
	home = member.get(t, "/")
	contains(t, home, "member home", f.priv.Title(), privExcerpt)
	if n := home.doc.Find(".badge.lock").Length(); n != 0 {
		t.Errorf("a member is asked to join to read %d times", n)
	}
}

// teaserItem checks a list's item of a member-only answer as a visitor sees
// it: its title, tags and date, a "join to read" link to its page, and no
// text of its body.
func teaserItem(t *testing.T, p *page, what string, a *qa.Answer, lang string) {
	t.Helper()
	var li *goquery.Selection
	p.doc.Find("ol.list > li").Each(func(_ int, s *goquery.Selection) {
		if s.Find(".item-title").Text() == a.Title() {
			li = s
		}
	})
	if li == nil {
		t.Errorf("%s: no item for %q", what, a.Title())
		return
	}
	if li.Find(".snippet, .excerpt").Length() != 0 {
		t.Errorf("%s: teaser shows body text: %s", what, outer(li))
	}
	if li.Find("time[datetime]").Length() != 1 || li.Find("ul.tags a.tag").Length() != len(a.Tags) {
		t.Errorf("%s: teaser lacks its date or tags: %s", what, outer(li))
	}
	link := li.Find("a.badge.lock")
	if link.AttrOr("href", "") != fmt.Sprintf("/answers/%d#join-to-read", a.ID) || strings.TrimSpace(link.Text()) != pickLang(lang, "Members only · join to read", "会员专享 · 加入后阅读") {
		t.Errorf("%s: teaser's join-to-read link: %s", what, outer(li))
	}
}

func outerAll(s *goquery.Selection) string {
	h, _ := s.Html()
	return h
}

// tagCount is the count /tags shows beside a tag.
func tagCount(p *page, tag string) string {
	out := ""
	p.doc.Find("ul.tagcloud a.tag").Each(func(_ int, s *goquery.Selection) {
		if strings.HasPrefix(s.Text(), tag+" ") {
			out = strings.TrimSpace(s.Find(".n").Text())
		}
	})
	return out
}

// sitemapDoc is a sitemap or a sitemap index, as a crawler reads it.
type sitemapDoc struct {
	XMLName xml.Name
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
	Maps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
}

func getSitemap(t *testing.T, s *site, path string) sitemapDoc {
	t.Helper()
	res, err := http.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/xml; charset=utf-8" || !strings.HasPrefix(string(b), "<?xml") {
		t.Fatalf("%s: %d %s\n%.500s", path, res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	var d sitemapDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s is not XML: %v\n%.500s", path, err, b)
	}
	if d.XMLName.Space != "http://www.sitemaps.org/schemas/sitemap/0.9" {
		t.Errorf("%s: namespace %q", path, d.XMLName.Space)
	}
	return d
}

func (d sitemapDoc) locs() map[string]string {
	out := map[string]string{}
	for _, u := range d.URLs {
		out[u.Loc] = u.LastMod
	}
	return out
}

// TestStorefront_Sitemap: sitemap.xml lists the home, tag and join pages
// and the public answers (with their last change); the member-only
// answers' teaser pages only while teasers are on.
func TestStorefront_Sitemap(t *testing.T) {
	f := newFixture(t)
	ansURL := func(a *qa.Answer) string { return fmt.Sprintf("%s/answers/%d", f.URL, a.ID) }

	d := getSitemap(t, f.site, "/sitemap.xml")
	if d.XMLName.Local != "urlset" {
		t.Fatalf("sitemap is a %s", d.XMLName.Local)
	}
	locs := d.locs()
	pub, err := f.store.FindAnswerByID(f.ctx, qa.System(), f.pub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := locs[ansURL(f.pub)]; got != pub.UpdatedAt.UTC().Format(time.RFC3339) {
		t.Errorf("public answer's lastmod %q, updated %s", got, pub.UpdatedAt)
	}
	for _, u := range []string{f.URL + "/", f.URL + "/tags", f.URL + "/join", f.URL + "/tags/" + url.PathEscape("面试"), f.URL + "/tags/career", ansURL(f.priv), ansURL(f.en)} {
		if _, ok := locs[u]; !ok {
			t.Errorf("sitemap lacks %s", u)
		}
	}
	if len(locs) != 3+5+3 { // home, /tags, /join; 5 tags; 3 answers
		t.Errorf("sitemap has %d URLs: %v", len(locs), locs)
	}

	teasersOff(t, f.site)
	locs = getSitemap(t, f.site, "/sitemap.xml").locs()
	if _, ok := locs[ansURL(f.pub)]; !ok {
		t.Error("sitemap lacks the public answer")
	}
	for _, u := range []string{ansURL(f.priv), ansURL(f.en), f.URL + "/tags/career", f.URL + "/tags/" + url.PathEscape("薪资")} {
		if _, ok := locs[u]; ok {
			t.Errorf("sitemap lists %s while teasers are off", u)
		}
	}
	// The member-only answer's page says noindex then.
	v := f.browser("en")
	priv := v.get(t, fmt.Sprintf("/answers/%d", f.priv.ID))
	if priv.doc.Find(`meta[name=robots][content=noindex]`).Length() != 1 || priv.doc.Find(`link[rel=canonical]`).Length() != 0 {
		t.Error("a member-only answer's page is offered to crawlers while teasers are off")
	}
}

// TestStorefront_SitemapIndex: past a page's worth of URLs, sitemap.xml is
// an index of pages that together list every URL once; the counts of a
// large tag are real and formatted in each language.
func TestStorefront_SitemapIndex(t *testing.T) {
	s := newSite(t)
	const n = 1234
	var qs []qa.ImportQuestion
	var as []qa.ImportAnswer
	start := time.Now().Add(-time.Hour)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("cv-%d", i)
		qs = append(qs, qa.ImportQuestion{SourceID: "q" + id, Title: fmt.Sprintf("高血压患者第 %d 问：如何控制血压？", i), Body: "病情描述", Tags: []string{"心血管科"}, AskedAt: start, Status: qa.StatusAnswered})
		as = append(as, qa.ImportAnswer{SourceID: "a" + id, QuestionSourceID: "q" + id, Body: "低盐饮食，按时服药。CARDIOSECRET", Tags: []string{"心血管科"},
			PublishedAt: start.Add(time.Duration(i) * time.Second), Public: i == 0})
	}
	if _, err := s.store.ImportBatch(s.ctx, qa.System(), qs, as); err != nil {
		t.Fatal(err)
	}

	for lang, wantCount := range map[string]string{"en": "1,234 answers in 心血管科", "zh-CN": "心血管科 共 1,234 篇解答"} {
		tag := s.browser(lang).get(t, "/tags/"+url.PathEscape("心血管科"))
		want(t, tag, 200, "tag")
		if got := tag.text("main .count"); got != wantCount {
			t.Errorf("%s: tag count %q, want %q", lang, got, wantCount)
		}
		if got := tag.doc.Find(`meta[name=description]`).AttrOr("content", ""); got != wantCount {
			t.Errorf("%s: tag description %q", lang, got)
		}
		lacks(t, tag, "tag", "CARDIOSECRET")
		if got := tagCount(s.browser(lang).get(t, "/tags"), "心血管科"); got != pickLang(lang, "1,234 answers", "1,234 篇") {
			t.Errorf("%s: /tags counts %q", lang, got)
		}
	}

	defer web.SetSitemapPageSize(500)()
	ix := getSitemap(t, s, "/sitemap.xml")
	total := 3 + 1 + n // home, /tags, /join; one tag; the answers
	if ix.XMLName.Local != "sitemapindex" || len(ix.Maps) != (total+499)/500 {
		t.Fatalf("sitemap index: %s with %d pages", ix.XMLName.Local, len(ix.Maps))
	}
	seen := map[string]bool{}
	for i, m := range ix.Maps {
		path := strings.TrimPrefix(m.Loc, s.URL)
		if path != fmt.Sprintf("/sitemaps/%d.xml", i+1) {
			t.Fatalf("index page %d at %s", i+1, m.Loc)
		}
		page := getSitemap(t, s, path)
		if len(page.URLs) > 500 {
			t.Errorf("%s holds %d URLs", path, len(page.URLs))
		}
		for _, u := range page.URLs {
			if seen[u.Loc] {
				t.Errorf("%s listed twice", u.Loc)
			}
			seen[u.Loc] = true
			if strings.Contains(u.Loc, "/answers/") && u.LastMod == "" {
				t.Errorf("%s has no lastmod", u.Loc)
			}
		}
	}
	if len(seen) != total {
		t.Errorf("the sitemap's pages list %d URLs, want %d", len(seen), total)
	}
	for _, path := range []string{fmt.Sprintf("/sitemaps/%d.xml", len(ix.Maps)+1), "/sitemaps/0.xml", "/sitemaps/x.xml", "/sitemaps/1.txt"} {
		if st := s.browser("en").get(t, path).status(); st != 404 {
			t.Errorf("%s: %d", path, st)
		}
	}
}

// TestStorefront_Robots: robots.txt keeps crawlers out of search, the API
// and the members' pages, and points at the sitemap.
func TestStorefront_Robots(t *testing.T) {
	s := newSite(t)
	res, err := http.Get(s.URL + "/robots.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	lines := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		lines[l] = true
	}
	for _, l := range []string{"User-agent: *", "Disallow: /search", "Disallow: /api/", "Disallow: /account", "Disallow: /ask", "Disallow: /queue",
		"Disallow: /dashboard", "Disallow: /settings", "Disallow: /notifications", "Disallow: /join?", "Disallow: /r/", "Allow: /", "Sitemap: " + s.URL + "/sitemap.xml"} {
		if !lines[l] {
			t.Errorf("robots.txt lacks %q:\n%s", l, b)
		}
	}
	for _, l := range []string{"Disallow: /join", "Disallow: /tags", "Disallow: /answers"} {
		if lines[l] {
			t.Errorf("robots.txt keeps crawlers from a public page: %q", l)
		}
	}
}

// TestStorefront_SEO: public pages carry a meta description, a canonical
// link, hreflang alternates (?lang=, and x-default), OpenGraph and Twitter
// meta; a public answer carries its QAPage data, safe from a title that
// tries to close the script; other pages say noindex.
func TestStorefront_SEO(t *testing.T) {
	f := newFixture(t)
	evil := f.publish(t, `Why </script><script>alert(1)</script> breaks pages?`, "Escape it. 要转义。\n\nAnd `</script>` in code.", true, "安全")
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			v := f.browser(lang)
			code := pickLang(lang, "en", "zh-Hans")
			for _, c := range []struct {
				path, canonical, description string
			}{
				{"/", "/", pickLang(lang, "A curated archive of answers from our expert.", "这里收录了专家精心撰写的解答。")},
				{"/tags", "/tags", pickLang(lang, "The 6 topics of answerbook, each with its number of answers.", "answerbook 的 6 个主题，以及每个主题的解答数。")},
				{"/tags/" + url.PathEscape("面试"), "/tags/" + url.PathEscape("面试"), pickLang(lang, "2 answers in 面试", "面试 共 2 篇解答")},
				{fmt.Sprintf("/answers/%d?utm_source=x", f.pub.ID), fmt.Sprintf("/answers/%d", f.pub.ID), "先读 DDIA，再练习画架构图。"},
				{fmt.Sprintf("/answers/%d", f.priv.ID), fmt.Sprintf("/answers/%d", f.priv.ID), "先了解市场行情。"},
				{"/join?code=SECRETCODE", "/join", ""},
			} {
				p := v.get(t, c.path)
				want(t, p, 200, c.path)
				head := p.doc.Find("head")
				attr := func(sel, a string) string { return head.Find(sel).AttrOr(a, "") }
				desc := attr(`meta[name=description]`, "content")
				if desc == "" || c.description != "" && desc != c.description {
					t.Errorf("%s: description %q, want %q", c.path, desc, c.description)
				}
				canon := f.URL + c.canonical
				if got := attr(`link[rel=canonical]`, "href"); got != canon {
					t.Errorf("%s: canonical %q, want %q", c.path, got, canon)
				}
				sep := "?"
				alts := map[string]string{}
				head.Find(`link[rel=alternate][hreflang]`).Each(func(_ int, s *goquery.Selection) {
					alts[s.AttrOr("hreflang", "")] = s.AttrOr("href", "")
				})
				wantAlts := map[string]string{"en": canon + sep + "lang=en", "zh-Hans": canon + sep + "lang=zh-Hans", "x-default": canon}
				if fmt.Sprint(alts) != fmt.Sprint(wantAlts) {
					t.Errorf("%s: hreflang %v, want %v", c.path, alts, wantAlts)
				}
				title := strings.TrimSuffix(p.text("title"), " · answerbook")
				for sel, want := range map[string]string{
					`meta[property="og:title"]`: title, `meta[name="twitter:title"]`: title, `meta[property="og:url"]`: canon,
					`meta[property="og:description"]`: desc, `meta[name="twitter:card"]`: "summary", `meta[property="og:site_name"]`: "answerbook",
					`meta[property="og:locale"]`: pickLang(lang, "en_US", "zh_CN"), `meta[property="og:locale:alternate"]`: pickLang(lang, "zh_CN", "en_US"),
				} {
					if got := attr(sel, "content"); got != want {
						t.Errorf("%s: %s = %q, want %q", c.path, sel, got, want)
					}
				}
				if head.Find(`meta[name=robots]`).Length() != 0 {
					t.Errorf("%s: a public page says noindex", c.path)
				}
				if strings.Contains(outerAll(head), "SECRETCODE") {
					t.Errorf("%s: the head repeats the join link's code", c.path)
				}
				if got := p.doc.Find("html").AttrOr("lang", ""); got != code {
					t.Errorf("%s: html lang %q", c.path, got)
				}
			}

			// ?lang= picks the language whatever the browser says, and the
			// page's canonical is that language's address.
			other := pickLang(lang, "zh-Hans", "en")
			p := v.get(t, fmt.Sprintf("/answers/%d?lang=%s", f.pub.ID, other))
			if got := p.doc.Find("html").AttrOr("lang", ""); got != other {
				t.Errorf("?lang=%s: html lang %q", other, got)
			}
			if got := p.doc.Find(`link[rel=canonical]`).AttrOr("href", ""); got != fmt.Sprintf("%s/answers/%d?lang=%s", f.URL, f.pub.ID, other) {
				t.Errorf("?lang=%s: canonical %q", other, got)
			}

			// The public answer's QAPage, from a title that tries to close
			// the script element.
			p = v.get(t, fmt.Sprintf("/answers/%d", evil.ID))
			ld := p.doc.Find(`script[type="application/ld+json"]`)
			if ld.Length() != 1 || p.doc.Find("script").Length() != 1+p.doc.Find("script[src]").Length() {
				t.Fatalf("scripts on the page: %d JSON-LD, %d in all", ld.Length(), p.doc.Find("script").Length())
			}
			if strings.Count(p.body, "</script>") != p.doc.Find("script").Length() || strings.Contains(p.body, "<script>alert") {
				t.Errorf("the title broke out of the JSON-LD script")
			}
			var page struct {
				Context    string `json:"@context"`
				Type       string `json:"@type"`
				MainEntity struct {
					Type           string `json:"@type"`
					Name           string `json:"name"`
					Text           string `json:"text"`
					AnswerCount    int    `json:"answerCount"`
					DatePublished  string `json:"datePublished"`
					AcceptedAnswer struct {
						Type          string `json:"@type"`
						Text          string `json:"text"`
						URL           string `json:"url"`
						DatePublished string `json:"datePublished"`
						Author        struct {
							Type string `json:"@type"`
							Name string `json:"name"`
						} `json:"author"`
					} `json:"acceptedAnswer"`
				} `json:"mainEntity"`
			}
			if err := json.Unmarshal([]byte(ld.Text()), &page); err != nil {
				t.Fatalf("JSON-LD: %v\n%s", err, ld.Text())
			}
			m := page.MainEntity
			if page.Context != "https://schema.org" || page.Type != "QAPage" || m.Type != "Question" || m.Name != evil.Title() || m.Text == "" || m.AnswerCount != 1 ||
				m.AcceptedAnswer.Type != "Answer" || m.AcceptedAnswer.Text != "Escape it. 要转义。 And </script> in code." ||
				m.AcceptedAnswer.URL != fmt.Sprintf("%s/answers/%d", f.URL, evil.ID) || m.AcceptedAnswer.DatePublished == "" || m.AcceptedAnswer.Author.Name != "answerbook" || m.AcceptedAnswer.Author.Type != "Organization" {
				t.Errorf("QAPage %+v", page)
			}
			if _, err := time.Parse(time.RFC3339, m.DatePublished); err != nil {
				t.Errorf("datePublished %q", m.DatePublished)
			}
			// A member-only answer has none (its text is not the public's).
			if n := v.get(t, fmt.Sprintf("/answers/%d", f.priv.ID)).doc.Find(`script[type="application/ld+json"]`).Length(); n != 0 {
				t.Errorf("member-only answer has %d JSON-LD", n)
			}

			// Pages that are not the storefront's: noindex, no canonical.
			for _, path := range []string{"/login", "/search?q=x", "/nowhere"} {
				p := v.get(t, path)
				if p.doc.Find(`meta[name=robots][content=noindex]`).Length() != 1 || p.doc.Find(`link[rel=canonical]`).Length() != 0 {
					t.Errorf("%s: not noindex", path)
				}
			}
		})
	}

	// Choosing a language on a page reached by ?lang= lands on the page
	// without it, in the language chosen.
	b := f.browser("en")
	res, _ := b.post(t, "/lang", url.Values{"lang": {"zh-Hans"}, "next": {fmt.Sprintf("/answers/%d?lang=en", f.pub.ID)}})
	if res.Request.URL.RequestURI() != fmt.Sprintf("/answers/%d", f.pub.ID) {
		t.Errorf("language switch landed on %s", res.Request.URL)
	}
}
