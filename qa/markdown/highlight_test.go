package markdown

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
)

var tags = regexp.MustCompile(`<[^>]*>`)

// codeOf is the text of the first code block of rendered HTML.
func codeOf(out string) string {
	i := strings.Index(out, "<code")
	j := strings.Index(out, "</code>")
	if i < 0 || j < i {
		return ""
	}
	return html.UnescapeString(tags.ReplaceAllString(out[i:j], ""))
}

func TestRender_Highlight(t *testing.T) {
	goCode := "// 计算收益 reward\nfunc Reward(x int) string {\n\treturn \"<b>&\" + fmt.Sprint(x)\n}\n"
	out, err := Render("说明：\n\n```go\n" + goCode + "```\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<pre class="chroma"><code class="language-go">`, `<span class="kd">func</span>`,
		`<span class="c1">// 计算收益 reward</span>`, `<span class="nf">Reward</span>`, `&lt;b&gt;&amp;`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in %s", want, out)
		}
	}
	if got := codeOf(out); got != goCode {
		t.Errorf("the highlighted code reads %q, want %q", got, goCode)
	}
	checkSafe(t, goCode, out)

	for _, tt := range []struct{ name, in, want string }{
		{"UnknownLanguage", "```nosuchlang\na < b\n```", "<pre><code class=\"language-nosuchlang\">a &lt; b\n</code></pre>\n"},
		{"NoLanguage", "```\nfunc x() {}\n```", "<pre><code>func x() {}\n</code></pre>\n"},
		{"Indented", "    func x() {}", "<pre><code>func x() {}\n</code></pre>\n"},
		{"LongLanguage", "```" + strings.Repeat("g", maxLanguageLen+1) + "\nx\n```", "<pre><code class=\"language-" + strings.Repeat("g", maxLanguageLen+1) + "\">x\n</code></pre>\n"},
		{"LanguageCase", "```Python\nx = 1\n```", `<pre class="chroma"><code class="language-Python"><span class="n">x</span> <span class="o">=</span> <span class="mi">1</span>` + "\n</code></pre>\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Render(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("Render(%q)\n got %q, %v\nwant %q", tt.in, got, err, tt.want)
			}
		})
	}

	t.Run("Bounds", func(t *testing.T) {
		defer func(d time.Duration) { highlightBudget = d }(highlightBudget)
		highlightBudget = time.Hour
		// A block over maxHighlightBlock is written plain.
		big := strings.Repeat("x := 1\n", maxHighlightBlock/7+1)
		out, err := Render("```go\n" + big + "```")
		if err != nil || strings.Contains(out, "chroma") || codeOf(out) != big {
			t.Errorf("a %d-byte block: highlighted=%v, %v", len(big), strings.Contains(out, "chroma"), err)
		}
		// Past maxHighlightBytes in one document, blocks are plain.
		block := "```go\n" + strings.Repeat("y := 2\n", (maxHighlightBlock-100)/7) + "```\n\n"
		n := maxHighlightBytes/(maxHighlightBlock-100) + 1
		out, err = Render(strings.Repeat(block, n))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(out, `<pre class="chroma">`); got != n-1 || strings.Count(out, "<pre>") != 1 {
			t.Errorf("%d blocks: %d highlighted", n, got)
		}
		// Past the time budget, blocks are plain (escaped as ever).
		highlightBudget = time.Nanosecond
		out, err = Render("```go\nfunc x() {}\n```\n")
		if err != nil || out != "<pre><code class=\"language-go\">func x() {}\n</code></pre>\n" {
			t.Errorf("past the budget: %q, %v", out, err)
		}
	})
}

// TestHighlightClasses: the sanitiser lets exactly chroma's token classes
// through on spans, and nothing that could be another class of the page.
func TestHighlightClasses(t *testing.T) {
	for _, c := range []string{"k", "kd", "nx", "s2", "c1", "gd"} {
		if !highlightClassPattern.MatchString(c) {
			t.Errorf("class %q is not allowed", c)
		}
	}
	for _, c := range []string{"", "w", "chroma", "button", "k kd", "flash", "gate", "hidden", "line", "bg", "err"} {
		if highlightClassPattern.MatchString(c) {
			t.Errorf("class %q is allowed", c)
		}
	}
	for _, in := range []string{
		"<span class=\"flash\">x</span>", "<pre class=\"gate\">x</pre>",
		"```go\nx\n```\n\n<span class=\"kd\">raw</span>",
	} {
		out, err := Render(in)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, "flash") || strings.Contains(out, "gate") || strings.Contains(out, ">raw<") && strings.Contains(out, `"kd">raw`) {
			t.Errorf("Render(%q) = %q", in, out)
		}
	}
}
