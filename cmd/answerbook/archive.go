package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"answerbook/qa"
	"answerbook/qa/archive"
	"answerbook/search"
)

// ImportCmd is "import".
type ImportCmd struct {
	Format string   `enum:"auto,stackexchange,jsonl,csv" default:"auto" help:"stackexchange (a dump directory), jsonl, csv (a spreadsheet with a header row), or auto (a directory is a Stack Exchange dump, a .csv file CSV, any other file JSONL)."`
	Map    string   `name:"map" help:"For CSV: which column holds each field, field=column,… (fields: id, title, body, answer, tags, asked_at, published_at, public); unmapped fields take the column of their own name. Without an id column a row's id is a hash of its text, so importing again adds nothing twice."`
	Paths  []string `arg:"" name:"path" help:"Stack Exchange dump directories, JSONL or CSV files." type:"path"`
}

// Run imports every path, then brings the search index up to date when no
// server holds it (a running server follows the change log by itself).
func (c *ImportCmd) Run(g *Globals, e *env) error {
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	csvMap, err := archive.ParseCSVMap(c.Map)
	if err != nil {
		return qa.Errorf(qa.EINVALID, "--map: %v", err)
	}
	start := time.Now()
	var total archive.Summary
	total.Reasons = map[string]int{}
	for i, p := range c.Paths {
		sum, err := importPath(e, s, c.Format, csvMap, p)
		addSummary(&total, sum)
		if err != nil && e.ctx.Err() != nil {
			// Ctrl-C (or SIGTERM): every batch is its own transaction, so
			// what is in is whole and the rest was never begun.
			printSummary(e.stderr, total, time.Since(start))
			fmt.Fprintf(e.stderr, "interrupted during %s (file %d of %d): stopped cleanly after %d questions and %d answers; "+
				"run the same import again to finish (what is in already is skipped)\n", p, i+1, len(c.Paths), total.Questions, total.Answers)
			return exitError(exitInterrupted)
		}
		if err != nil {
			printSummary(e.stderr, total, time.Since(start))
			return err
		}
	}
	printSummary(e.stderr, total, time.Since(start))
	return catchUpIndex(e, g, s)
}

func importPath(e *env, s *qa.Store, format string, csvMap archive.CSVMap, path string) (archive.Summary, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return archive.Summary{}, qa.Errorf(qa.EINVALID, "cannot read %s: %v", path, errors.Unwrap(err))
	}
	if format == "auto" {
		switch {
		case fi.IsDir():
			format = "stackexchange"
		case strings.EqualFold(filepath.Ext(path), ".csv"):
			format = "csv"
		default:
			format = "jsonl"
		}
	}
	bar := newProgress(e.stderr, filepath.Base(path))
	l := archive.NewLoader(e.ctx, s, qa.System())
	l.OnBatch = func(sum archive.Summary) { bar.count(sum.Answers, sum.Questions) }
	switch format {
	case "stackexchange":
		if !fi.IsDir() {
			return archive.Summary{}, qa.Errorf(qa.EINVALID, "%s is not a Stack Exchange dump directory", path)
		}
		_, err = archive.ReadStackExchange(e.ctx, path, l, archive.SEOptions{Progress: bar.bytes})
	default:
		if fi.IsDir() {
			return archive.Summary{}, qa.Errorf(qa.EINVALID, "%s is a directory, not a %s file", path, strings.ToUpper(format))
		}
		var f *os.File
		f, err = os.Open(path)
		if err != nil {
			return archive.Summary{}, err
		}
		defer f.Close()
		cr := &countingReader{r: bufio.NewReaderSize(f, 1<<20), total: fi.Size(), progress: bar.bytes}
		if format == "csv" {
			err = archive.ReadCSV(e.ctx, cr, csvMap, l)
		} else {
			err = archive.ReadJSONL(e.ctx, cr, l)
		}
	}
	if err != nil {
		if e.ctx.Err() != nil {
			// Interrupted: the bar stays where it stopped; the records
			// read but not yet in a batch are left for the next run.
			bar.stop()
			return l.Summary(), err
		}
		bar.done()
		sum, _ := l.Finish()
		return sum, err
	}
	sum, err := l.Finish()
	bar.done()
	return sum, err
}

