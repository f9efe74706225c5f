package markdown

import (
	"errors"
	"io"
	"math/rand/v2"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"golang.org/x/net/html"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		// Headings and their ids.
		{"HeadingChinese", "## 如何准备 system design 面试",
			`<h2 id="md-如何准备-system-design-面试">如何准备 system design 面试</h2>` + "\n"},
		{"HeadingDuplicates", "# A\n# A\n# A\n# A-1",
			`<h1 id="md-a">A</h1>` + "\n" + `<h1 id="md-a-1">A</h1>` + "\n" + `<h1 id="md-a-2">A</h1>` + "\n" + `<h1 id="md-a-1-1">A-1</h1>` + "\n"},
		{"HeadingPunctuation", "# Hello, World!", `<h1 id="md-hello-world">Hello, World!</h1>` + "\n"},
		{"HeadingNoLetters", "# !!!", `<h1 id="md-heading">!!!</h1>` + "\n"},
		{"HeadingMarkup", "## Use `go test` _now_",
			`<h2 id="md-use-go-test-_now_">Use <code>go test</code> <em>now</em></h2>` + "\n"},
		{"HeadingOtherScripts", "## Привет Мир ١٢٣", `<h2 id="md-привет-мир-١٢٣">Привет Мир ١٢٣</h2>` + "\n"},

		// Inline markup.
		{"Emphasis", "*em* **strong** ***both*** _u_",
			"<p><em>em</em> <strong>strong</strong> <em><strong>both</strong></em> <em>u</em></p>\n"},
		{"CJK", "中文**强调**，好的。\n第二行", "<p>中文<strong>强调</strong>，好的。第二行</p>\n"},
		{"Strikethrough", "~~gone~~ and ~one~", "<p><del>gone</del> and <del>one</del></p>\n"},
		{"CodeSpan", "`a < b`", "<p><code>a &lt; b</code></p>\n"},
		{"HardBreak", "line  \nbreak", "<p>line<br>\nbreak</p>\n"},
		{"Entities", `&copy; \* &#42; &lt;b&gt;`, "<p>© * * &lt;b&gt;</p>\n"},

		// Links and images.
		{"Autolinks", "www.example.com and https://example.com/a?b=1 and me@example.com",
			`<p><a href="http://www.example.com" rel="nofollow noopener">www.example.com</a> and ` +
				`<a href="https://example.com/a?b=1" rel="nofollow noopener">https://example.com/a?b=1</a> and ` +
				`<a href="mailto:me@example.com" rel="nofollow noopener">me@example.com</a></p>` + "\n"},
		{"Links", `[t](http://example.com "Title") [r](/questions/1) [#](#top) [m](mailto:a@b.c)`,
			`<p><a href="http://example.com" title="Title" rel="nofollow noopener">t</a> ` +
				`<a href="/questions/1" rel="nofollow noopener">r</a> ` +
				`<a href="#md-top" rel="nofollow noopener">#</a> ` +
				`<a href="mailto:a@b.c" rel="nofollow noopener">m</a></p>` + "\n"},
		{"Images", "![cat](https://example.com/cat.png) ![rel](/cat.png) ![d](data:image/png;base64,AAAA)",
			`<p><img src="https://example.com/cat.png" alt="cat"> rel d</p>` + "\n"},
		{"SiteImage", "![图](/images/" + strings.Repeat("0a", 32) + ".png) ![x](/images/" + strings.Repeat("0a", 32) + ".svg)",
			`<p><img src="/images/` + strings.Repeat("0a", 32) + `.png" alt="图"> x</p>` + "\n"},

		// Blocks.
		{"TaskList", "- [x] done\n- [ ] todo",
			"<ul>\n" + `<li><input checked="" disabled="" type="checkbox"> done</li>` + "\n" +
				`<li><input disabled="" type="checkbox"> todo</li>` + "\n</ul>\n"},
		{"Table", "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |",
			"<table>\n<thead>\n<tr>\n" +
				`<th align="left">a</th>` + "\n" + `<th align="center">b</th>` + "\n" + `<th align="right">c</th>` + "\n" +
				"</tr>\n</thead>\n<tbody>\n<tr>\n" +
				`<td align="left">1</td>` + "\n" + `<td align="center">2</td>` + "\n" + `<td align="right">3</td>` + "\n" +
				"</tr>\n</tbody>\n</table>\n"},
		{"FencedCode", "```go\nfmt.Println(\"<hi>\")\n```",
			`<pre class="chroma"><code class="language-go"><span class="nx">fmt</span><span class="p">.</span><span class="nf">Println</span><span class="p">(</span><span class="s">&#34;&lt;hi&gt;&#34;</span><span class="p">)</span>` + "\n</code></pre>\n"},
		{"FencedCodeNoLanguage", "```\nplain\n```", "<pre><code>plain\n</code></pre>\n"},
		{"IndentedCode", "    indented", "<pre><code>indented\n</code></pre>\n"},
		{"QuoteAndOrderedList", "> quote\n\n3. three\n4. four",
			"<blockquote>\n<p>quote</p>\n</blockquote>\n<ol>\n<li>three</li>\n<li>four</li>\n</ol>\n"},

		// Hostile input: raw HTML is dropped, bad URLs become text.
		{"RawInlineHTML", "a <b>bold</b> c", "<p>a bold c</p>\n"},
		{"Script", "<script>alert(1)</script>", "\n"},
		{"ImgOnerror", "<img src=x onerror=alert(1)>", "\n"},
		{"JavascriptLink", "[x](javascript:alert(1))", "<p>x</p>\n"},
		{"JavascriptLinkMixedCase", "[x](JaVaScRiPt:alert(1))", "<p>x</p>\n"},
		{"JavascriptLinkEntity", "[x](&#106;avascript:alert(1))", "<p>x</p>\n"},
		{"DataLink", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "<p>x</p>\n"},
		{"JavascriptImage", "![x](javascript:alert(1))", "<p>x</p>\n"},
		{"HTMLJavascriptLink", `<a href="javascript:alert(1)">x</a>`, "<p>x</p>\n"},
		{"SVGOnload", "<svg onload=alert(1)>", "\n"},
		{"Iframe", `<iframe src="https://evil.example"></iframe>`, "\n"},
		{"Style", "<style>body{display:none}</style>", "\n"},
		{"StyleAttribute", `x <span style="color:red">y</span>`, "<p>x y</p>\n"},
		{"EventAttribute", `<div onclick="alert(1)">x</div>`, "\n"},
		{"ImageTitleBreakoutUnclosed", `![a](http://x/y.png "a\" onerror=\"alert(1))`,
			"<p>![a](http://x/y.png &#34;a&#34; onerror=&#34;alert(1))</p>\n"},
		{"ImageTitleBreakout", `![a](http://x/y.png "a\" onerror=\"alert(1)")`,
			`<p><img src="http://x/y.png" alt="a"></p>` + "\n"},
		{"OtherSchemes", "[x](vbscript:msgbox(1)) [y](<javascript:alert(1)>) <javascript:alert(1)>",
			"<p>x y javascript:alert(1)</p>\n"},
		{"SchemeWithSpaces", "[x]( javascript:alert(1) ) [y](java\tscript:alert(1))",
			"<p>x [y](java\tscript:alert(1))</p>\n"},
		{"ReferenceDefinition", "[a]: javascript:alert(1)\n\n[a]", "<p>a</p>\n"},
		{"CodeInfoAttribute", "```js onload=alert(1)\nx\n```", `<pre class="chroma"><code class="language-js"><span class="nx">x</span>` + "\n</code></pre>\n"},
		{"CodeInfoBreakout", "```\"><script>\nx\n```", "<pre><code>x\n</code></pre>\n"},
		{"NUL", "a\x00b", "<p>a\uFFFDb</p>\n"},
		{"InvalidUTF8", "a\xffb", "<p>a\uFFFDb</p>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Render(tt.in)
			if err != nil {
				t.Fatalf("Render(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Render(%q)\n got: %q\nwant: %q", tt.in, got, tt.want)
			}
			checkSafe(t, tt.in, got)
		})
	}
}

