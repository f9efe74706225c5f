package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"answerbook/qa"
)

// strengthArchive publishes answers in both languages whose match strength
// is clear-cut: a search for "质押收益" or "staking rewards" has every word
// in the calculation answers' titles (strong) and only in the wallet
// answers' bodies (weak); "钱包 保险" and "wallet insurance" share one word
// with a long wallet title and nothing else (weak only).
type strengthArchive struct {
	calcZH, calcEN, walletZH, walletEN *qa.Answer
}

func publishStrengthArchive(t *testing.T, s *site) strengthArchive {
	t.Helper()
	return strengthArchive{
		calcZH:   s.publish(t, "质押收益怎么计算？", "按每个周期分配，和委托的质押数量成正比。", true, "质押"),
		calcEN:   s.publish(t, "How are staking rewards calculated?", "Rewards are paid per epoch, in proportion to the stake delegated.", true, "staking"),
		walletZH: s.publish(t, "钱包备份：助记词要抄在纸上并放在安全的地方", "助记词丢了就无法恢复钱包。质押收益也留在这个钱包里。", true, "钱包"),
		walletEN: s.publish(t, "Backing up a wallet: write the seed phrase on paper and keep it somewhere safe", "Lose the seed phrase and the wallet is gone. Staking rewards stay in the same wallet.", true, "wallet"),
	}
}

// searchGroups reads a search page's results: the titles listed before the
// weak section (strong), the titles in it (weak), its summary, whether it
// is open, and the "no answer matches closely" notice.
type searchGroups struct {
	strong, weak []string
	summary      string
	open         bool
	notice       *goquery.Selection
}

func groupsOf(p *page) searchGroups {
	var g searchGroups
	res := p.doc.Find("section.results")
	res.Find("ol.list").Not("details.weak-matches ol.list").Find(".item-title").Each(func(_ int, s *goquery.Selection) {
		g.strong = append(g.strong, strings.TrimSpace(s.Text()))
	})
	weak := res.Find("details.weak-matches")
	weak.Find("ol.list .item-title").Each(func(_ int, s *goquery.Selection) {
		g.weak = append(g.weak, strings.TrimSpace(s.Text()))
	})
	g.summary = strings.TrimSpace(weak.Find("summary").Text())
	_, g.open = weak.Attr("open")
	g.notice = res.Find(".no-close")
	return g
}

func (g searchGroups) String() string {
	return fmt.Sprintf("strong %q, weak %q (%q, open %v), notice %q", g.strong, g.weak, g.summary, g.open, strings.TrimSpace(g.notice.Text()))
}

