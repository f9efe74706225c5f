package archive

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxSEBody is the largest Stack Exchange post body, in bytes of HTML,
// that ReadStackExchange reads; a post with a larger one is a Problem.
const MaxSEBody = 1 << 20

// seLimits bound what one Stack Exchange record may cost; tests make them
// small.
type seLimits struct {
	body  int   // bytes of HTML in a Body attribute
	token int64 // bytes of XML in one token (a row with all its attributes)
	depth int   // element nesting
}

var defaultSELimits = seLimits{
	body: MaxSEBody,
	// A row with a body of MaxSEBody bytes of HTML takes up to about six
	// times as much once escaped as XML ("&quot;"), plus its title and tags.
	token: 8 * MaxSEBody,
	depth: 16,
}

// SEOptions are the options of ReadStackExchange.
type SEOptions struct {
	// Progress, if not nil, is called now and then with the bytes of
	// Posts.xml read so far, over all the passes, and the total of all the
	// passes: twice the size of Posts.xml, or three times when a third pass
	// turns out to be needed (see ReadStackExchange).
	Progress func(done, total int64)
	// Site names the site in source ids and attribution links. Empty means
	// the base name of the dump directory, e.g.
	// "cardano.stackexchange.com". It must look like a host name.
	Site string
}

// SEStats counts what ReadStackExchange read and did.
type SEStats struct {
	Questions int // question rows (PostTypeId 1) in Posts.xml
	Answers   int // answer rows (PostTypeId 2) in Posts.xml
	// EmittedQuestions counts the questions passed to Sink.Question,
	// Duplicates among them.
	EmittedQuestions int
	EmittedAnswers   int // answers passed to Sink.Answer
	Duplicates       int // questions passed with status "duplicate"
	// Skipped counts the questions left out by rule, each reported as a
	// Problem with Skipped set.
	Skipped int
	// Failed counts the malformed rows of Posts.xml and PostLinks.xml,
	// each reported as a Problem.
	Failed int
	// Unchosen counts the well-formed answers neither passed on nor
	// reported: answers other than their question's chosen one, and the
	// answers of questions that were skipped, failed, duplicates or absent.
	Unchosen int
}

// ReadStackExchange reads the Stack Exchange data dump in the directory dir
// (Posts.xml; PostLinks.xml if present; Tags.xml is not needed and not
// read) and passes its questions and their chosen answers to sink.
//
// A question closed as a duplicate (the PostId of a PostLinks.xml link with
// LinkTypeId 3) is passed with status "duplicate" and DuplicateOf the
// SourceID of its original (RelatedPostId); when that original is not
// answered but is itself a duplicate, the chain is followed to an answered
// question if there is one. Its own answers are not passed. Any other
// question is passed with status "answered" when it has a chosen answer —
// its accepted answer if that exists, else its best-scored answer (the
// lowest Id among equals) if that has a Score above 0 — and that answer is
// passed later with the question's tags. A question with no chosen answer
// is a skipped Problem ("no accepted or positively scored answer"); other
// answers are only counted, in SEStats.Unchosen. Bodies are converted from
// HTML to Markdown and end with a CC BY-SA attribution line linking to the
// post. Answers are never Public.
//
// Order: the problems of PostLinks.xml first, then the records and
// problems of Posts.xml in file order, except that an answer met before
// its question (not in real dumps, which are sorted by Id) is passed after
// the whole file, read a third time; so an Answer always follows its
// Question. A duplicate may come before its original.
//
// Memory: Posts.xml is streamed twice; between the passes the reader keeps
// a few integers per question, and during the second the raw tags of
// answered questions whose answer has not been reached yet. A row that is
// malformed (a bad number or date, a question without a title, a body
// larger than MaxSEBody) is a Problem and the read goes on.
//
// ReadStackExchange returns the counts and nil at the end; an error if
// Posts.xml is missing, if an XML file is not well-formed (naming the file
// and the byte offset; the read ends there), if one XML token is larger
// than 8 MiB or elements nest too deeply; ctx.Err() if ctx is done; or the
// error of sink, unchanged.
func ReadStackExchange(ctx context.Context, dir string, sink Sink, opt SEOptions) (SEStats, error) {
	return readStackExchange(ctx, dir, sink, opt, defaultSELimits)
}

// siteName is what a site name must look like: a host name, so that it
// can sit in a URL and in Markdown link text unescaped.
var siteName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$`)

// license is what a ContentLicense attribute must look like to be copied
// into an attribution line.
var license = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 .-]{0,39}$`)