func TestRender_Limits(t *testing.T) {
	table := func(cols, rows int, delimiter, row string) string {
		return strings.Repeat("|h", cols) + "|\n" + strings.Repeat(delimiter, cols) + "|\n" + strings.Repeat(row+"\n", rows)
	}
	tests := []struct {
		name    string
		in      string
		wantErr string // "" when it renders
	}{
		{"List16", strings.Repeat("- ", 16) + "x", ""},
		{"List17", strings.Repeat("- ", 17) + "x", "markdown: lists and quotes nested deeper than 16 levels"},
		{"Quote16", strings.Repeat("> ", 16) + "x", ""},
		{"Quote17", strings.Repeat(">", 17) + "x", "markdown: lists and quotes nested deeper than 16 levels"},
		{"Mixed17", strings.Repeat("> - ", 8) + "1. x", "markdown: lists and quotes nested deeper than 16 levels"},
		{"IndentedList17", func() string {
			var b strings.Builder
			for i := range 17 {
				b.WriteString(strings.Repeat("  ", i) + "- x\n")
			}
			return b.String()
		}(), "markdown: lists and quotes nested deeper than 16 levels"},
		{"LongDeepList", strings.Repeat("- ", 16) + "x\n" + strings.Repeat("\n", 20000),
			"markdown: nested lists and quotes are too long"},
		{"Table64Columns", table(64, 2, "|-", strings.Repeat("|x", 64)), ""},
		{"Table65Columns", table(65, 2, "|-", strings.Repeat("|x", 65)), "markdown: table has more than 64 columns"},
		{"TableCells", table(64, 400, "|-", "x"), "markdown: tables have more than 20000 cells in total"},
		{"TooLong", strings.Repeat("a", MaxSourceBytes+1), "markdown: text longer than 81920 bytes"},
		{"Emphasis", fill("*a_", 20000), "markdown: too many emphasis or strikethrough markers (* _ ~) in one paragraph"},
		{"Links", fill("[a](", 40000), "markdown: too many links or square brackets in one paragraph"},
		{"References", fill("[a]: b\n", 60000), "markdown: too many link reference definitions in one paragraph"},
		{"EscapedPipes", table(2, 1000, "|-", "|`\\|`|`\\|`|"), "markdown: tables have too many escaped pipes (\\|) in code"},
		{"Output", "[a]: http://example.com/" + strings.Repeat("x", 1000) + "\n\n" + strings.Repeat("[a]\n\n", 2000),
			"markdown: rendered output larger than 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Render(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				checkSafe(t, tt.in, got)
				return
			}
			if !errors.Is(err, ErrTooComplex) {
				t.Fatalf("Render: err = %v, want one wrapping ErrTooComplex", err)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("Render: err = %q, want %q", err, tt.wantErr)
			}
			if got != "" {
				t.Errorf("Render returned HTML with an error")
			}
		})
	}
}