// TestPages_SearchMatchStrength: the search page lists the strong matches
// first and folds the weak ones below them ("Weaker matches (N)"); a search
// with weak matches only says that no answer matches closely and offers
// to ask, in both languages, for queries in both languages.
func TestPages_SearchMatchStrength(t *testing.T) {
	s := newSite(t)
	member := s.person(t, "李雷", qa.RoleMember, nil)
	a := publishStrengthArchive(t, s)

	for _, lang := range []struct{ code, weaker, noClose, ask string }{
		{"zh-Hans", "较弱的匹配（1）", "没有与之紧密匹配的解答。", "向专家提这个问题"},
		{"en", "Weaker matches (1)", "No answer matches closely.", "Ask the expert this question"},
	} {
		m := s.signIn(t, member, lang.code)
		t.Run("Mixed-"+lang.code, func(t *testing.T) {
			for _, tc := range []struct {
				q            string
				strong, weak *qa.Answer
			}{{"质押收益", a.calcZH, a.walletZH}, {"staking rewards", a.calcEN, a.walletEN}} {
				p := m.get(t, "/search?q="+url.QueryEscape(tc.q))
				want(t, p, 200, tc.q)
				g := groupsOf(p)
				if len(g.strong) != 1 || g.strong[0] != tc.strong.Title() || len(g.weak) != 1 || g.weak[0] != tc.weak.Title() {
					t.Errorf("%s: %s; want %q strong and %q weak", tc.q, g, tc.strong.Title(), tc.weak.Title())
				}
				if g.summary != lang.weaker || g.open || g.notice.Length() != 0 {
					t.Errorf("%s: %s; want the weak one folded under %q and no notice", tc.q, g, lang.weaker)
				}
			}
		})
		t.Run("WeakOnly-"+lang.code, func(t *testing.T) {
			for _, tc := range []struct {
				q    string
				weak *qa.Answer
			}{{"钱包 保险", a.walletZH}, {"wallet insurance", a.walletEN}} {
				p := m.get(t, "/search?q="+url.QueryEscape(tc.q))
				want(t, p, 200, tc.q)
				g := groupsOf(p)
				if len(g.strong) != 0 || len(g.weak) != 1 || g.weak[0] != tc.weak.Title() || g.summary != lang.weaker || g.open {
					t.Errorf("%s: %s; want only %q, folded", tc.q, g, tc.weak.Title())
				}
				if !strings.Contains(g.notice.Text(), lang.noClose) {
					t.Errorf("%s: notice %q, want %q", tc.q, g.notice.Text(), lang.noClose)
				}
				// The notice comes before the folded list, and its button
				// asks the search's words.
				if p.doc.Find(".no-close ~ details.weak-matches").Length() != 1 {
					t.Errorf("%s: the notice is not above the weak matches", tc.q)
				}
				ask := g.notice.Find("a.button")
				href, _ := ask.Attr("href")
				u, err := url.Parse(href)
				if err != nil || strings.TrimSpace(ask.Text()) != lang.ask || u.Path != "/ask" || u.Query().Get("title") != tc.q {
					t.Fatalf("%s: ask button %q → %q", tc.q, ask.Text(), href)
				}
				if form := m.get(t, href); form.doc.Find("#title").AttrOr("value", "") != tc.q {
					t.Errorf("%s: ask form not prefilled: %q", tc.q, form.doc.Find("#title").AttrOr("value", ""))
				}
			}
		})
	}

	t.Run("Visitor", func(t *testing.T) {
		// A visitor is told what members get instead of being offered to ask.
		p := s.browser("en").get(t, "/search?q="+url.QueryEscape("wallet insurance"))
		want(t, p, 200, "visitor")
		g := groupsOf(p)
		if len(g.weak) != 1 || !strings.Contains(g.notice.Text(), "No answer matches closely.") || g.notice.Find(`a[href="/join"]`).Length() != 1 || g.notice.Find(`a[href^="/ask"]`).Length() != 0 {
			t.Errorf("visitor: %s", g)
		}
	})

	t.Run("Nothing", func(t *testing.T) {
		// No hit at all keeps the "nothing found" page.
		p := s.signIn(t, member, "en").get(t, "/search?q="+url.QueryEscape("quantum entanglement"))
		if !strings.Contains(p.text(".empty"), "Nothing found.") || p.doc.Find(".no-close, details.weak-matches").Length() != 0 {
			t.Errorf("no hits: %s", p.text("section.results"))
		}
	})

	t.Run("Newest", func(t *testing.T) {
		// By date, each group keeps the date order: the newer strong one
		// first, the weak one after both.
		later := s.publish(t, "Staking rewards on an exchange", "Exchanges pool the stake.", true, "staking")
		m := s.signIn(t, member, "en")
		g := groupsOf(m.get(t, "/search?q="+url.QueryEscape("staking rewards")+"&sort=newest"))
		if fmt.Sprint(g.strong) != fmt.Sprint([]string{later.Title(), a.calcEN.Title()}) || len(g.weak) != 1 || g.weak[0] != a.walletEN.Title() || g.notice.Length() != 0 {
			t.Errorf("newest: %s", g)
		}
		// Browsing by date (no words) and a tag alone match every answer
		// they list closely.
		for _, path := range []string{"/search?sort=newest", "/search?tag=staking"} {
			if g := groupsOf(m.get(t, path)); len(g.strong) == 0 || len(g.weak) != 0 || g.notice.Length() != 0 {
				t.Errorf("%s: %s", path, g)
			}
		}
		// Weak only by date: the notice still says so.
		g = groupsOf(m.get(t, "/search?q="+url.QueryEscape("wallet insurance")+"&sort=newest"))
		if len(g.weak) != 1 || g.notice.Length() != 1 || g.open {
			t.Errorf("newest, weak only: %s", g)
		}
	})

	t.Run("Pages", func(t *testing.T) {
		// The strong match is on the first page; the second holds weak
		// ones only, shown unfolded and without the notice (a close match
		// exists, one page back).
		s.publish(t, "Ledger hardware wallets explained", "A ledger keeps keys offline.", true, "ledger")
		for i := range 21 {
			s.publish(t, fmt.Sprintf("备忘 %d", i), "记在 ledger 里的一条备忘。", false, "ledger")
		}
		m := s.signIn(t, member, "zh-Hans")
		p1 := m.get(t, "/search?q=ledger")
		g := groupsOf(p1)
		if len(g.strong) != 1 || len(g.weak) != 19 || g.open || g.notice.Length() != 0 {
			t.Fatalf("page 1: %s", g)
		}
		next, ok := p1.doc.Find(`.pager a[rel=next]`).Attr("href")
		if !ok {
			t.Fatal("page 1 has no link to page 2")
		}
		g = groupsOf(m.get(t, next))
		if len(g.strong) != 0 || len(g.weak) != 2 || !g.open || g.notice.Length() != 0 || g.summary != "较弱的匹配（2）" {
			t.Errorf("page 2: %s", g)
		}
	})
}

