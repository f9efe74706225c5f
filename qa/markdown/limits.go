package markdown

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Limits on what Render accepts. Markdown from members is hostile input and
// goldmark has no limits of its own: measured with goldmark v1.8.7 on this
// machine, 20,000 nested "- " markers on one line take 1.2 s, 8,000 "[a](" in
// one paragraph take 0.6 s, "*a_\n" repeated to 80 KB takes 1.6 s, a 16-deep
// list followed by 120,000 blank lines takes 0.7 s, and a 60 KB table whose
// header has 64 columns expands to 20 MB of HTML. The guards in this file keep every one of
// those linear, and Render reports them as ErrTooComplex.
const (
	// MaxSourceBytes is the largest Markdown source Render accepts: 20,000
	// characters of any script (at most 4 bytes each) fit.
	MaxSourceBytes = 80 << 10

	// MaxNesting is how deeply block quotes and lists may be nested.
	MaxNesting = 16

	// MaxTableColumns is how many columns a table may have.
	MaxTableColumns = 64

	// MaxTableCells is how many cells all tables of a document may have
	// together. goldmark pads every row to the header's width, so a table
	// with a wide header and many one-character rows is what this bounds.
	MaxTableCells = 20_000

	// MaxOutputBytes is the largest HTML Render returns.
	MaxOutputBytes = 1 << 20
)

// Work budgets for the parts of goldmark whose cost grows faster than the
// input. The units are rough counts of the inner loop's steps; the budgets
// sit far above anything a person writes and keep the worst case in the tens
// of milliseconds.
const (
	// maxContainerWork bounds lines × open containers: goldmark records every
	// open list item or quote on every line, blank lines included.
	maxContainerWork = 100_000

	// maxEmphasisWork bounds the sum over paragraphs of delimiter runs
	// (* _ ~) × the runs before them in the paragraph: goldmark looks back
	// through all earlier runs for an opener for every closer.
	maxEmphasisWork = 10_000_000

	// maxLinkWork bounds the sum over link closings (a "]" after a "[") of
	// the bytes of their paragraph: each closing may scan to the end of its
	// line or paragraph for a destination, title or reference label.
	maxLinkWork = 8_000_000

	// maxEscapedPipeWork bounds, over all tables, escaped pipes (\|) ×
	// backticks: the table extension matches every code span of a cell
	// with an escaped pipe against every escaped pipe of the document.
	maxEscapedPipeWork = 1_000_000

	// maxReferenceWork bounds the sum over paragraphs of candidate link
	// reference definitions × the paragraph's lines: removing each
	// definition copies the lines after it.
	maxReferenceWork = 16_000_000
)

// ErrTooComplex is wrapped by every error Render returns: the Markdown is
// longer, more deeply nested or larger when rendered than the limits allow.
// The wrapping error's message says which limit, in words a member
// understands.
var ErrTooComplex = errors.New("markdown: too complex")

// limitError is a user-facing message that matches ErrTooComplex.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }
func (e *limitError) Unwrap() error { return ErrTooComplex }

func limitErrorf(format string, args ...any) error {
	return &limitError{msg: fmt.Sprintf(format, args...)}
}

var (
	errTooLong       = limitErrorf("markdown: text longer than %d bytes", MaxSourceBytes)
	errNesting       = limitErrorf("markdown: lists and quotes nested deeper than %d levels", MaxNesting)
	errContainerWork = limitErrorf("markdown: nested lists and quotes are too long")
	errTableColumns  = limitErrorf("markdown: table has more than %d columns", MaxTableColumns)
	errTableCells    = limitErrorf("markdown: tables have more than %d cells in total", MaxTableCells)
	errEscapedPipes  = limitErrorf("markdown: tables have too many escaped pipes (\\|) in code")
	errEmphasis      = limitErrorf("markdown: too many emphasis or strikethrough markers (* _ ~) in one paragraph")
	errLinks         = limitErrorf("markdown: too many links or square brackets in one paragraph")
	errReferences    = limitErrorf("markdown: too many link reference definitions in one paragraph")
	errOutput        = limitErrorf("markdown: rendered output larger than %d MiB", MaxOutputBytes>>20)
)