func addSummary(t *archive.Summary, s archive.Summary) {
	t.Questions += s.Questions
	t.Answers += s.Answers
	t.Existing += s.Existing
	t.Skipped += s.Skipped
	t.Failed += s.Failed
	for r, n := range s.Reasons {
		t.Reasons[r] += n
	}
	for _, ex := range s.Examples {
		if len(t.Examples) < 20 {
			t.Examples = append(t.Examples, ex)
		}
	}
}

func printSummary(w io.Writer, s archive.Summary, took time.Duration) {
	rate := float64(s.Answers) / took.Seconds()
	fmt.Fprintf(w, "imported %d questions and %d answers in %v (%.0f answers/s); %d already imported; %d skipped; %d failed\n",
		s.Questions, s.Answers, took.Round(time.Millisecond), rate, s.Existing, s.Skipped, s.Failed)
	for _, r := range s.SortedReasons() {
		fmt.Fprintf(w, "  %6d  %s\n", s.Reasons[r], r)
	}
	if len(s.Examples) > 0 {
		fmt.Fprintln(w, "first problems:")
		for _, ex := range s.Examples {
			fmt.Fprintln(w, "  "+ex)
		}
	}
}

// catchUpIndex applies the new changes to the search index, unless a running
// server holds it (it follows the change log itself).
func catchUpIndex(e *env, g *Globals, s *qa.Store) error {
	ix, err := search.Open(search.Config{Dir: filepath.Join(g.Data, "index"), Store: s, Logger: newLogger(e.stderr, "error")})
	if err != nil {
		fmt.Fprintln(e.stderr, "the search index is in use by a running server, which will index the new answers itself")
		return nil
	}
	defer ix.Close()
	seq, err := s.LastChangeSeq(e.ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- ix.Run(ctx) }()
	fmt.Fprintln(e.stderr, "updating the search index…")
	err = ix.WaitFor(e.ctx, seq)
	cancel()
	<-done
	if err != nil && e.ctx.Err() != nil {
		fmt.Fprintf(e.stderr, "interrupted while updating the search index (at change %d of %d): the import itself is complete; "+
			"the server brings the index up to date when it starts\n", ix.Applied(), seq)
		return exitError(exitInterrupted)
	}
	if err != nil {
		return fmt.Errorf("update the search index: %w", err)
	}
	fmt.Fprintln(e.stderr, "the search index is up to date")
	return nil
}

// ExportCmd is "export".
type ExportCmd struct {
	Out string `required:"" help:"File to write the JSONL archive to (must not exist; '-' for standard output)." type:"path"`
}