// TestPages_SimilarStrongOnly: the ask page's similar box and the queue
// show strong matches only; an answer page's related answers keep weak ones
// (further reading, not "this is your answer").
func TestPages_SimilarStrongOnly(t *testing.T) {
	s := newSite(t)
	expert := s.person(t, "张老师", qa.RoleExpert, nil)
	member := s.person(t, "李雷", qa.RoleMember, nil)
	a := publishStrengthArchive(t, s)

	m := s.signIn(t, member, "zh-Hans")
	for _, tc := range []struct{ title, strong, weak string }{
		{"质押收益怎么计算", a.calcZH.Title(), a.walletZH.Title()},
		{"How are staking rewards calculated", a.calcEN.Title(), a.walletEN.Title()},
	} {
		_, p := m.post(t, "/ask", url.Values{"title": {tc.title}, "action": {"check"}})
		want(t, p, 200, "check "+tc.title)
		box := p.text("#similar")
		if !strings.Contains(box, tc.strong) || strings.Contains(box, tc.weak) {
			t.Errorf("ask %q: similar box %q, want %q without %q", tc.title, box, tc.strong, tc.weak)
		}
	}
	// Weak matches only: the box says none matches, and lists nothing.
	for _, lang := range []struct{ code, title, none string }{
		{"zh-Hans", "助记词忘了怎么办", "暂时没有相似的解答。"},
		{"en", "I lost my seed phrase", "No similar answers yet."},
	} {
		_, p := s.signIn(t, member, lang.code).post(t, "/ask", url.Values{"title": {lang.title}, "action": {"check"}})
		if n := p.doc.Find("#similar a").Length(); n != 0 || !strings.Contains(p.text("#similar"), lang.none) {
			t.Errorf("ask %q: %d similar answers: %q", lang.title, n, p.text("#similar"))
		}
	}

	q, err := s.store.CreateQuestion(s.ctx, qa.Actor{Member: member, Scope: qa.ScopeWrite}, qa.QuestionCreate{Title: "How are staking rewards calculated"})
	if err != nil {
		t.Fatal(err)
	}
	x := s.signIn(t, expert, "en")
	queue := x.get(t, "/queue")
	want(t, queue, 200, "queue")
	if mini := queue.text("ol.queue .similar-mini"); !strings.Contains(mini, a.calcEN.Title()) || strings.Contains(mini, a.walletEN.Title()) {
		t.Errorf("queue: similar %q", mini)
	}
	item := x.get(t, fmt.Sprintf("/queue/%d", q.ID))
	want(t, item, 200, "queue item")
	if dup := item.text("#duplicate"); !strings.Contains(dup, a.calcEN.Title()) || strings.Contains(dup, a.walletEN.Title()) {
		t.Errorf("queue item: similar %q", dup)
	}

	related := m.get(t, fmt.Sprintf("/answers/%d", a.calcEN.ID))
	want(t, related, 200, "answer")
	if r := related.text("aside.related"); !strings.Contains(r, a.walletEN.Title()) || strings.Contains(r, a.calcEN.Title()) {
		t.Errorf("related answers %q: want the weak match, not the answer itself", r)
	}
}
