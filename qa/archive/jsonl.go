package archive

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxJSONLLine is the longest JSONL line, in bytes, that ReadJSONL reads;
// a longer line is reported as a Problem and skipped.
const MaxJSONLLine = 4 << 20

// jsonlStatuses are the question statuses a JSONL archive may give.
var jsonlStatuses = map[string]bool{
	"answered": true, "pending": true, "declined": true, "duplicate": true,
	"withdrawn": true, "expired": true,
}

// jsonLine is one line of a JSONL archive, question and answer fields
// together; the "type" field says which apply.
type jsonLine struct {
	Type        string   `json:"type"`
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Body        string   `json:"body"`
	Tags        []string `json:"tags"`
	AskedAt     string   `json:"asked_at"`
	Anonymous   bool     `json:"anonymous"`
	Status      string   `json:"status"`
	QuestionID  string   `json:"question_id"`
	PublishedAt string   `json:"published_at"`
	Public      bool     `json:"public"`
	// Extensions of INTERFACE.md's format, written by export so that an
	// export → import round trip keeps them.
	DeclineReason string `json:"decline_reason"`
	DuplicateOf   string `json:"duplicate_of"`
}

// ReadJSONL reads an answerbook JSONL archive from r and passes its records
// to sink in file order, each with its line number.
//
// A malformed line (not UTF-8, not JSON, longer than MaxJSONLLine, an
// unknown "type" or status, a missing id, a question without a title, an
// answer without question_id or body, a time that is not RFC 3339) is
// passed to sink.Problem with its line number, and the read goes on.
// Unknown fields are ignored, as are blank lines and a UTF-8 byte order
// mark at the start. A missing asked_at or published_at reads as the zero
// time, for the importer to fill in. Since the records are passed in file
// order, an answer may come before its question when the file has it so.
//
// ReadJSONL returns nil at the end of r; the error of sink, unchanged, if
// sink returns one; ctx.Err() if ctx is done (checked between lines);
// otherwise an error reading r.
func ReadJSONL(ctx context.Context, r io.Reader, sink Sink) error {
	return readJSONL(ctx, r, sink, MaxJSONLLine)
}

// readJSONL is ReadJSONL with the line limit as a parameter, so that tests
// can use a small one.
func readJSONL(ctx context.Context, r io.Reader, sink Sink, maxLine int) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for lineNo := int64(1); ; lineNo++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, tooLong, err := readLine(br, buf[:0], maxLine)
		buf = line
		if err != nil && err != io.EOF {
			return fmt.Errorf("reading line %d: %w", lineNo, err)
		}
		if len(line) == 0 && !tooLong && err == io.EOF {
			return nil
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > maxLine {
			tooLong = true
		}
		if lineNo == 1 {
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
		}
		if tooLong {
			sink.Problem(Problem{Line: lineNo, Reason: fmt.Sprintf("the line is longer than %s", byteSize(maxLine))})
		} else if serr := readJSONLine(line, lineNo, sink); serr != nil {
			return serr
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine reads one line, with its "\n" if it has one, appending it to
// buf. A line longer than limit+2 bytes (room for "\r\n"; the caller
// checks the exact length) is consumed in full but not kept: tooLong is
// true and line is empty. err is io.EOF at
// the end of the input, possibly together with a last line that has no
// "\n".
func readLine(br *bufio.Reader, buf []byte, limit int) (line []byte, tooLong bool, err error) {
	for {
		frag, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(frag) > limit+2 { // room for "\r\n"
				tooLong, buf = true, buf[:0]
			} else {
				buf = append(buf, frag...)
			}
		}
		if err != bufio.ErrBufferFull {
			return buf, tooLong, err
		}
	}
}

// readJSONLine parses one non-empty line and passes the record or the
// problem to sink; it returns only the sink's error.
func readJSONLine(line []byte, lineNo int64, sink Sink) error {
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	fail := func(id, format string, args ...any) error {
		sink.Problem(Problem{Line: lineNo, SourceID: id, Reason: fmt.Sprintf(format, args...)})
		return nil
	}
	if !utf8.Valid(line) {
		return fail("", "the line is not valid UTF-8")
	}
	var rec jsonLine
	if err := json.Unmarshal(line, &rec); err != nil {
		return fail("", "%s", jsonProblem(err))
	}
	if len(rec.Tags) == 0 {
		rec.Tags = nil // [] and null and no field read the same
	}
	switch rec.Type {
	case "question":
		if rec.ID == "" {
			return fail("", "the question has no id")
		}
		if strings.TrimSpace(rec.Title) == "" {
			return fail(rec.ID, "the question has no title")
		}
		asked, err := parseJSONTime(rec.AskedAt)
		if err != nil {
			return fail(rec.ID, "asked_at is not an RFC 3339 time: %s", quote(rec.AskedAt))
		}
		status := rec.Status
		if status == "" {
			status = "pending"
		}
		if !jsonlStatuses[status] {
			return fail(rec.ID, "unknown status %s", quote(rec.Status))
		}
		return sink.Question(Question{
			SourceID: rec.ID, Title: rec.Title, Body: rec.Body, Tags: rec.Tags, AskedAt: asked,
			Anonymous: rec.Anonymous, Status: status, DeclineReason: rec.DeclineReason, DuplicateOf: rec.DuplicateOf, Line: lineNo,
		})
	case "answer":
		if rec.ID == "" {
			return fail("", "the answer has no id")
		}
		if rec.QuestionID == "" {
			return fail(rec.ID, "the answer has no question_id")
		}
		if strings.TrimSpace(rec.Body) == "" {
			return fail(rec.ID, "the answer has no body")
		}
		published, err := parseJSONTime(rec.PublishedAt)
		if err != nil {
			return fail(rec.ID, "published_at is not an RFC 3339 time: %s", quote(rec.PublishedAt))
		}
		return sink.Answer(Answer{
			SourceID: rec.ID, QuestionID: rec.QuestionID, Body: rec.Body, Tags: rec.Tags,
			PublishedAt: published, Public: rec.Public, Line: lineNo,
		})
	case "":
		return fail(rec.ID, `the line has no "type"`)
	default:
		return fail(rec.ID, `unknown type %s (want "question" or "answer")`, quote(rec.Type))
	}
}

// jsonProblem turns a json.Unmarshal error into a user-readable reason that
// does not mention Go types.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("the line is not valid JSON (%v)", syntax)
	case errors.As(err, &typ) && typ.Field == "":
		return "the line is not a JSON object"
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s has the wrong type (%s)", quote(typ.Field), typ.Value)
	default:
		return "the line is not valid JSON"
	}
}