// Run writes every question and answer as JSONL, streaming.
func (c *ExportCmd) Run(g *Globals, e *env) error {
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	var w io.Writer = e.stdout
	var f *os.File
	if c.Out != "-" {
		// The archive (every question, who asked aside) is written to a
		// file of our own beside --out (0600, a random name, created
		// exclusively, so a planted symlink is never followed) and linked
		// to --out at the end: link(2) refuses an existing --out, symlink
		// or not, so nothing is overwritten and no half-written archive
		// ever bears its name.
		if _, err := os.Lstat(c.Out); err == nil {
			return fmt.Errorf("%s exists: choose a new file", c.Out)
		}
		if f, err = os.CreateTemp(filepath.Dir(c.Out), ".answerbook-export-*"); err != nil {
			return err
		}
		defer os.Remove(f.Name())
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	jw := archive.NewJSONLWriter(bw)
	nq, na, err := exportAll(e.ctx, s, jw)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f != nil {
		if err := f.Sync(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		if err := os.Link(f.Name(), c.Out); err != nil {
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s exists: choose a new file", c.Out)
			}
			return err
		}
	}
	fmt.Fprintf(e.stderr, "exported %d questions and %d answers\n", nq, na)
	return nil
}

// exportID is the id a record gets in an export: its source id, or one made
// from the database id.
func exportID(prefix string, id int64, source *string) string {
	if source != nil && *source != "" {
		return *source
	}
	return fmt.Sprintf("%s-%d", prefix, id)
}

func exportAll(ctx context.Context, s *qa.Store, jw *archive.JSONLWriter) (nq, na int, err error) {
	var after int64
	for {
		items, err := s.ExportBatch(ctx, qa.System(), after, 500)
		if err != nil {
			return nq, na, err
		}
		if len(items) == 0 {
			return nq, na, nil
		}
		for _, it := range items {
			q := it.Question
			aq := archive.Question{
				SourceID: exportID("q", q.ID, q.SourceID), Title: q.Title, Body: q.Body, Tags: q.Tags,
				AskedAt: q.CreatedAt, Anonymous: q.Anonymous, Status: string(q.Status), DeclineReason: q.DeclineReason,
			}
			if it.DuplicateOf != nil {
				aq.DuplicateOf = exportID("q", it.DuplicateOf.ID, it.DuplicateOf.SourceID)
			}
			if err := jw.Question(aq); err != nil {
				return nq, na, err
			}
			nq++
			if a := it.Answer; a != nil && a.Published {
				if err := jw.Answer(archive.Answer{
					SourceID: exportID("a", a.ID, a.SourceID), QuestionID: aq.SourceID, Body: a.BodyMarkdown,
					Tags: a.Tags, PublishedAt: a.PublishedAt, Public: a.Public,
				}); err != nil {
					return nq, na, err
				}
				na++
			}
		}
		after = items[len(items)-1].Question.ID
	}
}

// ReindexCmd is "reindex".
type ReindexCmd struct{}

// Run rebuilds the search index from the database, with progress.
func (c *ReindexCmd) Run(g *Globals, e *env) error {
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	ix, err := search.Open(search.Config{Dir: filepath.Join(g.Data, "index"), Store: s, Logger: newLogger(e.stderr, "info")})
	if err != nil {
		return err
	}
	defer ix.Close()
	return ix.Rebuild(e.ctx)
}

// countingReader reports how far a file has been read.
type countingReader struct {
	r        io.Reader
	n, total int64
	progress func(done, total int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil {
		c.progress(c.n, c.total)
	}
	return n, err
}

// progress draws a progress bar on a terminal, and a line every few seconds
// elsewhere.
type progress struct {
	w        io.Writer
	name     string
	tty      bool
	last     time.Time
	doneB    int64
	totalB   int64
	answers  int
	question int
}

func newProgress(w io.Writer, name string) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, name: name, tty: tty}
}

func (p *progress) bytes(done, total int64) {
	p.doneB, p.totalB = done, total
	p.draw(false)
}

func (p *progress) count(answers, questions int) {
	p.answers, p.question = answers, questions
	p.draw(false)
}

func (p *progress) draw(final bool) {
	every := 5 * time.Second
	if p.tty {
		every = 100 * time.Millisecond
	}
	if !final && time.Since(p.last) < every {
		return
	}
	p.last = time.Now()
	pct := 0.0
	if p.totalB > 0 {
		pct = float64(p.doneB) / float64(p.totalB)
	}
	const width = 30
	fill := int(pct * width)
	bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
	line := fmt.Sprintf("%s [%s] %3.0f%%  %d questions, %d answers", p.name, bar, 100*pct, p.question, p.answers)
	if p.tty {
		fmt.Fprintf(p.w, "\r%s", line)
		if final {
			fmt.Fprintln(p.w)
		}
		return
	}
	fmt.Fprintln(p.w, line)
}

// stop draws the bar where it stands, for the last time.
func (p *progress) stop() { p.draw(true) }

func (p *progress) done() {
	if p.totalB > 0 {
		p.doneB = p.totalB
	}
	p.draw(true)
}
