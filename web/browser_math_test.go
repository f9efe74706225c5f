package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"answerbook/qa"
)

// TestBrowser_Math: an answer's TeX ($…$ inline, $$…$$ displayed) is
// typeset by the site's own KaTeX in a real browser, in both languages and
// at phone and desktop width; the page's Content-Security-Policy is the
// site's usual one (no CDN, no inline script), and money ($5) stays text.
func TestBrowser_Math(t *testing.T) {
	chromiumPath(t)
	s := newSite(t)
	body := "量子比特的态 $\\lvert\\psi\\rangle = \\alpha\\lvert 0\\rangle + \\beta\\lvert 1\\rangle$，其中\n\n" +
		"$$\n\\begin{bmatrix} 1 & 0 \\\\ 0 & -1 \\end{bmatrix}\n$$\n\nA qubit costs $5 and $10 a month."
	a := s.publish(t, "What is a qubit? 什么是量子比特？", body, true, "quantum")
	const probe = `(() => {
  const inline = document.querySelector("span.math-inline .katex .katex-mathml math");
  const display = document.querySelector("span.math-display .katex-display");
  const fontsOK = document.fonts.check("16px KaTeX_Main");
  return [String(!!inline), String(!!display), String(fontsOK), document.querySelector("main").textContent];
})()`
	for _, lang := range []string{"zh-CN", "en"} {
		for _, width := range []int{390, 1280} {
			c := newChrome(t, s.URL, lang, width, 900)
			c.open("answer "+lang, qa.AnswerPath(a.ID))
			var got []string
			deadline := time.Now().Add(15 * time.Second)
			for time.Now().Before(deadline) {
				v, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](probe))
				if err != nil {
					c.fail("probe", err)
				}
				got = v
				if got[0] == "true" && got[1] == "true" && got[2] == "true" {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if got[0] != "true" || got[1] != "true" || got[2] != "true" {
				c.fail("typeset", fmt.Errorf("inline typeset %s, display typeset %s, KaTeX fonts loaded %s", got[0], got[1], got[2]))
			}
			if !strings.Contains(got[3], "costs $5 and $10 a month") {
				c.fail("money", fmt.Errorf("money was read as math: %q", got[3]))
			}
		}
	}
}