const defaultLicense = "CC BY-SA"

func readStackExchange(ctx context.Context, dir string, sink Sink, opt SEOptions, lim seLimits) (SEStats, error) {
	r := &seReader{
		ctx: ctx, sink: sink, opt: opt, lim: lim,
		q:     map[int64]*seQuestion{},
		early: map[int64]int64{},
		links: map[int64][]int64{},
		tags:  map[int64]string{},
	}
	r.site = opt.Site
	if r.site == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return r.stats, err
		}
		r.site = filepath.Base(abs)
	}
	if !siteName.MatchString(r.site) {
		return r.stats, fmt.Errorf("the site name %s is not a host name; name the directory after the site or set SEOptions.Site", quote(r.site))
	}
	posts := filepath.Join(dir, "Posts.xml")
	fi, err := os.Stat(posts)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return r.stats, fmt.Errorf("%s has no Posts.xml: is it a Stack Exchange dump directory? (%w)", dir, err)
		}
		return r.stats, err
	}
	if !fi.Mode().IsRegular() {
		return r.stats, fmt.Errorf("%s is not a file", posts)
	}
	r.size = fi.Size()
	r.total = 2 * r.size

	links := filepath.Join(dir, "PostLinks.xml")
	if err := r.scan(links, false, r.link); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return r.stats, err
	}
	if err := r.scan(posts, true, r.collect); err != nil {
		return r.stats, err
	}
	r.choose()
	if err := r.scan(posts, true, r.emit); err != nil {
		return r.stats, err
	}
	if r.deferred > 0 {
		r.total += r.size
		if err := r.scan(posts, true, r.emitDeferred); err != nil {
			return r.stats, err
		}
		// Deferred rows that pass 3 neither passed on nor counted: repeats.
		r.stats.Unchosen += r.deferred - r.resolved
	}
	return r.stats, nil
}

// seQuestion is what the reader keeps of a question between passes. An
// entry is also made for the parent of an answer met before (or without)
// its question.
type seQuestion struct {
	accepted  int64 // AcceptedAnswerId, 0 if none
	best      int64 // Id of the best-scored well-formed answer, 0 if none
	bestScore int64
	chosen    int64 // the answer to pass, once chosen; 0 when none or passed
	dupOf     int64 // the original, for a duplicate
	flags     uint8
}

const (
	seIsQuestion   = 1 << iota // a well-formed question row with this Id was seen
	seAcceptedSeen             // its accepted answer is a well-formed answer to it
	seDuplicate                // closed as a duplicate
	seSeen                     // its row was handled in pass 2
	seEmitted                  // it was passed to the sink
)

type seReader struct {
	ctx  context.Context
	sink Sink
	opt  SEOptions
	lim  seLimits
	site string

	size, total, done int64 // progress, in bytes of Posts.xml

	q        map[int64]*seQuestion
	early    map[int64]int64   // answers met before their question: Id → ParentId
	links    map[int64][]int64 // duplicate → originals (LinkTypeId 3)
	tags     map[int64]string  // raw Tags of passed questions whose answer is still to come
	deferred int               // chosen answers met before their question in pass 2
	resolved int               // deferred answers passed on or counted in pass 3
	stats    SEStats
}

// scan streams the XML file at path and calls row for every "row" element
// that is a child of the root.
func (r *seReader) scan(path string, isPosts bool, row func(attrs []xml.Attr, offset int64) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := &byteCounter{br: bufio.NewReaderSize(f, 256<<10), limit: r.lim.token}
	d := xml.NewDecoder(cr)
	depth, roots := 0, 0
	var reported int64
	progress := func(done int64) {
		if isPosts && r.opt.Progress != nil {
			r.opt.Progress(r.done+done, r.total)
		}
	}
	for {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		cr.mark = cr.n
		offset := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errTokenTooLarge) {
			return fmt.Errorf("%s: byte offset %d: an element or text is larger than %s", path, offset, byteSize(int(r.lim.token)))
		}
		if err != nil {
			return fmt.Errorf("%s: byte offset %d: %w", path, d.InputOffset(), err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				roots++
			}
			if depth > r.lim.depth {
				return fmt.Errorf("%s: byte offset %d: elements nest more than %d deep", path, offset, r.lim.depth)
			}
			if depth == 2 && t.Name.Local == "row" {
				if err := row(t.Attr, offset); err != nil {
					return err
				}
			}
		case xml.EndElement:
			depth--
		}
		if cr.n-reported >= 1<<20 {
			reported = cr.n
			progress(cr.n)
		}
	}
	if roots == 0 {
		return fmt.Errorf("%s: no XML element in the file", path)
	}
	if isPosts {
		r.done += r.size
		progress(0)
	}
	return nil
}