// budget is the per-document state of the guards, kept in the parser
// context. Guards never fail the parse: when a limit is passed they record
// the first error and make goldmark take its cheap path (a container not
// opened or closed early, a marker left as literal text, a paragraph not
// turned into a table), so that PlainText and Excerpt can still use the
// result.
type budget struct {
	err error

	containerWork int
	tableCells    int
	escapedPipes  int
	tableTicks    int
	emphasisWork  int
	linkWork      int
	referenceWork int

	// The inline counters below are per leaf block (paragraph, heading,
	// table cell); block is the one they belong to.
	block      ast.Node
	blockBytes int
	delimiters int
	openLabels int
}

func (b *budget) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

var budgetKey = parser.NewContextKey()

func budgetOf(pc parser.Context) *budget {
	b, _ := pc.Get(budgetKey).(*budget)
	if b == nil {
		// Only reachable if a parse did not go through parse(); count
		// anyway rather than panic.
		b = &budget{}
		pc.Set(budgetKey, b)
	}
	return b
}

// containerGuard wraps goldmark's block quote, list and list item parsers.
// It refuses to open a container deeper than MaxNesting (the line then
// becomes paragraph text, which costs nothing more) and counts the
// per-line work of open containers.
type containerGuard struct {
	parser.BlockParser
	kind ast.NodeKind // ast.KindBlockquote, ast.KindList or ast.KindListItem
}

func (g containerGuard) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	switch g.kind {
	case ast.KindBlockquote:
		// Refuse before opening: the quote parser consumes the '>'.
		if containerDepth(parent) >= MaxNesting {
			budgetOf(pc).fail(errNesting)
			return nil, parser.NoChildren
		}
	case ast.KindList:
		// Ask first: goldmark offers every list item line to the list
		// parser too, which declines when the item's list is already open,
		// and only peeks at the line when it accepts.
		node, state := g.BlockParser.Open(parent, reader, pc)
		if node != nil && containerDepth(parent) >= MaxNesting {
			budgetOf(pc).fail(errNesting)
			return nil, parser.NoChildren
		}
		return node, state
	}
	return g.BlockParser.Open(parent, reader, pc)
}

func (g containerGuard) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	b := budgetOf(pc)
	b.containerWork++
	if b.containerWork > maxContainerWork {
		b.fail(errContainerWork)
		return parser.Close
	}
	return g.BlockParser.Continue(node, reader, pc)
}

// containerDepth counts the block quotes and lists n is inside, n included.
// The guard keeps it at most MaxNesting, so the walk is short.
func containerDepth(n ast.Node) int {
	d := 0
	for ; n != nil; n = n.Parent() {
		if k := n.Kind(); k == ast.KindBlockquote || k == ast.KindList {
			d++
		}
	}
	return d
}

// tableGuard wraps the table extension's paragraph transformer. It finds the
// delimiter row exactly as goldmark does and leaves the paragraph alone
// (cheap) when the table would be too wide or the document's tables would
// have too many cells.
type tableGuard struct {
	parser.ParagraphTransformer
}

// tableDelimiterCell is the union of goldmark's four alignment patterns.
var tableDelimiterCell = regexp.MustCompile(`^\s*:?-+:?\s*$`)

func (g tableGuard) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := node.Lines()
	source := reader.Source()
	for i := 1; i < lines.Len(); i++ {
		seg := lines.At(i)
		cols := delimiterRowColumns(seg.Value(source))
		if cols == 0 {
			continue
		}
		b := budgetOf(pc)
		if cols > MaxTableColumns {
			b.fail(errTableColumns)
			return
		}
		// The header and every later line of the paragraph become rows of
		// cols cells each.
		b.tableCells += cols * (lines.Len() - i)
		if b.tableCells > MaxTableCells {
			b.fail(errTableCells)
			return
		}
		for j := i - 1; j < lines.Len(); j++ {
			seg := lines.At(j)
			row := seg.Value(source)
			b.escapedPipes += bytes.Count(row, []byte(`\|`))
			b.tableTicks += bytes.Count(row, []byte("`"))
		}
		if b.escapedPipes*b.tableTicks > maxEscapedPipeWork {
			b.fail(errEscapedPipes)
			return
		}
		break
	}
	g.ParagraphTransformer.Transform(node, reader, pc)
}

