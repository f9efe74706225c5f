package markdown_test

import (
	"strings"
	"testing"

	"answerbook/qa/markdown"
)

const (
	testPage = "https://answers.example.com/answers/7"
	testSHA  = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// TestAbsoluteURLs: rendered HTML taken off the site (feeds, mail) gets
// every relative href and src made absolute against the answer's page;
// absolute URLs, text that only looks like an attribute, and everything
// else stay byte for byte.
func TestAbsoluteURLs(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"Image", `<p><img src="/images/` + testSHA + `.png" alt="收益图 chart" title="t"></p>`,
			`<p><img src="https://answers.example.com/images/` + testSHA + `.png" alt="收益图 chart" title="t"></p>`},
		{"SiteLink", `<a href="/answers/1" rel="nofollow noopener">另见</a>`,
			`<a href="https://answers.example.com/answers/1" rel="nofollow noopener">另见</a>`},
		{"EscapedPath", `<a href="/tags/%E8%B4%A8%E6%8A%BC">质押</a>`, `<a href="https://answers.example.com/tags/%E8%B4%A8%E6%8A%BC">质押</a>`},
		{"Fragment", `<a href="#md-fees">fees</a>`, `<a href="https://answers.example.com/answers/7#md-fees">fees</a>`},
		{"PathRelative", `<a href="foo/bar?x=1&amp;y=2">x</a>`, `<a href="https://answers.example.com/answers/foo/bar?x=1&amp;y=2">x</a>`},
		{"AbsoluteKept", `<a href="https://example.com/x?a=1&amp;b=2" rel="nofollow noopener">e</a> <a href="mailto:a@b.c">m</a>`,
			`<a href="https://example.com/x?a=1&amp;b=2" rel="nofollow noopener">e</a> <a href="mailto:a@b.c">m</a>`},
		{"TextLooksLikeMarkup", `<p>write &lt;a href=&#34;/x&#34;&gt; or src=/y</p><pre><code>&lt;img src="/z"&gt;</code></pre>`,
			`<p>write &lt;a href=&#34;/x&#34;&gt; or src=/y</p><pre><code>&lt;img src="/z"&gt;</code></pre>`},
		{"OtherAttributesKept", `<h2 id="md-x">X</h2><td align="left">1</td><code class="language-go">x</code>`,
			`<h2 id="md-x">X</h2><td align="left">1</td><code class="language-go">x</code>`},
		{"QuoteInURL", `<a href="/a&#34;b">q</a>`, `<a href="https://answers.example.com/a%22b">q</a>`},
		{"Unparsable", `<a href="/%zz">bad</a>`, `<a href="/%zz">bad</a>`},
		{"Empty", ``, ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := markdown.AbsoluteURLs(tc.in, testPage); got != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
	t.Run("NoBase", func(t *testing.T) {
		in := `<a href="/answers/1">x</a>`
		for _, page := range []string{"", "/answers/7", "answers.example.com/answers/7", "://bad"} {
			if got := markdown.AbsoluteURLs(in, page); got != in {
				t.Errorf("page %q: %s", page, got)
			}
		}
	})
	t.Run("Rendered", func(t *testing.T) {
		h, err := markdown.Render("质押收益按周期发放。Paid every epoch.\n\n![收益图 chart](/images/" + testSHA + ".png)\n\n另见 [epochs](/answers/1) and [Cardano](https://cardano.org/).\n\n| a | b |\n|---|---|\n| [质押](/tags/staking) | 2 |")
		if err != nil {
			t.Fatal(err)
		}
		got := markdown.AbsoluteURLs(h, testPage)
		for _, want := range []string{
			`src="https://answers.example.com/images/` + testSHA + `.png"`,
			`href="https://answers.example.com/answers/1"`, `href="https://cardano.org/"`,
			`href="https://answers.example.com/tags/staking"`, `质押收益按周期发放。Paid every epoch.`, `<table>`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("lacks %s:\n%s", want, got)
			}
		}
		if strings.Contains(got, `="/`) {
			t.Errorf("a relative URL is left:\n%s", got)
		}
		// Nothing but the URLs changed.
		if strings.Count(got, "<") != strings.Count(h, "<") || len(got)-len(h) != 3*len("https://answers.example.com") {
			t.Errorf("more than the URLs changed:\n%s\n%s", h, got)
		}
	})
}