var errTokenTooLarge = errors.New("XML token too large")

// byteCounter hands bytes to an xml.Decoder, which reads an io.ByteReader
// one byte at a time without buffering of its own, and fails a token that
// grows beyond limit bytes: the decoder keeps a whole token (a row with
// all its attributes) in memory.
type byteCounter struct {
	br    *bufio.Reader
	n     int64 // bytes handed out
	mark  int64 // n when the current token began
	limit int64
}

func (c *byteCounter) ReadByte() (byte, error) {
	if c.n-c.mark >= c.limit {
		return 0, errTokenTooLarge
	}
	b, err := c.br.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// Read is there for io.Reader; xml.Decoder uses ReadByte.
func (c *byteCounter) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b, err := c.ReadByte()
	if err != nil {
		return 0, err
	}
	p[0] = b
	return 1, nil
}

// link reads a PostLinks.xml row, keeping duplicate links.
func (r *seReader) link(attrs []xml.Attr, offset int64) error {
	var post, related, typ string
	for _, a := range attrs {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "PostId":
			post = a.Value
		case "RelatedPostId":
			related = a.Value
		case "LinkTypeId":
			typ = a.Value
		}
	}
	if strings.TrimSpace(typ) != "3" {
		return nil
	}
	dup, reason := parseID("PostId", post, true)
	orig, reason2 := parseID("RelatedPostId", related, true)
	if reason == "" {
		reason = reason2
	}
	if reason != "" {
		r.stats.Failed++
		r.sink.Problem(Problem{Reason: fmt.Sprintf("PostLinks.xml row at byte offset %d: %s", offset, reason)})
		return nil
	}
	if dup == orig {
		return nil
	}
	for _, o := range r.links[dup] {
		if o == orig {
			return nil
		}
	}
	r.links[dup] = append(r.links[dup], orig)
	return nil
}

// seRow is a Posts.xml row of a question or an answer.
type seRow struct {
	id, postType, parent, accepted, score int64
	created                               time.Time
	title, body, tags, license            string
}

// sourceID is the row's SourceID, or "" when its Id or type is unknown.
func (r *seReader) sourceID(row seRow) string {
	switch {
	case row.id <= 0:
		return ""
	case row.postType == 1:
		return fmt.Sprintf("%s/q/%d", r.site, row.id)
	case row.postType == 2:
		return fmt.Sprintf("%s/a/%d", r.site, row.id)
	}
	return ""
}

// parseRow reads and checks a Posts.xml row. reason says what is wrong
// with a malformed row. Rows of other post types (tag wikis and so on)
// come back with their postType and no further checks.
func (r *seReader) parseRow(attrs []xml.Attr) (row seRow, reason string) {
	var id, typ, parent, accepted, score, created string
	hasTitle := false
	for _, a := range attrs {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "Id":
			id = a.Value
		case "PostTypeId":
			typ = a.Value
		case "ParentId":
			parent = a.Value
		case "AcceptedAnswerId":
			accepted = a.Value
		case "Score":
			score = a.Value
		case "CreationDate":
			created = a.Value
		case "Title":
			row.title, hasTitle = a.Value, true
		case "Body":
			row.body = a.Value
		case "Tags":
			row.tags = a.Value
		case "ContentLicense":
			row.license = a.Value
		}
	}
	if row.id, reason = parseID("Id", id, true); reason != "" {
		return row, reason
	}
	if row.postType, reason = parseID("PostTypeId", typ, true); reason != "" {
		return row, reason
	}
	if row.postType != 1 && row.postType != 2 {
		return row, ""
	}
	if score != "" {
		s, err := strconv.ParseInt(strings.TrimSpace(score), 10, 64)
		if err != nil {
			return row, "Score is not a whole number: " + quote(score)
		}
		row.score = s
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", strings.TrimSpace(created), time.UTC)
	if err != nil {
		if created == "" {
			return row, "CreationDate is missing"
		}
		return row, "CreationDate is not a date: " + quote(created)
	}
	row.created = t
	if len(row.body) > r.lim.body {
		return row, fmt.Sprintf("the body is larger than %s", byteSize(r.lim.body))
	}
	if row.postType == 1 {
		if row.accepted, reason = parseID("AcceptedAnswerId", accepted, false); reason != "" {
			return row, reason
		}
		if !hasTitle || strings.TrimSpace(row.title) == "" {
			return row, "the question has no title"
		}
		if !utf8.ValidString(row.title) {
			return row, "the title is not valid UTF-8"
		}
		return row, ""
	}
	if row.parent, reason = parseID("ParentId", parent, true); reason != "" {
		return row, reason
	}
	if strings.TrimSpace(row.body) == "" {
		return row, "the answer has no body"
	}
	return row, ""
}