// TestRender_Hostile runs every hostile input through Render, PlainText and
// Excerpt: each must render safely or fail with ErrTooComplex, and quickly.
// BenchmarkRender_Hostile measures the times; the bound here only catches
// catastrophes (quadratic behaviour took seconds before the guards).
func TestRender_Hostile(t *testing.T) {
	bound := 2 * time.Second // generous, so that slow machines pass
	if raceEnabled() {
		bound = 40 * time.Second // the race detector slows goldmark down 20 to 70 times
	}
	for _, in := range hostileInputs() {
		t.Run(in.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			got, err := Render(in.src)
			if d := time.Since(start); d > bound {
				t.Errorf("Render took %v", d)
			}
			if err != nil && !errors.Is(err, ErrTooComplex) {
				t.Errorf("Render: %v", err)
			}
			if err == nil {
				checkSafe(t, in.src[:min(len(in.src), 40)], got)
			}

			start = time.Now()
			if s := PlainText(in.src); !utf8.ValidString(s) {
				t.Errorf("PlainText: invalid UTF-8")
			}
			if s := Excerpt(in.src, 200); utf8.RuneCountInString(s) > 200 {
				t.Errorf("Excerpt: %d runes", utf8.RuneCountInString(s))
			}
			if d := time.Since(start); d > bound {
				t.Errorf("PlainText and Excerpt took %v", d)
			}
		})
	}
}

