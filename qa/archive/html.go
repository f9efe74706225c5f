package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/marker"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// markdownConverter is made once: it is safe for concurrent use.
var markdownConverter = sync.OnceValue(func() *converter.Converter {
	conv := converter.NewConverter(converter.WithPlugins(
		base.NewBasePlugin(),
		commonmark.NewCommonmarkPlugin(),
		strikethrough.NewStrikethroughPlugin(),
		// Stack Exchange tables often have <br> in cells; the default
		// would give up on those and flatten the table into text.
		table.NewTablePlugin(
			table.WithNewlineBehavior(table.NewlineBehaviorPreserve),
			table.WithCellPaddingBehavior(table.CellPaddingBehaviorMinimal),
		),
	))
	conv.Register.RendererFor("blockquote", converter.TagTypeBlock, renderBlockquote, converter.PriorityEarly)
	// The commonmark plugin escapes "[" only when a "]" follows on the same
	// line, looking for it from every "[": quadratic on a long line of
	// "[". Escaping every "[" is always right and linear.
	conv.Register.UnEscaper(func(chars []byte, i int) int {
		if chars[i] == '[' {
			return 1
		}
		return -1
	}, converter.PriorityEarly)
	conv.Register.PreRenderer(unformatBlocks, converter.PriorityEarly)
	return conv
})

// blockTags are elements that cannot sit inside Markdown emphasis.
var blockTags = map[string]bool{
	"p": true, "pre": true, "div": true, "ul": true, "ol": true, "li": true, "blockquote": true,
	"table": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true,
}

// formatTags are the elements that become Markdown emphasis or
// strike-through.
var formatTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "s": true, "del": true, "strike": true,
}

// unformatBlocks turns bold, italic or strike-through elements that
// contain blocks into plain spans. Real posts have "<s>" around a
// paragraph and a code block; the plugins would put the delimiters around
// each line, code fences included, and break the code block. One walk
// over the document, so linear in its size.
func unformatBlocks(_ converter.Context, doc *html.Node) {
	var walk func(n *html.Node) bool // reports whether n is or holds a block
	walk = func(n *html.Node) bool {
		block := false
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				block = true
			}
		}
		if n.Type != html.ElementNode {
			return false
		}
		if block && formatTags[n.Data] {
			n.Data, n.DataAtom = "span", atom.Span
		}
		return block || blockTags[n.Data]
	}
	walk(doc)
}

// renderBlockquote replaces the commonmark plugin's blockquote renderer,
// which leaves the "> " off all but the first line of a code block in a
// quote (html-to-markdown issue #183, open in v2.5.2), so that the code
// block ends the quote early. It does what that renderer does and, like
// the list renderer, also prefixes the lines of code blocks, whose line
// breaks are still markers at this point.
func renderBlockquote(ctx converter.Context, w converter.Writer, n *html.Node) converter.RenderStatus {
	var buf bytes.Buffer
	ctx.RenderChildNodes(ctx, &buf, n)
	content := bytes.TrimSpace(buf.Bytes())
	if len(content) == 0 {
		return converter.RenderSuccess
	}
	content = trimNewlines(content)
	for _, hard := range []string{"  \n\n", "  \n  \n", "  \n \n"} {
		content = bytes.ReplaceAll(content, []byte(hard), []byte("\n\n"))
	}
	prefix := []byte("> ")
	content = bytes.ReplaceAll(content, marker.BytesMarkerCodeBlockNewline, append(bytes.Clone(marker.BytesMarkerCodeBlockNewline), prefix...))
	w.WriteString("\n\n")
	w.Write(prefix)
	w.Write(bytes.ReplaceAll(content, []byte("\n"), []byte("\n> ")))
	w.WriteString("\n\n")
	return converter.RenderSuccess
}

// trimNewlines shortens every run of more than two line breaks to two.
func trimNewlines(s []byte) []byte {
	out := make([]byte, 0, len(s))
	run := 0
	for _, b := range s {
		if b == '\n' {
			run++
			if run > 2 {
				continue
			}
		} else {
			run = 0
		}
		out = append(out, b)
	}
	return out
}

var errConvert = errors.New("the body could not be converted to Markdown")

// htmlToMarkdown converts a post body. Relative links and images are made
// absolute against base. Code blocks become fenced blocks with their
// language when the HTML gives one (class "lang-…" or "language-…").
// Characters Markdown would read as markup are escaped, so text such as
// MathJax "$\alpha_1$" renders back to exactly the text it was.
func htmlToMarkdown(ctx context.Context, html, base string) (md string, err error) {
	defer func() {
		// The converter is third-party code fed with untrusted input: a
		// panic on one post must not end an import.
		if p := recover(); p != nil {
			md, err = "", fmt.Errorf("%w (%v)", errConvert, p)
		}
	}()
	md, err = markdownConverter().ConvertString(html, converter.WithDomain(base), converter.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("%w (%v)", errConvert, err)
	}
	md = strings.TrimSpace(md)
	if !utf8.ValidString(md) {
		return "", errConvert
	}
	return md, nil
}