// parseID parses a post id: a positive whole number. An empty optional
// id is 0.
func parseID(name, s string, required bool) (int64, string) {
	if s == "" {
		if required {
			return 0, name + " is missing"
		}
		return 0, ""
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, name + " is not a positive whole number: " + quote(s)
	}
	return n, ""
}

func (r *seReader) entry(id int64) *seQuestion {
	e := r.q[id]
	if e == nil {
		e = &seQuestion{}
		r.q[id] = e
	}
	return e
}

// collect is pass 1: it notes each question's accepted answer and best
// answer. Malformed rows are left for pass 2 to report.
func (r *seReader) collect(attrs []xml.Attr, _ int64) error {
	row, reason := r.parseRow(attrs)
	if reason != "" {
		return nil
	}
	switch row.postType {
	case 1:
		e := r.entry(row.id)
		if e.flags&seIsQuestion != 0 {
			return nil // a repeated Id: pass 2 reports it
		}
		e.flags |= seIsQuestion
		e.accepted = row.accepted
		if row.accepted != 0 && r.early[row.accepted] == row.id {
			e.flags |= seAcceptedSeen
		}
	case 2:
		e := r.entry(row.parent)
		if e.flags&seIsQuestion == 0 {
			r.early[row.id] = row.parent
		} else if e.accepted == row.id {
			e.flags |= seAcceptedSeen
		}
		if e.best == 0 || row.score > e.bestScore || (row.score == e.bestScore && row.id < e.best) {
			e.best, e.bestScore = row.id, row.score
		}
	}
	return nil
}

// choose decides, between the passes, what becomes of each question.
func (r *seReader) choose() {
	for id, e := range r.q {
		if e.flags&seIsQuestion == 0 {
			delete(r.q, id)
			continue
		}
		if len(r.links[id]) > 0 {
			e.flags |= seDuplicate
			continue
		}
		switch {
		case e.flags&seAcceptedSeen != 0:
			e.chosen = e.accepted
		case e.best != 0 && e.bestScore > 0:
			e.chosen = e.best
		}
	}
	for id, e := range r.q {
		if e.flags&seDuplicate != 0 {
			e.dupOf = r.original(id)
		}
	}
	r.links = nil
}

// original picks the original of the duplicate id: the first of its
// originals that is answered, following a chain of duplicates a few steps;
// failing that, its first original.
func (r *seReader) original(id int64) int64 {
	for _, o := range r.links[id] {
		t := o
		for hops := 0; hops < 8 && t != id; hops++ {
			e := r.q[t]
			if e == nil || e.flags&seDuplicate == 0 {
				break
			}
			t = r.links[t][0]
		}
		if e := r.q[t]; e != nil && e.chosen != 0 {
			return t
		}
	}
	return r.links[id][0]
}

// emit is pass 2: it passes the records on, and reports the problems.
func (r *seReader) emit(attrs []xml.Attr, offset int64) error {
	row, reason := r.parseRow(attrs)
	switch row.postType {
	case 1:
		r.stats.Questions++
	case 2:
		r.stats.Answers++
	}
	switch {
	case reason != "":
		r.fail(row, offset, reason)
		return nil
	case row.postType == 1:
		return r.emitQuestion(row, offset)
	case row.postType == 2:
		return r.emitAnswer(row, false)
	}
	return nil
}

// emitDeferred is pass 3: it passes the answers met before their
// questions in pass 2.
func (r *seReader) emitDeferred(attrs []xml.Attr, _ int64) error {
	row, reason := r.parseRow(attrs)
	if reason != "" || row.postType != 2 {
		return nil
	}
	return r.emitAnswer(row, true)
}

