package web_test

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"

	"answerbook/qa/markdown"
)

// The code-highlighting block of web/static/style.css is generated from
// chroma's "github" style (light) and "github-dark" style (dark, under
// prefers-color-scheme), for exactly the classes qa/markdown writes
// (markdown.HighlightClasses). TestStyle_CodeHighlighting fails when the
// block is not what chroma gives; ANSWERBOOK_UPDATE_STYLE=1 rewrites it.
const (
	highlightCSSStart = "/* Code highlighting: generated from chroma's github and github-dark styles by TestStyle_CodeHighlighting (web/style_test.go); do not edit. */\n"
	highlightCSSEnd   = "/* End of code highlighting. */\n"
)

func TestStyle_CodeHighlighting(t *testing.T) {
	const file = "static/style.css"
	css, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := highlightCSSStart + highlightCSS(t) + highlightCSSEnd
	i := bytes.Index(css, []byte(highlightCSSStart))
	j := bytes.Index(css, []byte(highlightCSSEnd))
	var got string
	if i >= 0 && j > i {
		got = string(css[i : j+len(highlightCSSEnd)])
	}
	if got == want {
		return
	}
	if os.Getenv("ANSWERBOOK_UPDATE_STYLE") == "" {
		t.Fatalf("the code-highlighting block of %s is not chroma's; run with ANSWERBOOK_UPDATE_STYLE=1 to write it:\n%s", file, want)
	}
	var out []byte
	if i >= 0 && j > i {
		out = append(append(append(out, css[:i]...), want...), css[j+len(highlightCSSEnd):]...)
	} else {
		out = append(append(append(out, css...), '\n'), want...)
	}
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote the code-highlighting block of %s", file)
}

// cssRule is one line of chroma's stylesheet: "/* Keyword */ .chroma .k { color: #cf222e }".
var cssRule = regexp.MustCompile(`(?m)^/\* \w+ \*/ \.chroma \.([a-z0-9]+) \{ *(.*?);? *\}$`)

// styleRules returns a chroma style's declarations by class, for the
// classes qa/markdown writes, in compact form ("color:#cf222e").
func styleRules(t *testing.T, name string) map[string]map[string]string {
	t.Helper()
	var b bytes.Buffer
	if err := html.New(html.WithClasses(true)).WriteCSS(&b, styles.Get(name)); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, m := range cssRule.FindAllStringSubmatch(b.String(), -1) {
		if !slices.Contains(markdown.HighlightClasses, m[1]) {
			continue
		}
		decl := map[string]string{}
		for _, d := range strings.Split(m[2], ";") {
			if k, v, ok := strings.Cut(d, ":"); ok {
				decl[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		out[m[1]] = decl
	}
	if len(out) < 20 {
		t.Fatalf("style %s colours only %d classes", name, len(out))
	}
	return out
}

// resets undo, in the dark block, a property only the light style sets.
var resets = map[string]string{"color": "inherit", "background-color": "transparent", "font-weight": "inherit", "font-style": "inherit", "text-decoration": "inherit"}

// highlightCSS is the generated block: one rule per distinct declaration,
// listing its classes.
func highlightCSS(t *testing.T) string {
	light, dark := styleRules(t, "github"), styleRules(t, "github-dark")
	for cls, decl := range light {
		if dark[cls] == nil {
			dark[cls] = map[string]string{}
		}
		for k := range decl {
			if _, ok := dark[cls][k]; !ok && resets[k] != "" {
				dark[cls][k] = resets[k]
			}
		}
	}
	group := func(rules map[string]map[string]string, indent string) string {
		byDecl := map[string][]string{}
		for cls, decl := range rules {
			keys := make([]string, 0, len(decl))
			for k := range decl {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = k + ":" + decl[k]
			}
			d := strings.Join(parts, ";")
			byDecl[d] = append(byDecl[d], ".chroma ."+cls)
		}
		decls := make([]string, 0, len(byDecl))
		for d := range byDecl {
			decls = append(decls, d)
		}
		slices.Sort(decls)
		var b strings.Builder
		for _, d := range decls {
			sels := byDecl[d]
			slices.Sort(sels)
			b.WriteString(indent + strings.Join(sels, ",") + "{" + d + "}\n")
		}
		return b.String()
	}
	return group(light, "") + "@media (prefers-color-scheme: dark) {\n" + group(dark, "  ") + "}\n"
}
