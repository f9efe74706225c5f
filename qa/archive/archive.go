// Package archive reads and writes question-and-answer archives: answerbook
// JSONL (the format in docs/INTERFACE.md, "JSONL archive format") and Stack
// Exchange data dumps.
//
// The readers stream: they hand one record at a time to a Sink and never
// hold a whole file, or the questions joined to their answers, in memory.
// They are meant for untrusted input: every record is bounded in size, a
// malformed record becomes a Problem and the read goes on, and only a
// broken container (an I/O error, an XML syntax error) ends a read early.
//
// The package knows nothing of the database: normalising tags, checking
// lengths and linking duplicates are the importer's job.
package archive

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Question is a question as an archive holds it.
type Question struct {
	// SourceID is the source's own id: JSONL "id"; for Stack Exchange
	// "SITE/q/ID" where SITE is the dump directory's base name, e.g.
	// "cardano.stackexchange.com/q/12".
	SourceID string
	Title    string   // plain text
	Body     string   // Markdown
	Tags     []string // as written by the source; normalising is the caller's job
	AskedAt  time.Time
	// Anonymous is true when the asker chose not to be named.
	Anonymous bool
	// Status is "answered", "pending", "declined" or "duplicate"; JSONL may
	// also say "withdrawn" or "expired". A JSONL line without a status
	// reads as "pending".
	Status string
	// DuplicateOf is, for status "duplicate", the SourceID of the original
	// question whose published answer this one duplicates (Stack Exchange;
	// JSONL "duplicate_of"), else empty.
	DuplicateOf string
	// DeclineReason is, for status "declined", the reason the asker was
	// given (JSONL "decline_reason").
	DeclineReason string
	Line          int64 // JSONL line number; 0 for Stack Exchange
}

// Answer is a published answer.
type Answer struct {
	SourceID    string // JSONL "id"; Stack Exchange "SITE/a/ID"
	QuestionID  string // SourceID of its question
	Body        string // Markdown
	Tags        []string
	PublishedAt time.Time
	// Public is true when people without an account may read the answer.
	// Always false for Stack Exchange answers.
	Public bool
	Line   int64 // JSONL line number; 0 for Stack Exchange
}

// Problem is an input record that was skipped or failed, with the reason.
type Problem struct {
	Line     int64  // JSONL line number, 0 if none
	SourceID string // if known
	Reason   string // user-readable, safe to show
	// Skipped is true for a well-formed record left out by rule (e.g. a
	// Stack Exchange question with no accepted or positively scored
	// answer), false for a malformed record that could not be read.
	Skipped bool
}

// String formats the problem for a log or a terminal.
func (p Problem) String() string {
	s := ""
	if p.Line > 0 {
		s = fmt.Sprintf("line %d: ", p.Line)
	}
	if p.SourceID != "" {
		s += p.SourceID + ": "
	}
	if p.Skipped {
		s += "skipped: "
	}
	return s + p.Reason
}

// Sink receives the records of a read, one call at a time from the
// reader's goroutine. The order is documented by each reader; in every
// case an Answer is passed after its Question. An error returned from
// Question or Answer stops the read, and the reader returns that error
// unchanged.
type Sink interface {
	Question(Question) error
	Answer(Answer) error
	Problem(Problem)
}

// quote quotes a value for a problem message, shortened so that a hostile
// record cannot make the message huge.
func quote(s string) string {
	const limit = 40
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q…", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}
