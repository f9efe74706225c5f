package markdown

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// Excerpt returns up to n runes of plain text (no markup; whitespace
// collapsed; ends with "…" when cut) from the Markdown source, used for
// teasers and for search. A table is left out and stands as TableMark;
// list items are kept apart by " · ", so neither runs into the text. Never fails; bounded cost: only a prefix of the
// source proportional to n is parsed.
func Excerpt(src string, n int) string {
	if n <= 0 {
		return ""
	}
	// 16 bytes of Markdown per rune of text is generous even for CJK text
	// with links; the rest of the source is never read.
	limit := MaxSourceBytes
	if n < (MaxSourceBytes-1024)/16 {
		limit = 16*n + 1024
	}
	prefix, cut := sourcePrefix(src, limit)
	source := normalize(prefix)
	doc, _ := parse(source)
	w := plainWriter{limit: n, teaser: true}
	w.walk(doc, source)
	if !cut && w.runes <= n {
		return w.b.String()
	}
	return shorten(w.b.String(), n)
}

// TableMark stands for a table left out of an excerpt.
const TableMark = "(table)"

// PlainText returns the whole readable text of the Markdown (headings,
// paragraphs, list items, table cells, code, link texts and image
// descriptions), whitespace collapsed, for indexing. Raw HTML is left out,
// as Render leaves it out. Never fails; at most MaxSourceBytes of the source
// are read.
func PlainText(src string) string {
	prefix, _ := sourcePrefix(src, MaxSourceBytes)
	source := normalize(prefix)
	doc, _ := parse(source)
	w := plainWriter{limit: -1}
	w.walk(doc, source)
	return w.b.String()
}

// sourcePrefix returns src cut to at most max bytes, at the last line end
// when there is one, and whether it was cut.
func sourcePrefix(src string, max int) (string, bool) {
	if len(src) <= max {
		return src, false
	}
	src = src[:max]
	if i := strings.LastIndexByte(src, '\n'); i > 0 {
		return src[:i+1], true
	}
	last := len(src) - 1 // start of the last, possibly cut, rune
	for last > 0 && !utf8.RuneStart(src[last]) {
		last--
	}
	if !utf8.FullRuneInString(src[last:]) {
		src = src[:last]
	}
	return src, true
}

// shorten cuts s (whitespace already collapsed) to at most n runes ending in
// "…", at a space when that does not lose more than half the text, so that
// words of space-separated scripts are not cut in the middle.
func shorten(s string, n int) string {
	runes := []rune(s)
	if n <= 1 {
		return "…"
	}
	keep := runes[:min(n-1, len(runes))]
	if len(keep) < len(runes) && inWord(keep[len(keep)-1]) && inWord(runes[len(keep)]) {
		for i := len(keep) - 1; i >= len(keep)/2; i-- {
			if keep[i] == ' ' {
				keep = keep[:i]
				break
			}
		}
	}
	return strings.TrimRight(string(keep), " ") + "…"
}

// inWord reports whether r belongs to a word of a script that separates
// words with spaces (Chinese and Japanese do not).
func inWord(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !util.IsEastAsianWideRune(r)
}

// plainWriter collects text with whitespace collapsed to single spaces.
type plainWriter struct {
	b     strings.Builder
	runes int
	limit int // stop once more than limit runes are written; -1: no limit

	// teaser: a table becomes TableMark and list items are kept apart
	// (Excerpt); PlainText keeps every cell, for the index.
	teaser bool

	space bool // whitespace seen since the last rune written
	soft  bool // a soft line break seen since the last rune written
	last  rune
}

func (w *plainWriter) full() bool {
	return w.limit >= 0 && w.runes > w.limit
}

func (w *plainWriter) write(s []byte) {
	for len(s) > 0 && !w.full() {
		r, size := utf8.DecodeRune(s)
		s = s[size:]
		if unicode.IsSpace(r) {
			w.space = true
			continue
		}
		if w.runes > 0 {
			// Like goldmark's CJK extension: a line break between two
			// East Asian wide characters is not a space.
			if w.space || (w.soft && !(util.IsEastAsianWideRune(w.last) && util.IsEastAsianWideRune(r))) {
				w.b.WriteByte(' ')
				w.runes++
			}
		}
		w.space, w.soft = false, false
		w.b.WriteRune(r)
		w.runes++
		w.last = r
	}
}

func (w *plainWriter) walk(doc ast.Node, source []byte) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if w.full() {
			return ast.WalkStop, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			if entering {
				v := n.Segment.Value(source)
				if !n.IsRaw() {
					v = unescape(v)
				}
				w.write(v)
				return ast.WalkContinue, nil
			}
			if n.HardLineBreak() {
				w.space = true
			} else if n.SoftLineBreak() {
				w.soft = true
			}
			return ast.WalkContinue, nil
		case *ast.String:
			if entering {
				w.write(n.Value)
			}
			return ast.WalkContinue, nil
		case *ast.AutoLink:
			if entering {
				w.write(n.Label(source))
			}
			return ast.WalkSkipChildren, nil
		case *Math:
			if entering {
				w.write(mathText(n))
			}
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML, *ast.HTMLBlock, *east.TaskCheckBox:
			return ast.WalkSkipChildren, nil
		case *east.Table:
			if w.teaser {
				if entering {
					w.space = true
					w.write([]byte(TableMark))
					w.space = true
				}
				return ast.WalkSkipChildren, nil
			}
		case *ast.ListItem:
			if w.teaser && entering && n.PreviousSibling() != nil {
				w.space = true
				w.write([]byte("·"))
				w.space = true
				return ast.WalkContinue, nil
			}
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			if entering {
				w.space = true
				lines := n.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					w.write(seg.Value(source))
				}
				w.space = true
			}
			return ast.WalkSkipChildren, nil
		}
		if n.Type() == ast.TypeBlock {
			w.space = true // blocks (and table cells) are separated by a space
		}
		return ast.WalkContinue, nil
	})
}

// unescape resolves backslash escapes and entity references of Markdown
// text, as goldmark's HTML writer does.
func unescape(v []byte) []byte {
	if !strings.ContainsAny(string(v), `\&`) {
		return v
	}
	out := make([]byte, 0, len(v))
	start := 0
	flush := func(end int) {
		if start < end {
			out = append(out, util.ResolveEntityNames(util.ResolveNumericReferences(v[start:end]))...)
		}
	}
	for i := 0; i < len(v)-1; i++ {
		if v[i] != '\\' {
			continue
		}
		switch c := v[i+1]; {
		case util.IsPunct(c):
			flush(i)
			out = append(out, c)
		case c == ' ': // the CJK extension's escaped space renders as nothing
			flush(i)
		default:
			continue
		}
		i++
		start = i + 1
	}
	flush(len(v))
	return out
}
