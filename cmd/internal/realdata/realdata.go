// Package realdata reads the shared data sets in ../shared/data for the
// evaluation and benchmark commands: formats of those data sets, not
// formats the product imports (those are in qa/archive).
package realdata

import (
	"encoding/csv"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"answerbook/qa"
	"answerbook/qa/archive"
)

// Sink receives questions and their answers (an archive.Loader or an
// archive.JSONLWriter).
type Sink interface {
	Question(archive.Question) error
	Answer(archive.Answer) error
}

// MedicalCSV is zh-medical-qa's file under the data directory.
const MedicalCSV = "zh-medical-qa/medical-qa.utf8.csv"

// ReadMedical passes zh-medical-qa's CSV (department,title,ask,answer) to
// sink as answered questions with their answers, the department as the
// tag, and returns how many pairs it passed. Rows without a title or an
// answer are left out.
func ReadMedical(path string, sink Sink) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for line := 0; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if line == 0 || len(rec) != 4 || strings.TrimSpace(rec[1]) == "" || strings.TrimSpace(rec[3]) == "" {
			continue
		}
		id := strconv.Itoa(line)
		at := base.Add(time.Duration(line) * time.Hour)
		if err := sink.Question(archive.Question{SourceID: "zh-med/q/" + id, Title: Truncate(rec[1], qa.MaxTitleLen), Body: EscapeMD(rec[2]), Tags: []string{rec[0]}, AskedAt: at, Status: "answered"}); err != nil {
			return n, err
		}
		if err := sink.Answer(archive.Answer{SourceID: "zh-med/a/" + id, QuestionID: "zh-med/q/" + id, Body: EscapeMD(rec[3]), PublishedAt: at.Add(time.Hour)}); err != nil {
			return n, err
		}
		n++
	}
}

// Truncate trims s and keeps at most n runes of it.
func Truncate(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n])
}

var mdEscaper = strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "#", "\\#", "<", "&lt;", ">", "&gt;", "[", "\\[", "`", "\\`", "|", "\\|")

// EscapeMD keeps forum text literal when it is stored as Markdown.
func EscapeMD(s string) string { return mdEscaper.Replace(s) }