// delimiterRowColumns returns the number of columns of a GFM table delimiter
// row such as "| :--- | ---: |", or 0 when line is not one. It accepts what
// goldmark's table parser accepts.
func delimiterRowColumns(line []byte) int {
	indent := 0
	for _, c := range line {
		if c == ' ' {
			indent++
		} else if c == '\t' {
			indent += 4
		} else {
			break
		}
	}
	if indent > 3 {
		return 0
	}
	onlyDashes := true
	for _, c := range line {
		switch c {
		case '-':
		case '|', ':', ' ', '\t', '\n', '\r', '\v', '\f':
			onlyDashes = false
		default:
			return 0
		}
	}
	if onlyDashes {
		return 0
	}
	cols := 0
	start := 0
	first := true
	for i := 0; i <= len(line); i++ {
		if i < len(line) && line[i] != '|' {
			continue
		}
		cell := line[start:i]
		start = i + 1
		last := i == len(line)
		if (first || last) && isBlank(cell) {
			first = false
			continue
		}
		first = false
		if !tableDelimiterCell.Match(cell) {
			return 0
		}
		cols++
	}
	return cols
}

func isBlank(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r', '\v', '\f':
		default:
			return false
		}
	}
	return true
}

// referenceGuard wraps goldmark's link reference definition transformer,
// whose cost is quadratic in the number of definitions in one paragraph.
type referenceGuard struct {
	parser.ParagraphTransformer
}

func (g referenceGuard) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := node.Lines()
	source := reader.Source()
	candidates := 0
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		line := seg.Value(source)
		j := 0
		for j < len(line) && j < 4 && line[j] == ' ' {
			j++
		}
		if j < len(line) && line[j] == '[' {
			candidates++
		}
	}
	b := budgetOf(pc)
	b.referenceWork += candidates * lines.Len()
	if b.referenceWork > maxReferenceWork {
		b.fail(errReferences)
		return
	}
	g.ParagraphTransformer.Transform(node, reader, pc)
}

// inlineGuard runs before every other inline parser on the characters that
// start emphasis, strikethrough and links. It returns nil (let the real
// parser run) while the paragraph is within budget, and literal text once
// it is not, so that goldmark's quadratic delimiter and link processing
// never sees more than the budget.
type inlineGuard struct{}

func (inlineGuard) Trigger() []byte {
	return []byte{'*', '_', '~', '[', ']', '!'}
}

func (inlineGuard) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	b := budgetOf(pc)
	if parent != b.block {
		b.block = parent
		b.blockBytes = 0
		lines := parent.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			b.blockBytes += seg.Len()
		}
		b.delimiters = 0
		b.openLabels = 0
	}
	line, segment := block.PeekLine()
	if len(line) == 0 {
		return nil
	}
	switch c := line[0]; c {
	case '*', '_', '~':
		n := 1
		for n < len(line) && line[n] == c {
			n++
		}
		b.delimiters++
		b.emphasisWork += b.delimiters
		if b.emphasisWork <= maxEmphasisWork {
			return nil
		}
		b.fail(errEmphasis)
		block.Advance(n)
		return ast.NewTextSegment(segment.WithStop(segment.Start + n))
	case '[':
		b.openLabels++
	case '!':
		if len(line) > 1 && line[1] == '[' {
			b.openLabels++
		}
	case ']':
		if b.openLabels == 0 {
			return nil // goldmark returns at once when no label is open
		}
		b.openLabels--
		b.linkWork += b.blockBytes
		if b.linkWork > maxLinkWork {
			b.fail(errLinks)
			block.Advance(1)
			return ast.NewTextSegment(segment.WithStop(segment.Start + 1))
		}
	}
	return nil
}

// limitedBuffer keeps at most limit bytes and remembers whether more were
// written, so that rendering a too-large document costs no more memory than
// the limit.
type limitedBuffer struct {
	buf      []byte
	limit    int
	overflow bool
}

func (w *limitedBuffer) Write(p []byte) (int, error) {
	if len(w.buf)+len(p) > w.limit {
		w.overflow = true
		return 0, errOutput
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}