func (r *seReader) fail(row seRow, offset int64, reason string) {
	r.stats.Failed++
	id := r.sourceID(row)
	if id == "" {
		reason = fmt.Sprintf("Posts.xml row at byte offset %d: %s", offset, reason)
	}
	r.sink.Problem(Problem{SourceID: id, Reason: reason})
}

func (r *seReader) emitQuestion(row seRow, offset int64) error {
	e := r.q[row.id]
	if e == nil || e.flags&seSeen != 0 {
		r.fail(row, offset, "the post Id is repeated")
		return nil
	}
	e.flags |= seSeen
	q := Question{SourceID: r.sourceID(row), Title: row.title, Tags: parseTags(row.tags), AskedAt: row.created}
	switch {
	case e.flags&seDuplicate != 0:
		q.Status = "duplicate"
		q.DuplicateOf = fmt.Sprintf("%s/q/%d", r.site, e.dupOf)
	case e.chosen != 0:
		q.Status = "answered"
	default:
		r.stats.Skipped++
		r.sink.Problem(Problem{SourceID: q.SourceID, Reason: "no accepted or positively scored answer", Skipped: true})
		return nil
	}
	body, err := r.markdown(row, "q")
	if err != nil {
		if cerr := r.ctx.Err(); cerr != nil {
			return cerr
		}
		r.fail(row, offset, err.Error())
		return nil
	}
	q.Body = body
	if err := r.sink.Question(q); err != nil {
		return err
	}
	e.flags |= seEmitted
	r.stats.EmittedQuestions++
	if q.Status == "duplicate" {
		r.stats.Duplicates++
	} else {
		r.tags[row.id] = row.tags
	}
	return nil
}

// emitAnswer passes row on if it is the chosen answer of a passed
// question. In pass 2 (deferred false) a chosen answer whose question is
// still to come waits for pass 3.
func (r *seReader) emitAnswer(row seRow, deferred bool) error {
	e := r.q[row.parent]
	if e == nil || e.chosen != row.id {
		if !deferred {
			r.stats.Unchosen++
		}
		return nil
	}
	if e.flags&seEmitted == 0 {
		if !deferred && e.flags&seSeen == 0 {
			r.deferred++
			return nil
		}
		r.stats.Unchosen++ // its question failed
		if deferred {
			r.resolved++
		}
		e.chosen = 0
		return nil
	}
	body, err := r.markdown(row, "a")
	if err != nil {
		if cerr := r.ctx.Err(); cerr != nil {
			return cerr
		}
		e.chosen = 0
		r.fail(row, 0, err.Error())
		if deferred {
			r.resolved++
		}
		return nil
	}
	a := Answer{
		SourceID:    r.sourceID(row),
		QuestionID:  fmt.Sprintf("%s/q/%d", r.site, row.parent),
		Body:        body,
		Tags:        parseTags(r.tags[row.parent]),
		PublishedAt: row.created,
	}
	if err := r.sink.Answer(a); err != nil {
		return err
	}
	e.chosen = 0 // a repeated row is not passed twice
	delete(r.tags, row.parent)
	r.stats.EmittedAnswers++
	if deferred {
		r.resolved++
	}
	return nil
}

// markdown converts the row's body to Markdown and appends the
// attribution CC BY-SA requires.
func (r *seReader) markdown(row seRow, kind string) (string, error) {
	md, err := htmlToMarkdown(r.ctx, row.body, "https://"+r.site)
	if err != nil {
		return "", err
	}
	lic := strings.Join(strings.Fields(row.license), " ")
	if !license.MatchString(lic) {
		lic = defaultLicense
	}
	link := fmt.Sprintf("%s/%s/%d", r.site, kind, row.id)
	attribution := fmt.Sprintf("*Source: [%s](https://%s), %s*", link, link, lic)
	if md == "" {
		return attribution, nil
	}
	return md + "\n\n" + attribution, nil
}

// parseTags reads a Tags attribute: "<a><b>", or "|a|b|" as newer dumps
// write it.
func parseTags(s string) []string {
	s = strings.TrimSpace(s)
	var parts []string
	switch {
	case s == "":
		return nil
	case strings.HasPrefix(s, "<"):
		parts = strings.Split(strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">"), "><")
	case strings.HasPrefix(s, "|"):
		parts = strings.Split(s, "|")
	default:
		parts = strings.Fields(s)
	}
	var tags []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			tags = append(tags, p)
		}
	}
	return tags
}
