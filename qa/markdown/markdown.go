// Package markdown renders members' and the expert's Markdown to safe HTML,
// once, when an answer or question is written, and extracts its plain text
// for teasers and the search index.
//
// Rendering is goldmark (CommonMark with GitHub's tables, strikethrough, task
// lists and autolinks, and the CJK extension, code blocks highlighted by
// chroma with classes: highlight.go) followed by bluemonday. Raw
// HTML in the source is never passed through. goldmark has no limits of its
// own, so the guards in limits.go bound what it does with hostile input.
package markdown

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// linkRel is set on every link. bluemonday can add "nofollow" by itself but
// adds "noopener" only together with target="_blank", which we do not want.
const linkRel = "nofollow noopener"

var (
	md     = newMarkdown()
	policy = newPolicy()
)

func newMarkdown() goldmark.Markdown {
	// The default parser, with the container parsers and the link reference
	// transformer wrapped by their guards, and the inline guard in front.
	p := parser.NewParser(
		parser.WithBlockParsers(
			util.Prioritized(parser.NewSetextHeadingParser(), 100),
			util.Prioritized(parser.NewThematicBreakParser(), 200),
			util.Prioritized(containerGuard{parser.NewListParser(), ast.KindList}, 300),
			util.Prioritized(containerGuard{parser.NewListItemParser(), ast.KindListItem}, 400),
			util.Prioritized(parser.NewCodeBlockParser(), 500),
			util.Prioritized(parser.NewATXHeadingParser(), 600),
			util.Prioritized(parser.NewFencedCodeBlockParser(), 700),
			util.Prioritized(containerGuard{parser.NewBlockquoteParser(), ast.KindBlockquote}, 800),
			util.Prioritized(parser.NewHTMLBlockParser(), 900),
			util.Prioritized(parser.NewParagraphParser(), 1000),
		),
		parser.WithInlineParsers(
			append(parser.DefaultInlineParsers(), util.Prioritized(inlineGuard{}, -1000), util.Prioritized(mathParser{}, 150))...,
		),
		parser.WithParagraphTransformers(
			util.Prioritized(referenceGuard{parser.LinkReferenceParagraphTransformer}, 100),
		),
		parser.WithAutoHeadingID(),
		parser.WithASTTransformers(util.Prioritized(fragmentLinks{}, 100)),
	)
	m := goldmark.New(
		goldmark.WithParser(p),
		goldmark.WithExtensions(
			extension.NewLinkify(extension.WithLinkifyAllowedProtocols([]string{"http:", "https:"})),
			extension.Strikethrough,
			extension.TaskList,
			extension.CJK,
		),
	)
	// extension.Table, with its paragraph transformer wrapped by the guard
	// and the align attribute instead of style="text-align:…" (styles are
	// never allowed through the sanitiser).
	m.Parser().AddOptions(
		parser.WithParagraphTransformers(
			util.Prioritized(tableGuard{extension.NewTableParagraphTransformer()}, 200),
		),
		parser.WithASTTransformers(
			util.Prioritized(extension.NewTableASTTransformer(), 0),
		),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(extension.NewTableHTMLRenderer(
			extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute),
		), 500),
		util.Prioritized(mathRenderer{}, 500),
		util.Prioritized(highlightRenderer{}, 500),
	))
	return m
}

