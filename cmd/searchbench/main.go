// Command searchbench measures import, indexing and search at scale on real
// text, in-process and over HTTP, and prints every figure of the
// performance targets in one run (make bench):
//
//	go run ./cmd/searchbench -data ../shared/data [-n 100000] [-cardano=false] [-profile DIR]
//
// It imports all the real Q&A data in the data directory (both Stack
// Exchange dumps, the Chinese medical Q&A, the SemEval threads), then an
// archive of n answers built from that real text (sentences sampled from the
// real answers, lengths drawn from the real length distribution, half
// Chinese and half English, real titles and tags), and prints for it: the
// import rate (database, index from scratch, both), search and similar
// latency percentiles in-process over a fixed query mix, a bare-bleve
// baseline on the same documents and queries, the index size, and then,
// served over HTTP by a child process (the program's router, store, index
// and follower): the time from its start to the first search answered, the
// search rate and latency under load with the 20-query mix (wrk, else a Go
// load generator), and the child's RSS. With -cardano it does the same for
// the cardano Stack Exchange dump and its 20-query mix.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"answerbook/cmd/internal/realdata"
	"answerbook/qa"
	"answerbook/qa/archive"
	"answerbook/search"
)

// options are the command's flags.
type options struct {
	data, work string
	n          int
	cardano    bool
	bare       bool
	http       httpOptions
}

