package markdown

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// TeX in answers: $…$ inline and $$…$$ displayed, as Stack Exchange and
// most Q&A sites write it. The parser keeps the TeX from Markdown (whose
// escapes and emphasis would mangle "\\" and "_"), and the renderer writes
// it as text in <span class="math math-inline|math-display">; the pages
// typeset it with a KaTeX bundle served by the site itself (web/static),
// so no CDN and no change of the Content-Security-Policy. Without script
// (feeds, e-mail, a reader's setting) the TeX reads as written. No Go
// library typesets TeX to MathML (none resolves here), hence our own
// parser: it is the small part, the typesetting is KaTeX's.

// MaxMathBytes bounds one formula's TeX; a longer $…$ is left as text.
const MaxMathBytes = 4096

// KindMath is the node kind of a formula.
var KindMath = ast.NewNodeKind("Math")

// Math is a formula: its TeX source, inline or displayed.
type Math struct {
	ast.BaseInline
	TeX     []byte
	Display bool
}

// Kind implements ast.Node.
func (*Math) Kind() ast.NodeKind { return KindMath }

// Dump implements ast.Node.
func (n *Math) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"TeX": string(n.TeX)}, nil)
}

// mathParser reads $…$ and $$…$$. The rules (as Pandoc's): an inline
// formula opens with a "$" not preceded by a letter or digit and followed
// by a non-space, closes with a "$" preceded by a non-space and not
// followed by a digit, and stays on one line — so "$5 and $10" is money,
// not math. A displayed formula ($$…$$) may span the lines of its
// paragraph. "\$" is a dollar inside or outside a formula.
type mathParser struct{}

func (mathParser) Trigger() []byte { return []byte{'$'} }

func (mathParser) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if len(line) >= 2 && line[1] == '$' {
		return parseDisplayMath(block)
	}
	prev := block.PrecendingCharacter()
	if unicode.IsLetter(prev) || unicode.IsDigit(prev) || len(line) < 3 || isSpace(line[1]) {
		return nil
	}
	for i := 1; i < len(line) && i <= MaxMathBytes; i++ {
		switch line[i] {
		case '\\':
			i++ // an escaped character, "\$" included
		case '\n', '\r':
			return nil
		case '$':
			if isSpace(line[i-1]) || i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '9' {
				continue
			}
			tex := line[1:i]
			block.Advance(i + 1)
			return &Math{TeX: append([]byte(nil), tex...)}
		}
	}
	return nil
}

// parseDisplayMath reads $$…$$, over the lines of the paragraph if need be.
func parseDisplayMath(block text.Reader) ast.Node {
	l, pos := block.Position()
	block.Advance(2)
	var tex []byte
	for {
		line, _ := block.PeekLine()
		if line == nil {
			block.SetPosition(l, pos)
			return nil
		}
		if end := closingDollars(line); end >= 0 {
			tex = append(tex, line[:end]...)
			block.Advance(end + 2)
			if len(bytes.TrimSpace(tex)) == 0 {
				block.SetPosition(l, pos)
				return nil
			}
			return &Math{TeX: bytes.TrimSpace(tex), Display: true}
		}
		tex = append(tex, line...)
		if len(tex) > MaxMathBytes {
			block.SetPosition(l, pos)
			return nil
		}
		block.AdvanceLine()
	}
}

// closingDollars returns where "$$" is in line, skipping escapes; -1 if
// it is not.
func closingDollars(line []byte) int {
	for i := 0; i+1 < len(line); i++ {
		switch {
		case line[i] == '\\':
			i++
		case line[i] == '$' && line[i+1] == '$':
			return i
		}
	}
	return -1
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// mathRenderer writes a formula as escaped text in a span the pages
// typeset.
type mathRenderer struct{}

func (mathRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindMath, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		m := n.(*Math)
		class := "math math-inline"
		if m.Display {
			class = "math math-display"
		}
		_, _ = w.WriteString(`<span class="` + class + `">`)
		_, _ = w.Write(util.EscapeHTML(m.TeX))
		_, _ = w.WriteString(`</span>`)
		return ast.WalkSkipChildren, nil
	})
}

// mathText is a formula as plain text (excerpts, the search index): its
// TeX, which is what a reader would search for.
func mathText(m *Math) []byte {
	if !utf8.Valid(m.TeX) {
		return nil
	}
	return m.TeX
}
