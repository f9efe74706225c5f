package web_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"answerbook/qa"
)

// TestBrowser_EmbedFits: a partner's page on another origin frames a
// member-only answer through a signed embed (minted with the expert's API
// token); in a real browser the member-only text shows, the card's
// formula is typeset by the site's KaTeX, and /embed.js fits the iframe to
// the card (not the 360 px it starts at), at phone and desktop width.
func TestBrowser_EmbedFits(t *testing.T) {
	chromiumPath(t)
	s := newSite(t)
	x := s.person(t, "专家", qa.RoleExpert, nil)
	token, _, err := s.store.CreateToken(s.ctx, qa.System(), x.ID, qa.TokenCreate{Label: "partner", Scope: qa.ScopeWrite})
	if err != nil {
		t.Fatal(err)
	}
	a := s.publish(t, "会员专享：质能方程 Mass–energy", "能量与质量 $E = mc^2$ — the members' notes.\n\n"+
		strings.Repeat("第二段：更多解释 more explanation. ", 30), false, "physics")
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/embeds", strings.NewReader(fmt.Sprintf(`{"answer_id":%d}`, a.ID)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var grant struct{ HTML string }
	if err := json.NewDecoder(res.Body).Decode(&grant); err != nil || res.StatusCode != 201 {
		t.Fatalf("mint: %d %v", res.StatusCode, err)
	}
	res.Body.Close()
	m := regexp.MustCompile(`src="([^"]+/embed/answers/[^"]+)"`).FindStringSubmatch(grant.HTML)
	if m == nil {
		t.Fatalf("no card URL in %s", grant.HTML)
	}
	src := html.UnescapeString(m[1])
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><meta name="viewport" content="width=device-width"></head><body><main><h1>Course 课程</h1>%s</main></body></html>`, grant.HTML)
	}))
	defer partner.Close()
	const probe = `(() => {
  const f = document.querySelector("iframe");
  return [f.getBoundingClientRect().height, Number(f.getAttribute("height"))];
})()`
	for _, width := range []int{390, 1280} {
		c := newChrome(t, partner.URL, "zh-CN", width, 900)
		c.open(fmt.Sprintf("partner page at %d px", width), "/")
		var h []float64
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			v, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]float64](probe))
			if err != nil {
				c.fail("probe", err)
			}
			if h = v; h[0] != 360 && h[0] == h[1] {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("at %d px the iframe fits its card at %v px (it starts at 360)", width, h[0])
		if h[0] == 360 || h[0] != h[1] || h[0] < 150 {
			c.fail("fit", fmt.Errorf("the iframe stays %v px (attribute %v)", h[0], h[1]))
		}
		// The card itself (opened at the top, as the iframe loads it): the
		// member-only text and the typeset formula.
		c.do("open the card", chromedp.Navigate(src), chromedp.WaitVisible(chromedp.CSS(".card")))
		var card []string
		for time.Now().Before(deadline) {
			v, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`[document.querySelector(".card").textContent, String(!!document.querySelector(".card .katex .katex-mathml"))]`))
			if err != nil {
				c.fail("card", err)
			}
			if card = v; card[1] == "true" {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !strings.Contains(card[0], "the members' notes") || card[1] != "true" {
			c.fail("card", fmt.Errorf("card text %q, formula typeset %s", card[0], card[1]))
		}
	}
}
