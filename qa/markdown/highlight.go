package markdown

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// Code highlighting: a fenced code block with a language chroma knows
// ("```go") is written as
//
//	<pre class="chroma"><code class="language-go"><span class="kd">func</span> …</code></pre>
//
// with one of chroma's short token classes on each span (HighlightClasses),
// never an inline style: the site's stylesheet colours the classes, and
// the sanitiser lets exactly those classes through. Lexing is regular
// expressions (chroma's, each with its own 250 ms timeout), so what is
// highlighted is bounded: blocks over maxHighlightBlock bytes, code past
// maxHighlightBytes per document, and anything once a document has spent
// highlightBudget, are written plain, as before (still escaped, still with
// their language class).
//
// Lexing costs far more than the rest of Render: measured on this machine,
// chroma lexes Go, Python or SQL at 0.2 to 0.5 MB/s, so 8 KB of code costs
// 15 to 40 ms where goldmark and bluemonday take about 1 ms for a whole
// 16 KB answer (BenchmarkRender_Code). Render runs on every publish and every preview
// (members' questions included), so the bounds keep the worst case near
// highlightBudget while every ordinary block is still highlighted.
const (
	// maxHighlightBlock is the largest code block highlighted.
	maxHighlightBlock = 8 << 10
	// maxHighlightBytes bounds the code highlighted in one document.
	maxHighlightBytes = 24 << 10
	// maxLanguageLen bounds the info string's language looked up.
	maxLanguageLen = 32
)

// highlightBudget is the time one document may spend lexing code; a
// block that passes it is written plain, and so are the rest. (A variable
// so that tests of the size bounds do not depend on this machine's speed.)
var highlightBudget = 30 * time.Millisecond

// HighlightClasses are the classes a highlighted code block's spans may
// carry: chroma's short names of its token types (keywords "k", "kd",
// names "nx", strings "s2", comments "c1" …), sorted. The site's
// stylesheet colours them.
var HighlightClasses = func() []string {
	seen := map[string]bool{}
	for t, cls := range chroma.StandardTypes {
		// Negative types are the formatter's (wrappers, line numbers).
		if t >= 0 && t != chroma.Whitespace && cls != "" {
			seen[cls] = true
		}
	}
	out := make([]string, 0, len(seen))
	for cls := range seen {
		out = append(out, cls)
	}
	slices.Sort(out)
	return out
}()

// highlightClassPattern matches exactly one of HighlightClasses.
var highlightClassPattern = func() *regexp.Regexp {
	quoted := make([]string, len(HighlightClasses))
	for i, c := range HighlightClasses {
		quoted[i] = regexp.QuoteMeta(c)
	}
	return regexp.MustCompile(`^(?:` + strings.Join(quoted, "|") + `)$`)
}()

// kindHighlighted is a fenced code block replaced by its highlighted HTML.
var kindHighlighted = ast.NewNodeKind("Highlighted")

type highlighted struct {
	ast.BaseBlock
	html []byte
}

func (n *highlighted) Kind() ast.NodeKind { return kindHighlighted }

func (n *highlighted) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// highlightRenderer writes highlighted blocks as they are.
type highlightRenderer struct{}

func (highlightRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindHighlighted, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.Write(n.(*highlighted).html)
		}
		return ast.WalkSkipChildren, nil
	})
}

// highlight replaces the fenced code blocks of doc that have a known
// language by their highlighted HTML, within the bounds above.
func highlight(doc ast.Node, source []byte) {
	var blocks []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if b, ok := n.(*ast.FencedCodeBlock); ok && entering && b.Info != nil {
			blocks = append(blocks, b)
		}
		return ast.WalkContinue, nil
	})
	if len(blocks) == 0 {
		return
	}
	deadline := time.Now().Add(highlightBudget)
	total := 0
	for _, b := range blocks {
		lang := string(b.Language(source))
		if lang == "" || len(lang) > maxLanguageLen {
			continue
		}
		var code strings.Builder
		lines := b.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			code.Write(seg.Value(source))
		}
		if code.Len() == 0 || code.Len() > maxHighlightBlock || total+code.Len() > maxHighlightBytes {
			continue
		}
		if time.Now().After(deadline) {
			return
		}
		lexer := lexers.Get(strings.ToLower(lang))
		if lexer == nil {
			continue
		}
		out, ok := highlightCode(lexer, lang, code.String(), deadline)
		if !ok {
			continue
		}
		total += code.Len()
		h := &highlighted{html: out}
		parent := b.Parent()
		parent.ReplaceChild(parent, b, h)
	}
}

// highlightCode lexes code and writes the whole block, or reports false
// when lexing fails, passes the deadline, or does not give back the code.
func highlightCode(lexer chroma.Lexer, lang, code string, deadline time.Time) ([]byte, bool) {
	it, err := lexer.Tokenise(nil, code)
	if err != nil {
		return nil, false
	}
	var b strings.Builder
	b.Grow(len(code) * 3)
	b.WriteString(`<pre class="chroma"><code class="language-`)
	b.WriteString(html.EscapeString(lang))
	b.WriteString(`">`)
	var run strings.Builder // text of consecutive tokens of one class
	runClass := ""
	flush := func() {
		if run.Len() == 0 {
			return
		}
		if runClass != "" {
			b.WriteString(`<span class="` + runClass + `">`)
		}
		b.WriteString(html.EscapeString(run.String()))
		if runClass != "" {
			b.WriteString(`</span>`)
		}
		run.Reset()
	}
	lexed := 0
	for n, t := 0, it(); t != chroma.EOF; n, t = n+1, it() {
		if n%256 == 255 && time.Now().After(deadline) {
			return nil, false
		}
		lexed += len(t.Value)
		if cls := tokenClass(t.Type); cls != runClass {
			flush()
			runClass = cls
		}
		run.WriteString(t.Value)
	}
	flush()
	// Some lexers add a final newline; anything else is a lexer that did
	// not give back the code, which is then written plain.
	if lexed != len(code) && lexed != len(code)+1 {
		return nil, false
	}
	b.WriteString("</code></pre>\n")
	return []byte(b.String()), true
}

// tokenClass is the class of a token type, or of its nearest parent type
// that has one ("" for plain text and white space, which no style
// colours).
func tokenClass(t chroma.TokenType) string {
	if t == chroma.Whitespace {
		return ""
	}
	for ; t > 0; t = t.Parent() {
		if cls, ok := chroma.StandardTypes[t]; ok {
			return cls
		}
	}
	return ""
}
