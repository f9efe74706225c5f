package archive

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxCSVRecord is the most bytes one CSV record (a row, quoted newlines
// included) may take; a longer one ends the read, since the reader cannot
// tell where the next record starts.
const MaxCSVRecord = 4 << 20

// CSVFields are the fields a CSV column can be mapped to.
var CSVFields = []string{"id", "title", "body", "answer", "tags", "asked_at", "published_at", "public"}

// CSVMap maps answerbook's fields (CSVFields) to the CSV's column names.
type CSVMap map[string]string

// ParseCSVMap reads a mapping written "field=column,field=column"
// ("title=title,body=ask,answer=answer,tags=department"). Unknown fields
// and a field mapped twice are errors.
func ParseCSVMap(s string) (CSVMap, error) {
	m := CSVMap{}
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	known := map[string]bool{}
	for _, f := range CSVFields {
		known[f] = true
	}
	for _, pair := range strings.Split(s, ",") {
		field, col, ok := strings.Cut(pair, "=")
		field, col = strings.TrimSpace(field), strings.TrimSpace(col)
		if !ok || field == "" || col == "" {
			return nil, fmt.Errorf("%s is not field=column", quote(pair))
		}
		if !known[field] {
			return nil, fmt.Errorf("unknown field %s (fields: %s)", quote(field), strings.Join(CSVFields, ", "))
		}
		if _, dup := m[field]; dup {
			return nil, fmt.Errorf("field %s is mapped twice", quote(field))
		}
		m[field] = col
	}
	return m, nil
}

// csvColumns is where each mapped field is in a record (-1: not mapped).
type csvColumns map[string]int

// columns resolves the mapping against the header. A field not in the
// mapping takes the column of its own name, if the header has one. The
// title must be found.
func (m CSVMap) columns(header []string) (csvColumns, error) {
	at := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		if _, dup := at[h]; !dup {
			at[h] = i
		}
	}
	cols := csvColumns{}
	for _, f := range CSVFields {
		name, mapped := m[f]
		if !mapped {
			name = f
		}
		i, ok := at[name]
		switch {
		case ok:
			cols[f] = i
		case mapped:
			return nil, fmt.Errorf("the header has no column %s for %s (it has: %s)", quote(name), f, headerList(header))
		default:
			cols[f] = -1
		}
	}
	if cols["title"] < 0 {
		return nil, fmt.Errorf("no column for the title: map one with title=COLUMN (the header has: %s)", headerList(header))
	}
	return cols, nil
}

func headerList(header []string) string {
	names := make([]string, 0, len(header))
	for _, h := range header {
		names = append(names, quote(h))
	}
	sort.Strings(names)
	if len(names) > 20 {
		names = append(names[:20], "…")
	}
	return strings.Join(names, ", ")
}

// ReadCSV reads a spreadsheet of questions, one a row, with a header row,
// and passes each to sink: the question, then its answer when the answer
// column is mapped and not empty (the question is then "answered", else
// "pending"). Columns are found through m (see CSVMap.columns).
//
// Each row's source id is its id column, when mapped, else a hash of its
// title, body and answer: importing the same file again imports nothing
// twice. Tags are split at commas, semicolons, "|" and "、". asked_at and
// published_at, when mapped, are RFC 3339 times or dates (YYYY-MM-DD);
// public is true/false, yes/no or 1/0.
//
// A malformed row (bad UTF-8, a bad time, no title) is passed to
// sink.Problem with its line and the read goes on; a row over
// MaxCSVRecord bytes, or a broken quote, ends it.
func ReadCSV(ctx context.Context, r io.Reader, m CSVMap, sink Sink) error {
	return readCSV(ctx, r, m, sink, MaxCSVRecord)
}

func readCSV(ctx context.Context, r io.Reader, m CSVMap, sink Sink, maxRecord int64) error {
	lr := &recordLimit{r: r, max: maxRecord}
	cr := csv.NewReader(lr)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	// Spreadsheets write a stray quote inside a field (5 "inch"); read it
	// as text, as they meant it, rather than end the import there.
	cr.LazyQuotes = true
	lr.csv = cr
	header, err := cr.Read()
	if err == io.EOF {
		return errors.New("the file is empty: a header row is needed")
	}
	if err != nil {
		return csvError(err)
	}
	cols, err := m.columns(header)
	if err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if serr := readCSVRecord(rec, cols, int64(line), sink); serr != nil {
			return serr
		}
	}
}

// csvError turns encoding/csv's errors into a reason without Go's words.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
	}
	return err
}

// readCSVRecord passes one row to sink; it returns only the sink's error.
func readCSVRecord(rec []string, cols csvColumns, line int64, sink Sink) error {
	get := func(f string) string {
		if i := cols[f]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	id := get("id")
	given := id // a problem names the row by its own id, never by a hash
	fail := func(format string, args ...any) error {
		sink.Problem(Problem{Line: line, SourceID: given, Reason: fmt.Sprintf(format, args...)})
		return nil
	}
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return fail("the row is not valid UTF-8")
		}
	}
	title, body, answer := get("title"), get("body"), get("answer")
	if title == "" {
		return fail("the row has no title")
	}
	if id == "" {
		h := sha256.New()
		for _, f := range []string{title, body, answer} {
			h.Write([]byte(f))
			h.Write([]byte{0})
		}
		id = "csv:" + hex.EncodeToString(h.Sum(nil)[:12])
	}
	asked, err := parseCSVTime(get("asked_at"))
	if err != nil {
		return fail("asked_at is not a date or RFC 3339 time: %s", quote(get("asked_at")))
	}
	published, err := parseCSVTime(get("published_at"))
	if err != nil {
		return fail("published_at is not a date or RFC 3339 time: %s", quote(get("published_at")))
	}
	public, err := parseCSVBool(get("public"))
	if err != nil {
		return fail("public is not true or false: %s", quote(get("public")))
	}
	tags := splitCSVTags(get("tags"))
	status := "pending"
	if answer != "" {
		status = "answered"
	}
	if err := sink.Question(Question{SourceID: id, Title: title, Body: body, Tags: tags, AskedAt: asked, Status: status, Line: line}); err != nil {
		return err
	}
	if answer == "" {
		return nil
	}
	if published.IsZero() {
		published = asked
	}
	return sink.Answer(Answer{SourceID: id + "/a", QuestionID: id, Body: answer, Tags: tags, PublishedAt: published, Public: public, Line: line})
}

func splitCSVTags(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == '|' || r == '、' || r == '，' || r == '；'
	})
	var tags []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			tags = append(tags, p)
		}
	}
	return tags
}

func parseCSVTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.UTC(), nil
	}
	return parseJSONTime(s)
}

func parseCSVBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "false", "no", "0", "n", "否":
		return false, nil
	case "true", "yes", "1", "y", "是":
		return true, nil
	}
	return strconv.ParseBool(s)
}

// recordLimit fails a read once the CSV reader has taken more than max
// bytes beyond the start of the record it is on: encoding/csv holds a
// whole record in memory and has no bound of its own.
type recordLimit struct {
	r   io.Reader
	csv *csv.Reader
	max int64
	n   int64 // bytes handed to the csv reader
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.csv != nil && l.n-l.csv.InputOffset() > l.max {
		return 0, fmt.Errorf("a row is longer than %s", byteSize(int(l.max)))
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}