// TestRender_Random renders random mixtures of Markdown's and HTML's special
// tokens and checks that the output is always safe.
func TestRender_Random(t *testing.T) {
	tokens := []string{
		"*", "**", "_", "~~", "`", "```", "[", "]", "(", ")", "![", "<", ">", "&", "#", "&#106;", "&amp;",
		"\\", "\"", "'", "|", "-", "1.", ":", "\n", "\n\n", " ", "    ", "\t", "a", "中文",
		"javascript:", "JaVaScRiPt:", "data:", "vbscript:", "http://x.y/", "www.x.y", "a@b.c", "mailto:",
		"<script>", "</script>", "<img src=x onerror=alert(1)>", "<a href=", "onload=", "style=",
		"<svg>", "<iframe>", "<!--", "-->", "<![CDATA[", "[x]: ", "- [ ] ", "|-|", "\x00", "\xff",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var b strings.Builder
		for range r.IntN(60) {
			b.WriteString(tokens[r.IntN(len(tokens))])
		}
		src := b.String()
		got, err := Render(src)
		if err != nil {
			if !errors.Is(err, ErrTooComplex) {
				t.Fatalf("Render(%q): %v", src, err)
			}
			continue
		}
		checkSafe(t, src, got)
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"## 如何准备 system design 面试", "| a | b |\n|:-|-:|\n| 1 | 2 |", "- [x] done\n- [ ] todo",
		"```go\nx\n```", "~~a~~ www.example.com a@b.c", "[x](javascript:alert(1))", "[x](&#106;avascript:alert(1))",
		"![x](javascript:alert(1))", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
		`![a](http://x/y.png "a\" onerror=\"alert(1))`, "<a href=\"javascript:alert(1)\">x</a>",
		"[a]: data:text/html,x\n\n[a]", "> - > - x", "*a **b** c*", "中文**强调**，\n第二行",
	} {
		f.Add(s)
	}
	for _, in := range hostileInputs() {
		f.Add(in.src[:min(len(in.src), 2000)])
	}
	f.Fuzz(func(t *testing.T, src string) {
		got, err := Render(src)
		if err != nil {
			if !errors.Is(err, ErrTooComplex) {
				t.Fatalf("Render: error not wrapping ErrTooComplex: %v", err)
			}
		} else {
			checkSafe(t, src, got)
		}
		if s := PlainText(src); !utf8.ValidString(s) {
			t.Fatalf("PlainText: invalid UTF-8 %q", s)
		}
		if s := Excerpt(src, 50); !utf8.ValidString(s) || utf8.RuneCountInString(s) > 50 {
			t.Fatalf("Excerpt: %q", s)
		}
	})
}

// allowedTags are the elements Render's output may contain.
var allowedTags = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"a": true, "img": true, "em": true, "strong": true, "del": true, "code": true, "pre": true,
	"ul": true, "ol": true, "li": true, "blockquote": true, "br": true, "hr": true, "input": true,
	"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "span": true,
}