func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy() // http, https, mailto and relative URLs; rel="nofollow"
	p.AllowAttrs("id").Matching(headingIDPattern).OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+#.-]+$`)).OnElements("code")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + linkRel + `$`)).OnElements("a")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^$`)).OnElements("input")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^math math-(inline|display)$`)).OnElements("span")
	// Highlighted code (highlight.go): exactly chroma's token classes on
	// spans, and "chroma" on the block.
	p.AllowAttrs("class").Matching(highlightClassPattern).OnElements("span")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^chroma$`)).OnElements("pre")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	return p
}

// Render converts Markdown source to sanitised HTML. Returns an error
// wrapping ErrTooComplex when the input exceeds the limits (MaxSourceBytes,
// MaxNesting, MaxTableColumns, MaxTableCells, MaxOutputBytes, and work
// budgets for emphasis markers, links and long nested lists); its message
// says which, in words fit to show the author.
func Render(src string) (string, error) {
	if len(src) > MaxSourceBytes {
		return "", errTooLong
	}
	source := normalize(src)
	doc, b := parse(source)
	if b.err != nil {
		return "", b.err
	}
	if secureLinks(doc, source) > MaxOutputBytes {
		// Reference links repeat their definition's URL and title at
		// every use: 3 bytes of "[a]" can render as kilobytes. Fail before
		// goldmark spends time writing what would be thrown away.
		return "", errOutput
	}

	highlight(doc, source)

	out := limitedBuffer{limit: MaxOutputBytes}
	if err := md.Renderer().Render(&out, source, doc); err != nil || out.overflow {
		return "", errOutput
	}
	html := policy.SanitizeBytes(out.buf)
	if len(html) > MaxOutputBytes {
		return "", errOutput
	}
	return string(html), nil
}

// normalize makes the source valid UTF-8 without NUL bytes (CommonMark
// replaces U+0000 with U+FFFD), so that the output is valid UTF-8 too.
func normalize(src string) []byte {
	if !utf8.ValidString(src) {
		src = strings.ToValidUTF8(src, "\uFFFD")
	}
	if strings.IndexByte(src, 0) >= 0 {
		src = strings.ReplaceAll(src, "\x00", "\uFFFD")
	}
	return []byte(src)
}

// parse parses source with a fresh context, returning the document and the
// guards' budget (b.err is set when a limit was passed; the document is
// then still complete but some of it is literal text).
func parse(source []byte) (ast.Node, *budget) {
	b := &budget{}
	pc := parser.NewContext(parser.WithIDs(newHeadingIDs()))
	pc.Set(budgetKey, b)
	doc := md.Parser().Parse(text.NewReader(source), parser.WithContext(pc))
	return doc, b
}

// secureLinks sets rel on every link, turns links whose URL has a scheme
// other than http, https or mailto into their text, and images whose source
// is not an absolute http or https URL (or an image of the site's own,
// siteImage) into their description. bluemonday
// would drop such URLs anyway, but would leave an empty <a> or <img>.
// It returns the bytes of the URLs and titles of the links and images
// kept, a lower bound of the size of the HTML.
func secureLinks(doc ast.Node, source []byte) int {
	var unwrap []ast.Node
	size := 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if scheme, ok := urlScheme(n.Destination); ok && scheme != "http" && scheme != "https" && scheme != "mailto" {
				unwrap = append(unwrap, n)
			} else {
				n.SetAttributeString("rel", []byte(linkRel))
				size += len(n.Destination) + len(n.Title)
			}
		case *ast.AutoLink:
			// Linkify makes only http, https and mailto links; <scheme:...>
			// makes any scheme. mailto: is added by the renderer for emails.
			if scheme, ok := urlScheme(n.URL(source)); n.AutoLinkType == ast.AutoLinkURL && ok &&
				scheme != "http" && scheme != "https" && scheme != "mailto" {
				unwrap = append(unwrap, n)
			} else {
				n.SetAttributeString("rel", []byte(linkRel))
			}
		case *ast.Image:
			if siteImage.Match(n.Destination) {
				size += len(n.Destination) + len(n.Title)
			} else if scheme, ok := urlScheme(n.Destination); !ok || (scheme != "http" && scheme != "https") {
				unwrap = append(unwrap, n)
			} else {
				size += len(n.Destination) + len(n.Title)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unwrap {
		parent := n.Parent()
		if a, ok := n.(*ast.AutoLink); ok {
			parent.InsertBefore(parent, n, ast.NewString(a.Label(source)))
		}
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
	return size
}

// siteImage is the one relative image source kept: an image uploaded to
// the site, named by its content hash (qa.Image.URL).
var siteImage = regexp.MustCompile(`^/images/[0-9a-f]{64}\.(?:png|jpg|gif|webp)$`)

// urlScheme returns the lower-cased scheme of a link destination as
// goldmark will write it (entities resolved, then percent-encoded, so that
// "&#106;avascript:" is seen as "javascript:" and "java\tscript:" as a
// scheme of its own), or false when it is relative. Only the first 256
// bytes are looked at: a longer scheme is reported as relative and left to
// bluemonday, which drops it.
func urlScheme(dest []byte) (string, bool) {
	dest = bytes.TrimSpace(dest)
	u := util.URLEscape(dest[:min(len(dest), 256)], true)
	i := bytes.IndexAny(u, ":/?#")
	if i <= 0 || u[i] != ':' {
		return "", false
	}
	return strings.ToLower(string(u[:i])), true
}

// HeadingIDPrefix starts every id the Markdown of an answer or a question
// may carry: a member's heading "## login" becomes id="md-login", so it can
// never take the id of an element of the page around it (the expert's
// forms, the site's own anchors). The site's templates use no id with this
// prefix.
const HeadingIDPrefix = "md-"

// headingIDPattern matches what headingIDs generates; the sanitiser drops
// any other id (raw HTML headings included).
var headingIDPattern = regexp.MustCompile(`^` + HeadingIDPrefix + `[\p{L}\p{M}\p{Nd}_-]+$`)

// maxHeadingIDRunes keeps ids (and so URLs with #fragments) short when a
// heading is long.
const maxHeadingIDRunes = 64

// headingIDs is goldmark's parser.IDs for one document. goldmark's own
// generator keeps only ASCII and turns "## 你好" into id="heading"; this one
// keeps letters, marks and digits of every script, lower-cases, turns spaces
// and '-' into '-', keeps '_', drops other punctuation, and de-duplicates as
// foo, foo-1, foo-2.
type headingIDs struct {
	used map[string]bool
	next map[string]int // last suffix tried per base id, so duplicates stay linear
}

func newHeadingIDs() *headingIDs {
	return &headingIDs{used: map[string]bool{}, next: map[string]int{}}
}

// Generate implements parser.IDs.
func (s *headingIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	var b strings.Builder
	runes := 0
	for _, r := range string(bytes.TrimSpace(value)) {
		if runes == maxHeadingIDRunes {
			break
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			r = unicode.ToLower(r)
		case r == ' ' || r == '\t' || r == '-':
			r = '-'
		case r == '_':
		default:
			continue
		}
		b.WriteRune(r)
		runes++
	}
	base := b.String()
	if base == "" {
		base = "id"
		if kind == ast.KindHeading {
			base = "heading"
		}
	}
	id := base
	for i := s.next[base]; s.used[id]; {
		i++
		id = base + "-" + strconv.Itoa(i)
		s.next[base] = i
	}
	s.used[id] = true
	return []byte(HeadingIDPrefix + id)
}

// Put implements parser.IDs.
func (s *headingIDs) Put(value []byte) {
	s.used[strings.TrimPrefix(string(value), HeadingIDPrefix)] = true
}

// fragmentLinks points a document's links to its own headings ("#intro")
// at the prefixed ids ("#md-intro"), so they keep working.
type fragmentLinks struct{}

// Transform implements parser.ASTTransformer.
func (fragmentLinks) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering && len(l.Destination) > 1 && l.Destination[0] == '#' &&
			!bytes.HasPrefix(l.Destination[1:], []byte(HeadingIDPrefix)) {
			l.Destination = append([]byte("#"+HeadingIDPrefix), l.Destination[1:]...)
		}
		return ast.WalkContinue, nil
	})
}