func main() {
	var o options
	flag.StringVar(&o.data, "data", "../shared/data", "path to the shared data directory")
	flag.IntVar(&o.n, "n", 100000, "answers in the synthetic archive")
	flag.StringVar(&o.work, "work", "", "work directory (default: a temp dir, removed)")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.StringVar(&queryProfile, "query-cpuprofile", "", "write a CPU profile of the query phase of the last archive to this file")
	flag.BoolVar(&reindex, "reindex", true, "with -reuse, index from scratch (false: use the index in -work; with -dump, two versions then read the same index)")
	flag.StringVar(&dumpPath, "dump", "", "write every search and similar result of the main archive (ids, scores, snippets, facets) to this file, to compare two versions")
	flag.BoolVar(&reuse, "reuse", false, "reuse the archives already imported in -work (skips the imports)")
	flag.BoolVar(&o.cardano, "cardano", true, "also serve the cardano Stack Exchange dump over HTTP with its 20-query mix")
	flag.BoolVar(&o.bare, "bare", true, "also measure a bare-bleve baseline on the same documents and queries")
	flag.DurationVar(&o.http.duration, "http-duration", 15*time.Second, "length of each HTTP load (0: no HTTP phase)")
	flag.IntVar(&o.http.conns, "conns", 16, "HTTP connections")
	flag.IntVar(&o.http.threads, "threads", 2, "wrk threads")
	flag.StringVar(&o.http.profileDir, "profile", "", "write CPU and allocation profiles of the in-process queries and of the server under HTTP load to this directory")
	flag.BoolVar(&o.http.compressed, "compressed", true, "also load with Accept-Encoding: zstd, gzip")
	flag.DurationVar(&o.http.each, "http-each", 0, "also load each query of the HTTP mix alone for this long, printing its p50 and p99 (which queries make the tail)")
	serveDir := flag.String("serve", "", "internal: serve this data directory (the HTTP phase's child)")
	flag.Parse()
	if *serveDir != "" {
		if err := serve(*serveDir); err != nil {
			fmt.Fprintln(os.Stderr, "searchbench -serve:", err)
			os.Exit(1)
		}
		return
	}
	if o.http.profileDir != "" {
		if err := os.MkdirAll(o.http.profileDir, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "searchbench:", err)
			os.Exit(1)
		}
		if queryProfile == "" {
			queryProfile = filepath.Join(o.http.profileDir, "inprocess-cpu.pprof")
		}
	}
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "searchbench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "searchbench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(o options) error {
	work := o.work
	if work == "" {
		dir, err := os.MkdirTemp("", "searchbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	ctx := context.Background()
	fmt.Printf("searchbench: %d CPUs, GOMAXPROCS %d, GOMEMLIMIT %s\n\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), orNone(os.Getenv("GOMEMLIMIT")))

	// 1. All the real data.
	real := filepath.Join(work, "real")
	corpus := &corpus{}
	if _, err := bench(ctx, "real data", real, func(l *archive.Loader) error { return loadReal(ctx, o.data, l, corpus) }, nil, false, false); err != nil {
		return err
	}
	// 2. A synthetic archive of n answers from the real text.
	synth := filepath.Join(work, "synthetic")
	path := filepath.Join(work, "synthetic.jsonl")
	queriesPath := filepath.Join(work, "queries.txt")
	var extra []string
	if b, err := os.ReadFile(queriesPath); reuse && err == nil {
		extra = strings.Split(strings.TrimSpace(string(b)), "\n")
	} else {
		if err := corpus.write(path, o.n); err != nil {
			return err
		}
		extra = corpus.queries()
		if err := os.WriteFile(queriesPath, []byte(strings.Join(extra, "\n")), 0o644); err != nil {
			return err
		}
	}
	name := fmt.Sprintf("synthetic archive of %d answers", o.n)
	sf, err := bench(ctx, name, synth, func(l *archive.Loader) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return archive.ReadJSONL(ctx, bufio.NewReaderSize(f, 1<<20), l)
	}, append(append([]string{}, fixedQueries...), extra...), true, o.bare)
	if err != nil {
		return err
	}
	if o.http.duration > 0 {
		if sf.http, err = httpPhase(ctx, "synthetic", synth, mix100k, o.http); err != nil {
			return err
		}
		printHTTP(sf)
	}
	all := []*figures{sf}
	// 3. The cardano dump, served with the peer's mix.
	if o.cardano {
		dump := filepath.Join(o.data, "stackexchange", "cardano.stackexchange.com")
		cf, err := bench(ctx, "cardano Stack Exchange dump", filepath.Join(work, "cardano"), func(l *archive.Loader) error {
			_, err := archive.ReadStackExchange(ctx, dump, l, archive.SEOptions{})
			return err
		}, mixCardano, false, false)
		if err != nil {
			return err
		}
		if o.http.duration > 0 {
			if cf.http, err = httpPhase(ctx, "cardano", filepath.Join(work, "cardano"), mixCardano, o.http); err != nil {
				return err
			}
			printHTTP(cf)
		}
		all = append(all, cf)
	}
	printSummary(all)
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// bench imports into a fresh data directory, lets the index catch up, runs
// the query mix and prints the figures.
// queryProfile and reuse are set by flags.
var (
	queryProfile string
	reuse        bool
	dumpPath     string
	reindex      bool
)

// figures are what bench measured of one archive.
type figures struct {
	name                             string
	answers                          int
	dbRate, indexRate, bothRate      float64
	search, similar                  string
	searchP50, searchP99, similarP99 time.Duration
	similarP50                       time.Duration
	indexSize                        int64
	queryCPU                         time.Duration
	bare                             *bareFigures
	http                             *httpFigures
}

// main marks the archive the query profile and the dump are of; bare adds
// the bare-bleve baseline.
func bench(ctx context.Context, name, dir string, load func(*archive.Loader) error, queries []string, main, bare bool) (*figures, error) {
	s, err := qa.Open(ctx, qa.Config{DataDir: dir, QuestionQuota: -1})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	t0 := time.Now()
	var sum archive.Summary
	if n, _ := s.CountPublishedAnswers(ctx); !reuse || n == 0 {
		l := archive.NewLoader(ctx, s, qa.System())
		if err := load(l); err != nil {
			return nil, err
		}
		if sum, err = l.Finish(); err != nil {
			return nil, err
		}
	} else {
		sum.Answers = n
	}
	dbTime := time.Since(t0)

	t1, cpu1 := time.Now(), cpuTime()
	if reuse && reindex {
		// Index from scratch even when the database is reused.
		os.RemoveAll(filepath.Join(dir, "index"))
	}
	ix, err := search.Open(search.Config{Dir: filepath.Join(dir, "index"), Store: s, BatchSize: 1000, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { ix.Run(rctx); close(done) }()
	defer func() { cancel(); <-done }()
	seq, err := s.LastChangeSeq(ctx)
	if err != nil {
		return nil, err
	}
	if err := ix.WaitFor(ctx, seq); err != nil {
		return nil, err
	}
	indexTime, indexCPU := time.Since(t1), cpuTime()-cpu1

	f := &figures{name: name, answers: sum.Answers, dbRate: float64(sum.Answers) / dbTime.Seconds(),
		indexRate: float64(sum.Answers) / indexTime.Seconds(), bothRate: float64(sum.Answers) / (dbTime + indexTime).Seconds()}
	fmt.Printf("== %s\n", name)
	fmt.Printf("  imported %d questions, %d answers (%d skipped, %d failed)\n", sum.Questions, sum.Answers, sum.Skipped, sum.Failed)
	fmt.Printf("  import into the database: %v, %.0f answers/s\n", dbTime.Round(time.Millisecond), f.dbRate)
	fmt.Printf("  indexing (follower from scratch): %v, %.0f answers/s; CPU %.2f ms per answer\n", indexTime.Round(time.Millisecond), f.indexRate,
		float64(indexCPU.Microseconds())/1000/float64(max(1, sum.Answers)))
	fmt.Printf("  import and index together: %.0f answers/s\n", f.bothRate)

	if len(queries) == 0 {
		queries = fixedQueries
	}
	if queryProfile != "" && main {
		f, err := os.Create(queryProfile)
		if err != nil {
			return nil, err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var lat, simLat []time.Duration
	slow := map[string]slowQuery{}
	qcpu := cpuTime()
	for round := 0; round < 3; round++ {
		for _, q := range queries {
			start := time.Now()
			res, err := ix.Search(ctx, search.Query{Text: q})
			if err != nil && qa.ErrorCode(err) != qa.EINVALID {
				return nil, fmt.Errorf("search %q: %w", q, err)
			}
			if round > 0 {
				d := time.Since(start)
				lat = append(lat, d)
				if res != nil && d > slow[q].took {
					slow[q] = slowQuery{q, d, res.Total}
				}
			}
			start = time.Now()
			if _, err := ix.Similar(ctx, search.SimilarQuery{Title: q, PerPage: 5}); err != nil {
				return nil, fmt.Errorf("similar %q: %w", q, err)
			}
			if round > 0 {
				simLat = append(simLat, time.Since(start))
			}
		}
	}
	if queryProfile != "" && main {
		pprof.StopCPUProfile()
	}
	f.queryCPU = (cpuTime() - qcpu) / time.Duration(max(1, 3*len(queries)*2)) // 3 rounds of both
	f.search, f.similar = percentiles(lat), percentiles(simLat)
	f.searchP50, f.searchP99 = quantile(lat, 0.5), quantile(lat, 0.99)
	f.similarP50, f.similarP99 = quantile(simLat, 0.5), quantile(simLat, 0.99)
	f.indexSize = dirSize(filepath.Join(dir, "index"))
	fmt.Printf("  Search  over %d queries × 2 rounds: %s\n", len(queries), f.search)
	fmt.Printf("  Similar over %d queries × 2 rounds: %s\n", len(queries), f.similar)
	fmt.Printf("  CPU per search or similar (all 3 rounds): %s\n", ms(f.queryCPU))
	printSlowest(slow, 5)
	fmt.Printf("  index on disk: %s; database: %s; RSS %s (peak %s)\n",
		size(f.indexSize), size(dirSize(dir)-f.indexSize), rss("VmRSS"), rss("VmHWM"))
	if dumpPath != "" && main {
		if err := dump(ctx, ix, dumpPath, append(queries, mix100k...)); err != nil {
			return nil, err
		}
	}
	if bare {
		if f.bare, err = bareBaseline(ctx, s, dir, queries); err != nil {
			return nil, fmt.Errorf("bare bleve: %w", err)
		}
		fmt.Printf("  bare bleve (one field, one MatchQuery, 10 hits): indexing %.0f answers/s (%v); search %s; index %s\n",
			f.bare.indexRate, f.bare.indexDuration.Round(time.Millisecond), f.bare.search, size(f.bare.size))
	}
	fmt.Println()
	return f, nil
}

func printHTTP(f *figures) {
	h := f.http
	fmt.Printf("== %s over HTTP (%s, /api/v1/search, the 20-query mix, a member's token)\n", f.name, h.tool)
	fmt.Printf("  start to the first search answered (existing index): %v\n", h.startup.Round(time.Millisecond))
	fmt.Printf("  search: %.0f req/s, p50 %s, p99 %s (%d non-2xx); server CPU %s per request\n", h.reqs, ms(h.p50), ms(h.p99), h.errors, ms(h.cpuPerReq))
	if h.zstdMeasured {
		fmt.Printf("  search with Accept-Encoding zstd, gzip: %.0f req/s, p99 %s; server CPU %s per request\n", h.zstdReqs, ms(h.zstdP99), ms(h.zstdCPU))
	}
	fmt.Printf("  the server's own times of those searches (its /metrics histogram): p50 %s, p99 %s\n", h.serverP50, h.serverP99)
	fmt.Printf("  server RSS after the load: %s (peak %s; %s anonymous: heap and stacks, %s mapped files: the index)\n", h.rss, h.peak, h.anon, h.file)
	for _, p := range h.profileFiles {
		fmt.Printf("  profile: %s\n", p)
	}
	fmt.Println()
}

// printSummary prints every figure of the targets in one table.
func printSummary(all []*figures) {
	fmt.Println("== summary")
	for _, f := range all {
		fmt.Printf("  %s (%d answers)\n", f.name, f.answers)
		fmt.Printf("    in-process search  p50 %s p99 %s; similar p50 %s p99 %s; CPU %s per query\n", ms(f.searchP50), ms(f.searchP99), ms(f.similarP50), ms(f.similarP99), ms(f.queryCPU))
		fmt.Printf("    indexing from scratch %.0f answers/s; import and index %.0f answers/s\n", f.indexRate, f.bothRate)
		if f.bare != nil {
			fmt.Printf("    bare bleve: indexing %.0f answers/s; search %s\n", f.bare.indexRate, f.bare.search)
		}
		if h := f.http; h != nil {
			fmt.Printf("    HTTP search %.0f req/s, p50 %s p99 %s, server CPU %s per request (%s); start to first search %v; serving RSS %s\n",
				h.reqs, ms(h.p50), ms(h.p99), ms(h.cpuPerReq), h.tool, h.startup.Round(time.Millisecond), h.rss)
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration{}, d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// fixedQueries is the query mix: Chinese, English, mixed, phrases, tags.
var fixedQueries = []string{
	"高血压", "高血压能吃党参吗", "糖尿病 饮食", "孩子发烧怎么办", "怀孕 注意事项", "失眠", "胃疼 吃什么药", "腰间盘突出",
	"cardano staking rewards", "stake pool", "plutus smart contract", "how to mint NFT", "wallet", "quantum entanglement",
	"qubit measurement", "Grover's algorithm", "error correction", "visa renewal Qatar", "salary", "driving licence",
	"如何准备 system design 面试", "cardano 钱包", "量子 计算", `"stake pool"`, `"smart contract" -ethereum`, "tag:staking rewards",
	"best restaurant in doha", "mobile phone under 2000", "hadamard gate", "daedalus wallet sync",
	"quantum 纠缠", "高血压 diet",
}

type slowQuery struct {
	text  string
	took  time.Duration
	total int
}

// printSlowest prints the n slowest searches of the mix.
func printSlowest(m map[string]slowQuery, n int) {
	var all []slowQuery
	for _, q := range m {
		all = append(all, q)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].took > all[j].took })
	fmt.Printf("  slowest searches:")
	for i := 0; i < n && i < len(all); i++ {
		fmt.Printf(" %q %.1f ms (%d hits);", all[i].text, float64(all[i].took.Microseconds())/1000, all[i].total)
	}
	fmt.Println()
}

func percentiles(d []time.Duration) string {
	if len(d) == 0 {
		return "n/a"
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	p := func(q float64) float64 {
		return float64(d[min(len(d)-1, int(q*float64(len(d))))].Microseconds()) / 1000
	}
	return fmt.Sprintf("p50 %.2f ms, p95 %.2f ms, p99 %.2f ms", p(0.5), p(0.95), p(0.99))
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func size(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// rss reads a memory figure of this process from /proc.
func rss(key string) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, key+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.Atoi(f[1])
				return fmt.Sprintf("%.0f MB", float64(kb)/1000)
			}
		}
	}
	return "n/a"
}

// corpus gathers the real text the synthetic archive is built from.
type corpus struct {
	zhSentences, enSentences []string
	zhLengths, enLengths     []int // answer lengths in runes
	zhTitles, enTitles       []string
	zhTags, enTags           []string
}

// observe records a real answer's text.
func (c *corpus) observe(title, body string, tags []string, zh bool) {
	n := len([]rune(body))
	if zh {
		c.zhLengths = append(c.zhLengths, n)
		c.zhTitles = append(c.zhTitles, title)
		c.zhTags = append(c.zhTags, tags...)
		c.zhSentences = append(c.zhSentences, splitSentences(body, "。！？\n")...)
	} else {
		c.enLengths = append(c.enLengths, n)
		c.enTitles = append(c.enTitles, title)
		c.enTags = append(c.enTags, tags...)
		c.enSentences = append(c.enSentences, splitSentences(body, ".!?\n")...)
	}
}

func splitSentences(s, ends string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if strings.ContainsRune(ends, r) {
			if sent := strings.TrimSpace(s[start : i+len(string(r))]); len([]rune(sent)) > 4 {
				out = append(out, sent)
			}
			start = i + len(string(r))
		}
	}
	if sent := strings.TrimSpace(s[start:]); len([]rune(sent)) > 4 {
		out = append(out, sent)
	}
	return out
}

// write writes n synthetic Q&A pairs as JSONL.
func (c *corpus) write(path string, n int) error {
	if len(c.zhSentences) == 0 || len(c.enSentences) == 0 {
		return fmt.Errorf("no real text to sample from")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := archive.NewJSONLWriter(bw)
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		zh := i%2 == 0
		sents, lengths, titles, tags := c.enSentences, c.enLengths, c.enTitles, c.enTags
		sep := " "
		if zh {
			sents, lengths, titles, tags, sep = c.zhSentences, c.zhLengths, c.zhTitles, c.zhTags, ""
		}
		target := min(lengths[rng.IntN(len(lengths))], 15000)
		var b strings.Builder
		for b.Len() == 0 || len([]rune(b.String())) < target {
			if b.Len() > 0 {
				b.WriteString(sep)
			}
			b.WriteString(sents[rng.IntN(len(sents))])
		}
		body := string([]rune(b.String())[:min(len([]rune(b.String())), 19000)])
		var qtags []string
		for k := rng.IntN(3); k >= 0; k-- {
			if len(tags) > 0 {
				qtags = append(qtags, tags[rng.IntN(len(tags))])
			}
		}
		id := strconv.Itoa(i)
		at := base.Add(time.Duration(i) * time.Minute)
		if err := w.Question(archive.Question{SourceID: "syn/q/" + id, Title: titles[rng.IntN(len(titles))], Body: sents[rng.IntN(len(sents))], Tags: qtags, AskedAt: at, Status: "answered"}); err != nil {
			return err
		}
		if err := w.Answer(archive.Answer{SourceID: "syn/a/" + id, QuestionID: "syn/q/" + id, Body: realdata.EscapeMD(body), PublishedAt: at.Add(time.Hour), Public: i%10 == 0}); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// queries adds real titles to the query mix.
func (c *corpus) queries() []string {
	var out []string
	for i := 0; i < 35 && i < len(c.zhTitles); i++ {
		out = append(out, c.zhTitles[i*len(c.zhTitles)/35])
	}
	for i := 0; i < 35 && i < len(c.enTitles); i++ {
		out = append(out, c.enTitles[i*len(c.enTitles)/35])
	}
	return out
}

// recorder passes records to the loader and feeds the corpus.
type recorder struct {
	*archive.Loader
	c      *corpus
	titles map[string]string
	tags   map[string][]string
	zh     bool
}

func (r *recorder) Question(q archive.Question) error {
	r.titles[q.SourceID] = q.Title
	r.tags[q.SourceID] = q.Tags
	return r.Loader.Question(q)
}

func (r *recorder) Answer(a archive.Answer) error {
	r.c.observe(r.titles[a.QuestionID], a.Body, r.tags[a.QuestionID], r.zh)
	return r.Loader.Answer(a)
}

func loadReal(ctx context.Context, data string, l *archive.Loader, c *corpus) error {
	newRec := func(zh bool) *recorder {
		return &recorder{Loader: l, c: c, titles: map[string]string{}, tags: map[string][]string{}, zh: zh}
	}
	root := filepath.Join(data, "stackexchange")
	sites, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	for _, site := range sites {
		if _, err := archive.ReadStackExchange(ctx, filepath.Join(root, site.Name()), newRec(false), archive.SEOptions{}); err != nil {
			return err
		}
	}
	if _, err := realdata.ReadMedical(filepath.Join(data, realdata.MedicalCSV), newRec(true)); err != nil {
		return err
	}
	for _, f := range []string{"SemEval2016-Task3-CQA-QL-train-part2.xml", "SemEval2016-Task3-CQA-QL-test-input.xml"} {
		if err := loadSemEval(filepath.Join(data, "semeval2016-qatarliving", f), newRec(false)); err != nil {
			return err
		}
	}
	return nil
}

// loadSemEval imports each related question of a SemEval file with its
// comments as the answer.
func loadSemEval(path string, sink archive.Sink) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := xml.NewDecoder(bufio.NewReader(f))
	dec.Strict = false
	seen := map[string]bool{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Thread" {
			continue
		}
		var t struct {
			RelQ struct {
				ID      string `xml:"RELQ_ID,attr"`
				Subject string `xml:"RelQSubject"`
				Body    string `xml:"RelQBody"`
			} `xml:"RelQuestion"`
			Comments []struct {
				Text string `xml:"RelCText"`
			} `xml:"RelComment"`
		}
		if err := dec.DecodeElement(&t, &se); err != nil {
			return err
		}
		if seen[t.RelQ.ID] || strings.TrimSpace(t.RelQ.Subject) == "" {
			continue
		}
		seen[t.RelQ.ID] = true
		var cs []string
		for _, c := range t.Comments {
			cs = append(cs, strings.TrimSpace(c.Text))
		}
		body := strings.Join(cs, "\n\n")
		if strings.TrimSpace(body) == "" {
			continue
		}
		if err := sink.Question(archive.Question{SourceID: "semeval/q/" + t.RelQ.ID, Title: realdata.Truncate(t.RelQ.Subject, qa.MaxTitleLen), Body: realdata.EscapeMD(realdata.Truncate(t.RelQ.Body, 5000)), Tags: []string{"qatar"}, Status: "answered"}); err != nil {
			return err
		}
		if err := sink.Answer(archive.Answer{SourceID: "semeval/a/" + t.RelQ.ID, QuestionID: "semeval/q/" + t.RelQ.ID, Body: realdata.EscapeMD(realdata.Truncate(body, 15000))}); err != nil {
			return err
		}
	}
}

// dump writes the results of searches and similar questions for each query
// (first and second page, public only, by date) as JSON lines, so that two
// versions can be compared with diff.
func dump(ctx context.Context, ix *search.Index, path string, queries []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for _, q := range queries {
		for _, sq := range []search.Query{{Text: q}, {Text: q, Page: 2}, {Text: q, PublicOnly: true}, {Text: q, Newest: true}} {
			res, err := ix.Search(ctx, sq)
			if err != nil {
				res = &search.Result{}
			}
			res.Took = 0
			if err := enc.Encode(map[string]any{"search": sq, "result": res, "err": fmt.Sprint(err)}); err != nil {
				return err
			}
		}
		for _, sq := range []search.SimilarQuery{{Title: q}, {Title: q, Body: q + " " + q, PerPage: 10}} {
			res, err := ix.Similar(ctx, sq)
			if err != nil {
				res = &search.Result{}
			}
			res.Took = 0
			if err := enc.Encode(map[string]any{"similar": sq, "result": res, "err": fmt.Sprint(err)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