// checkSafe fails the test unless out is valid UTF-8, within
// MaxOutputBytes, and free of anything executable: no elements beyond
// allowedTags, no event handler or style attributes, no javascript:,
// vbscript: or data: URLs, images only from http(s) or the site's own, and
// rel="nofollow noopener" on every link.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Render(%q): invalid UTF-8 in %q", in, out)
	}
	if len(out) > MaxOutputBytes {
		t.Fatalf("Render(%q): %d bytes of output", in, len(out))
	}
	lower := strings.ToLower(out)
	for _, bad := range []string{"<script", "<style", "<iframe", "<svg", "<object", "<embed", "<!--"} {
		if strings.Contains(lower, bad) {
			t.Fatalf("Render(%q) contains %s: %q", in, bad, out)
		}
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("Render(%q): %v", in, z.Err())
			}
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if !allowedTags[tok.Data] {
				t.Fatalf("Render(%q): element <%s> in %q", in, tok.Data, out)
			}
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Key] = a.Val
				if strings.HasPrefix(a.Key, "on") || a.Key == "style" {
					t.Fatalf("Render(%q): attribute %s in %q", in, a.Key, out)
				}
				if a.Key == "href" || a.Key == "src" {
					v := strings.ToLower(strings.Map(func(r rune) rune {
						if r <= ' ' {
							return -1 // browsers ignore these in URLs
						}
						return r
					}, a.Val))
					for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
						if strings.HasPrefix(v, scheme) {
							t.Fatalf("Render(%q): %s=%q", in, a.Key, a.Val)
						}
					}
					if a.Key == "src" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") && !siteImage.MatchString(a.Val) {
						t.Fatalf("Render(%q): src=%q", in, a.Val)
					}
				}
			}
			if tok.Data == "a" && attrs["rel"] != linkRel {
				t.Fatalf("Render(%q): link without rel=%q: %q", in, linkRel, out)
			}
			if tok.Data == "span" && !highlightClassPattern.MatchString(attrs["class"]) &&
				!strings.HasPrefix(attrs["class"], "math math-") || tok.Data == "pre" && attrs["class"] != "" && attrs["class"] != "chroma" {
				t.Fatalf("Render(%q): %s class=%q", in, tok.Data, attrs["class"])
			}
			if tok.Data == "input" && (attrs["type"] != "checkbox" || len(attrs) > 3) {
				t.Fatalf("Render(%q): input %v", in, attrs)
			}
		}
	}
}