// parseJSONTime parses an RFC 3339 time into UTC; empty is the zero time.
func parseJSONTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// byteSize formats a size for a message.
func byteSize(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// JSONLWriter writes an answerbook JSONL archive (see ReadJSONL), one JSON
// object per line. It does not buffer; wrap a file in a bufio.Writer.
type JSONLWriter struct {
	enc *json.Encoder
}

// NewJSONLWriter returns a writer that writes to w.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSONLWriter{enc: enc}
}

// jsonQuestionOut and jsonAnswerOut fix the field order of the output:
// "type" first, then as in docs/INTERFACE.md.
type jsonQuestionOut struct {
	Type      string   `json:"type"`
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	Tags      []string `json:"tags"`
	AskedAt   string   `json:"asked_at,omitempty"`
	Anonymous bool     `json:"anonymous"`
	Status    string   `json:"status"`
	// DeclineReason and DuplicateOf extend INTERFACE.md's format.
	DeclineReason string `json:"decline_reason,omitempty"`
	DuplicateOf   string `json:"duplicate_of,omitempty"`
}

type jsonAnswerOut struct {
	Type        string   `json:"type"`
	ID          string   `json:"id"`
	QuestionID  string   `json:"question_id"`
	Body        string   `json:"body"`
	Tags        []string `json:"tags"`
	PublishedAt string   `json:"published_at,omitempty"`
	Public      bool     `json:"public"`
}

// Question writes q as one line. Times are written in UTC as RFC 3339 with
// as many fractional digits as they need; a zero time is left out. An
// empty status is written as "pending"; Line is not
// written, the format having no field for them.
func (w *JSONLWriter) Question(q Question) error {
	status := q.Status
	if status == "" {
		status = "pending"
	}
	return w.enc.Encode(jsonQuestionOut{
		Type: "question", ID: q.SourceID, Title: q.Title, Body: q.Body, Tags: nonNil(q.Tags),
		AskedAt: formatJSONTime(q.AskedAt), Anonymous: q.Anonymous, Status: status,
		DeclineReason: q.DeclineReason, DuplicateOf: q.DuplicateOf,
	})
}

// Answer writes a as one line, times as for Question; Line is not written.
func (w *JSONLWriter) Answer(a Answer) error {
	return w.enc.Encode(jsonAnswerOut{
		Type: "answer", ID: a.SourceID, QuestionID: a.QuestionID, Body: a.Body, Tags: nonNil(a.Tags),
		PublishedAt: formatJSONTime(a.PublishedAt), Public: a.Public,
	})
}

func formatJSONTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// nonNil makes no tags an empty JSON list rather than null.
func nonNil(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}