func TestHeadingIDs(t *testing.T) {
	ids := newHeadingIDs()
	for _, tt := range []struct{ in, want string }{
		{"如何准备 system design 面试", "如何准备-system-design-面试"},
		{"如何准备 system design 面试", "如何准备-system-design-面试-1"},
		{"  Hello, World!  ", "hello-world"},
		{"my_var and my-var", "my_var-and-my-var"},
		{"ÉCOLE Straße", "école-straße"},
		{"हिन्दी", "हिन्दी"}, // combining vowel signs are kept
		{"!!!", "heading"},
		{"!!!", "heading-1"},
		{"a", "a"},
		{"a-1", "a-1"},
		{"a", "a-2"},
		{strings.Repeat("长", 100), strings.Repeat("长", maxHeadingIDRunes)},
	} {
		want := HeadingIDPrefix + tt.want
		if got := string(ids.Generate([]byte(tt.in), ast.KindHeading)); got != want {
			t.Errorf("Generate(%q) = %q, want %q", tt.in, got, want)
		}
		if !headingIDPattern.MatchString(want) {
			t.Errorf("%q does not match the sanitiser's id pattern", want)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Chinese",
			"## 如何准备 system design 面试\n\n本文介绍**如何**准备。\n第二行继续。\n\n- 第一点\n- 第二点\n\n" +
				"| 名称 | 说明 |\n|---|---|\n| Go | 语言 |\n\n```go\nfmt.Println(\"你好\")\n```\n",
			`如何准备 system design 面试 本文介绍如何准备。第二行继续。 第一点 第二点 名称 说明 Go 语言 fmt.Println("你好")`},
		{"English",
			"# Title\n\nSome *emphasis*, a [link](http://example.com) and `code`.\nNext line.\n\n> quoted\n\n" +
				"![alt text](http://x/y.png) &amp; \\*stars\\* <b>raw</b>",
			"Title Some emphasis, a link and code. Next line. quoted alt text & *stars* raw"},
		{"Whitespace", "Hello,\n\n\n   world   \t again  ", "Hello, world again"},
		{"LineBreaks", "中文，\n第二行。\n第三行\nEnglish\nwords", "中文， 第二行。第三行 English words"},
		{"Autolinks", "- [x] done www.example.com a@b.c", "done www.example.com a@b.c"},
		{"RawHTML", "<div>\nblock\n</div>\n\n<script>x</script>", ""},
		{"Empty", "", ""},
		{"LongChinese", strings.Repeat("长", 30000), strings.Repeat("长", MaxSourceBytes/3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q)\n got: %q\nwant: %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	const chinese = "## 如何准备 system design 面试\n\n本文介绍**如何**准备。"
	const english = "# Title\n\nSome *emphasis*, a [link](http://example.com) and `code`."
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"ChineseWhole", chinese, 100, "如何准备 system design 面试 本文介绍如何准备。"},
		{"ChineseCut", chinese, 5, "如何准备…"},
		{"ChineseCutAtWord", chinese, 12, "如何准备 system…"},
		{"ChineseCutInChinese", chinese, 26, "如何准备 system design 面试 本文介…"},
		{"EnglishWhole", english, 100, "Title Some emphasis, a link and code."},
		{"EnglishCutAtWord", english, 30, "Title Some emphasis, a link…"},
		{"EnglishExact", english, 37, "Title Some emphasis, a link and code."},
		{"EnglishOneShort", english, 36, "Title Some emphasis, a link and…"},
		{"One", english, 1, "…"},
		{"Zero", english, 0, ""},
		{"Huge", english, 1 << 62, "Title Some emphasis, a link and code."},
		{"LongSource", strings.Repeat("word ", 100000), 20, "word word word word…"},
		{"LongChinese", strings.Repeat("长", 100000), 5, "长长长长…"},
		{"LongChineseCutAt", strings.Repeat("长", 100000), 1000, strings.Repeat("长", 999) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Excerpt(tt.in, tt.n)
			if got != tt.want {
				t.Errorf("Excerpt(%q, %d) = %q, want %q", tt.in[:min(len(tt.in), 40)], tt.n, got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > tt.n {
				t.Errorf("Excerpt: %d runes, more than %d", n, tt.n)
			}
		})
	}
}

// BenchmarkRender_Hostile reports the time per hostile input; the worst of
// these is the cost an attacker can force per request.
func BenchmarkRender_Hostile(b *testing.B) {
	for _, in := range hostileInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.src)))
			for b.Loop() {
				_, _ = Render(in.src)
			}
		})
	}
}

// BenchmarkPlainText_Hostile is BenchmarkRender_Hostile for PlainText.
func BenchmarkPlainText_Hostile(b *testing.B) {
	for _, in := range hostileInputs() {
		b.Run(in.name, func(b *testing.B) {
			for b.Loop() {
				_ = PlainText(in.src)
			}
		})
	}
}

// BenchmarkRender_Answer is a typical answer of about 4 KB.
func BenchmarkRender_Answer(b *testing.B) {
	src := strings.Repeat("## 如何准备 system design 面试\n\n本文介绍**如何**准备，见 [文档](https://example.com/doc)。\n"+
		"Some *emphasis* and `code`.\n\n- 第一点\n- 第二点\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```go\nfmt.Println(\"x\")\n```\n\n", 16)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Render(src); err != nil {
			b.Fatal(err)
		}
	}
}

// hostileInput is one entry of the hostile corpus shared by the tests, the
// benchmark and the fuzz seeds.
type hostileInput struct {
	name string
	src  string
}

// fill repeats pattern to exactly n bytes.
func fill(pattern string, n int) string {
	return strings.Repeat(pattern, n/len(pattern)+1)[:n]
}

// deepByIndentation builds list nesting line by line, with tabs for
// indentation (4 columns per byte), 16 new markers per line.
func deepByIndentation(lines int) string {
	var b strings.Builder
	depth := 0
	for range lines {
		b.WriteString(strings.Repeat("\t", depth/2))
		b.WriteString(strings.Repeat("- ", 16))
		b.WriteString("x\n")
		depth += 16
	}
	return b.String()
}

func hostileInputs() []hostileInput {
	const full = MaxSourceBytes
	table := func(cols, rows int, cell string) string {
		var b strings.Builder
		b.WriteString(strings.Repeat("|h", cols) + "|\n")
		b.WriteString(strings.Repeat("|-", cols) + "|\n")
		for range rows {
			b.WriteString(cell + "\n")
		}
		return b.String()
	}
	var ticks strings.Builder
	for i := 1; ticks.Len() < full-200; i++ {
		ticks.WriteString(strings.Repeat("`", i) + "a")
	}
	return []hostileInput{
		{"list-50000", strings.Repeat("- ", 50000) + "x"},
		{"list-40000", strings.Repeat("- ", 40000) + "x"},
		{"list-20000", strings.Repeat("- ", 20000) + "x"},
		{"ordered-20000", strings.Repeat("1. ", 20000) + "x"},
		{"quote-20000", strings.Repeat("> ", 20000) + "x"},
		{"quote-nospace", strings.Repeat(">", full)},
		{"list-quote-mix", strings.Repeat("- > ", 10000) + "x"},
		{"list-lines", fill("- a\n  ", full)},
		{"deep-16-blank-lines", strings.Repeat("- ", 16) + "x\n" + strings.Repeat("\n", full-40)},
		{"deep-by-indentation", deepByIndentation(40)},
		{"deep-by-indentation-blank-lines", deepByIndentation(20) + strings.Repeat("\n", full-4000)},
		{"lazy-quote-lines", strings.Repeat(">", 16) + " a\n" + fill("b\n", full-20)},
		{"stars-20000", strings.Repeat("*", 20000)},
		{"stars-nested", strings.Repeat("*", 20000) + "a" + strings.Repeat("*", 20000)},
		{"stars-unmatched", fill("*a_", full)},
		{"stars-unmatched-lines", fill("*a_\n", full)},
		{"underscores", fill("_a", full)},
		{"strike", fill("~~a", full)},
		{"brackets-20000", strings.Repeat("[", 20000)},
		{"brackets-nested", strings.Repeat("[", 20000) + "a" + strings.Repeat("]", 20000)},
		{"brackets-links", strings.Repeat("[", 10000) + "a" + strings.Repeat("](b)", 10000)},
		{"images-20000", strings.Repeat("![", 20000)},
		{"link-open", fill("[a](", full)},
		{"link-open-lines", fill("[a](\n", full)},
		{"link-open-angle", fill("[a](<", full)},
		{"link-title-lines", fill("[a](b '\n", full)},
		{"shortcut-lines", fill("[a]\n", full)},
		{"reference-definitions", fill("[a]: b\n", full)},
		{"reference-amplification", "[a]: http://example.com/" + strings.Repeat("x", 4000) + "\n\n" + fill("[a]\n\n", full-5000)},
		{"backticks-20000", strings.Repeat("`", 20000) + "a"},
		{"backtick-runs", ticks.String()},
		{"table-1000-columns", table(1000, 8, strings.Repeat("|x", 1000))},
		{"table-3x2000", table(3, 2000, "|a|b|c|")},
		{"table-64-columns-one-char-rows", table(64, 30000, "x")},
		{"table-escaped-pipes", table(2, 6000, "|`\\|`|`\\|`|")},
		{"lt-soup", fill("<", full)},
		{"amp-soup", fill("&", full)},
		{"lt-amp-soup", fill("<&a;&#x<a <!-- <![CDATA[ <? ", full)},
		{"html-open", fill("<a b='\n", full)},
		{"autolink-open", fill("<http://a", full)},
		{"entities", fill("&#12345;&amp;&lt;", full)},
		{"long-line", fill("a", full)},
		{"long-words", fill("a ", full)},
		{"long-chinese", fill("中文", full-2)},
		{"www", fill("www.a", full)},
		{"urls", fill("http://a.b/( ", full)},
		{"emails", fill("a@b.c ", full)},
		{"headings", fill("# a\n", full)},
		{"setext", fill("a\n-\n", full)},
		{"task-lists", fill("- [ ] a\n", full)},
		{"escapes", fill("\\", full)},
		{"nul-and-invalid-utf8", fill("a\x00\xff\xfe*", full)},
	}
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// Finding (security review): a member's Markdown heading id could clobber
// an element id of the expert's page ("## current_password" made
// id="current_password"). Every id the Markdown makes is prefixed, raw HTML
// ids without the prefix are dropped, and links to the document's own
// headings follow the prefix.
func TestSecurity_HeadingIDsCannotClobberPage(t *testing.T) {
	pageIDs := []string{"main", "current_password", "q", "preview", "answer", "login", "decline", "title", "body"}
	for _, id := range pageIDs {
		out, err := Render("## " + id + "\n\n<h2 id=\"" + id + "\">raw</h2>\n\n[back](#" + id + ")")
		if err != nil {
			t.Fatal(err)
		}
		html := string(out)
		if strings.Contains(html, `id="`+id+`"`) || !strings.Contains(html, `id="md-`+id+`"`) || !strings.Contains(html, `href="#md-`+id+`"`) {
			t.Errorf("heading %q: %s", id, html)
		}
	}
}

// codeAnswer is a code-heavy answer of about n bytes: prose in Chinese and
// English between fenced blocks of Go, Python, SQL and shell.
func codeAnswer(n int) string {
	blocks := []string{
		"```go\n// 计算质押收益 compute rewards\nfunc Reward(stake, rate float64, epochs int) float64 {\n\tr := stake\n\tfor i := 0; i < epochs; i++ {\n\t\tr *= 1 + rate/73\n\t}\n\treturn r - stake\n}\n\nfunc main() {\n\tfmt.Printf(\"%.2f ADA\\n\", Reward(1000, 0.05, 73))\n}\n```\n",
		"```python\ndef reward(stake: float, rate: float, epochs: int) -> float:\n    \"\"\"质押收益\"\"\"\n    r = stake\n    for _ in range(epochs):\n        r *= 1 + rate / 73\n    return r - stake\n\nprint(f\"{reward(1000, 0.05, 73):.2f} ADA\")\n```\n",
		"```sql\nSELECT a.id, q.title, COUNT(*) AS reads\nFROM answers a JOIN questions q ON q.id = a.question_id\nWHERE a.published = TRUE AND a.updated_at > NOW() - INTERVAL '30 days'\nGROUP BY a.id, q.title\nORDER BY reads DESC\nLIMIT 10;\n```\n",
		"```bash\nset -euo pipefail\nfor f in *.log; do\n  grep -c 'epoch' \"$f\" || true\ndone\ncardano-cli query stake-address-info --address \"$ADDR\" --mainnet\n```\n",
	}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString("## 第 " + string(rune('1'+i%9)) + " 步 Step\n\n下面的代码计算收益。The code below computes the reward.\n\n")
		b.WriteString(blocks[i%len(blocks)])
		b.WriteString("\n")
	}
	return b.String()
}

// BenchmarkRender_Code is a code-heavy answer (16 KB, a typical long one)
// and a body of 64 KB that is nearly all code (near MaxSourceBytes): the
// cost of highlighting code blocks on publish and on the editor's preview.
func BenchmarkRender_Code(b *testing.B) {
	for _, n := range []int{16 << 10, 64 << 10} {
		src := codeAnswer(n)
		b.Run(strconv.Itoa(n>>10)+"KB", func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := Render(src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
