package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	_ "net/http/pprof" // the serving child's profiles, on a listener of their own
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"answerbook/internal/server"
	"answerbook/qa"
	"answerbook/search"
)

// The HTTP phase serves a data directory from a child process (this
// program with -serve: the store, the index and its follower, and the
// program's router with all its middleware, as answerbook serve wires
// them), times its start to the first search answered, loads it with wrk
// (or, without wrk, a Go load generator) and reads its RSS. With
// -profile, the child's CPU profile under load and its allocations are
// saved.

// mixCardano is the 20-query mix the peer was measured with on the cardano
// dump (../shared/bench/mix-cardano.lua).
var mixCardano = []string{"cardano", "transaction", "wallet", "plutus", "stake", "daedalus", "utxo", "metadata", "signing", "tutorial",
	"policyid", "smart contract", "stake pool", "native token", "seed phrase", "validator script", "private key",
	"transaction fees", "execstart", "lobsternft"}

// mix100k is the 20-query mix of the 100k archive (../shared/bench/mix100k.lua).
var mix100k = []string{"高血压", "糖尿病 饮食", "怀孕 注意事项", "乙肝 大三阳", "胃炎 吃什么药", "失眠 怎么办", "儿童 发烧", "腰疼",
	"stake pool", "transaction fees", "qubit", "quantum entanglement", "smart contract", "wallet", "plutus script",
	"高血压 diet", "quantum 纠缠", "cardano 钱包", "metadata", "native token"}

// httpFigures are what the HTTP phase measured.
type httpFigures struct {
	tool       string
	startup    time.Duration
	reqs       float64
	p50, p99   time.Duration
	rss, peak  string
	anon, file string // of rss: anonymous memory (heap, stacks) and mapped files (the index)
	// serverP50, serverP99 are the server's own times of the searches of
	// the load, from its /metrics histogram (the bucket's upper bound):
	// without the client's share of a 2-core machine.
	serverP50, serverP99 string
	errors               int
	profileFiles         []string
	zstdReqs             float64
	zstdP99              time.Duration
	zstdMeasured         bool
	zstdCPU              time.Duration
	firstResponse        int
	// cpuPerReq is the server's CPU time per request under the load (less
	// sensitive than req/s to other processes on the machine).
	cpuPerReq time.Duration
}

// httpOptions configure the HTTP phase.
type httpOptions struct {
	duration   time.Duration
	conns      int
	threads    int
	profileDir string
	// compressed also loads with Accept-Encoding: zstd, gzip.
	compressed bool
	// each also loads each query of the mix alone (-http-each).
	each time.Duration
}

// benchToken makes (or reuses) a member with a membership and returns a
// read token of theirs.
func benchToken(ctx context.Context, dir string) (string, error) {
	s, err := qa.Open(ctx, qa.Config{DataDir: dir, QuestionQuota: -1})
	if err != nil {
		return "", err
	}
	defer s.Close()
	const email = "bench@example.org"
	m, err := s.FindMemberByEmail(ctx, email)
	if qa.ErrorCode(err) == qa.ENOTFOUND {
		until := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
		m, err = s.CreateMember(ctx, qa.System(), qa.MemberCreate{Email: email, Name: "Bench 基准", Role: qa.RoleMember, ActiveUntil: &until})
	}
	if err != nil {
		return "", err
	}
	tok, _, err := s.CreateToken(ctx, qa.System(), m.ID, qa.TokenCreate{Label: "bench", Scope: qa.ScopeRead})
	return tok, err
}

// httpPhase serves dir from a child and loads it with the mix.
func httpPhase(ctx context.Context, name, dir string, mix []string, o httpOptions) (*httpFigures, error) {
	tok, err := benchToken(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	f := &httpFigures{}
	start := time.Now()
	cmd := exec.CommandContext(ctx, exe, "-serve", dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	// The child prints "serving ADDR PPROF" once it listens.
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("child: %w", err)
	}
	fields := strings.Fields(line)
	if len(fields) != 3 || fields[0] != "serving" {
		return nil, fmt.Errorf("child said %q", line)
	}
	base, pprofAddr := "http://"+fields[1], "http://"+fields[2]
	go io.Copy(io.Discard, out)

	// Start to the first search answered.
	client := &http.Client{Timeout: 10 * time.Second}
	first := base + "/api/v1/search?q=" + url.QueryEscape(mix[0])
	for {
		st, err := get(client, first, tok, "")
		if err == nil && st == http.StatusOK {
			f.startup = time.Since(start)
			break
		}
		f.firstResponse = st
		if time.Since(start) > 2*time.Minute {
			return nil, fmt.Errorf("no search answered 2 minutes after the start (last status %d, %v)", st, err)
		}
		time.Sleep(2 * time.Millisecond)
	}

	script, err := luaScript(mix, tok, "")
	if err != nil {
		return nil, err
	}
	defer os.Remove(script)
	// Warm-up.
	if _, err := load(base, script, mix, tok, "", 3*time.Second, o); err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	var profErr error
	if o.profileDir != "" {
		secs := int(o.duration.Seconds()) - 2
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := filepath.Join(o.profileDir, name+"-http-cpu.pprof")
			profErr = fetch(pprofAddr+"/debug/pprof/profile?seconds="+strconv.Itoa(max(1, secs)), p)
			f.profileFiles = append(f.profileFiles, p)
		}()
		p := filepath.Join(o.profileDir, name+"-http-allocs-before.pprof")
		if err := fetch(pprofAddr+"/debug/pprof/allocs", p); err != nil {
			return nil, err
		}
	}
	cpu0 := procCPU(cmd.Process.Pid)
	before := serverLatencies(base)
	r, err := load(base, script, mix, tok, "", o.duration, o)
	if err != nil {
		return nil, err
	}
	f.serverP50, f.serverP99 = serverLatencies(base).since(before)
	if n := r.reqs * o.duration.Seconds(); n > 0 {
		f.cpuPerReq = time.Duration(float64(procCPU(cmd.Process.Pid)-cpu0) / n)
	}
	if o.each > 0 {
		// Which queries make the tail: each alone, as many connections.
		for _, q := range mix {
			e := goLoad(base, []string{q}, tok, "", o.each, o.conns)
			fmt.Printf("  alone %-28q %6.0f req/s, p50 %s, p99 %s\n", q, e.reqs, ms(e.p50), ms(e.p99))
		}
	}
	wg.Wait()
	if profErr != nil {
		return nil, profErr
	}
	if o.profileDir != "" {
		p := filepath.Join(o.profileDir, name+"-http-allocs.pprof")
		if err := fetch(pprofAddr+"/debug/pprof/allocs", p); err != nil {
			return nil, err
		}
		f.profileFiles = append(f.profileFiles, p+" (diff_base "+name+"-http-allocs-before.pprof)")
	}
	f.tool, f.reqs, f.p50, f.p99, f.errors = r.tool, r.reqs, r.p50, r.p99, r.errors
	f.rss, f.peak = procStatus(cmd.Process.Pid, "VmRSS"), procStatus(cmd.Process.Pid, "VmHWM")
	f.anon, f.file = procStatus(cmd.Process.Pid, "RssAnon"), procStatus(cmd.Process.Pid, "RssFile")
	if o.compressed {
		zs, err := luaScript(mix, tok, "zstd, gzip")
		if err != nil {
			return nil, err
		}
		defer os.Remove(zs)
		cpu0 := procCPU(cmd.Process.Pid)
		r, err := load(base, zs, mix, tok, "zstd, gzip", o.duration, o)
		if err != nil {
			return nil, err
		}
		f.zstdMeasured, f.zstdReqs, f.zstdP99 = true, r.reqs, r.p99
		if n := r.reqs * o.duration.Seconds(); n > 0 {
			f.zstdCPU = time.Duration(float64(procCPU(cmd.Process.Pid)-cpu0) / n)
		}
	}
	return f, nil
}

func get(client *http.Client, u, tok, enc string) (int, error) {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if enc != "" {
		req.Header.Set("Accept-Encoding", enc)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

func fetch(u, path string) error {
	res, err := http.Get(u)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", u, res.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// luaScript writes a wrk script that cycles through the mix.
func luaScript(mix []string, tok, enc string) (string, error) {
	var b strings.Builder
	b.WriteString("local qs = {")
	for i, q := range mix {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(strconv.Quote(strings.ReplaceAll(url.QueryEscape(q), "+", "%20")))
	}
	b.WriteString("}\nlocal i = 0\nlocal h = {[\"Authorization\"] = \"Bearer " + tok + "\"")
	if enc != "" {
		b.WriteString(", [\"Accept-Encoding\"] = \"" + enc + "\"")
	}
	b.WriteString("}\nrequest = function()\n  i = i + 1\n  return wrk.format(\"GET\", \"/api/v1/search?q=\" .. qs[(i % #qs) + 1], h)\nend\n")
	f, err := os.CreateTemp("", "searchbench-*.lua")
	if err != nil {
		return "", err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return "", err
	}
	return f.Name(), f.Close()
}

type loadResult struct {
	tool     string
	reqs     float64
	p50, p99 time.Duration
	errors   int
}

// load runs wrk when it is installed, else the Go load generator.
func load(base, script string, mix []string, tok, enc string, d time.Duration, o httpOptions) (*loadResult, error) {
	if wrk, err := exec.LookPath("wrk"); err == nil {
		return runWrk(wrk, base, script, d, o)
	}
	return goLoad(base, mix, tok, enc, d, o.conns), nil
}

var (
	wrkReqs    = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkLatency = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	wrkErrors  = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
)

func runWrk(wrk, base, script string, d time.Duration, o httpOptions) (*loadResult, error) {
	out, err := exec.Command(wrk, "-t"+strconv.Itoa(o.threads), "-c"+strconv.Itoa(o.conns), "-d"+strconv.Itoa(max(1, int(d.Seconds())))+"s",
		"--latency", "-s", script, base).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("wrk: %v: %s", err, out)
	}
	r := &loadResult{tool: fmt.Sprintf("wrk -t%d -c%d -d%s", o.threads, o.conns, d)}
	m := wrkReqs.FindSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("wrk printed no Requests/sec: %s", out)
	}
	r.reqs, _ = strconv.ParseFloat(string(m[1]), 64)
	for _, m := range wrkLatency.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(m[2]), 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(m[3])]
		if string(m[1]) == "50" {
			r.p50 = time.Duration(v * float64(unit))
		} else {
			r.p99 = time.Duration(v * float64(unit))
		}
	}
	if m := wrkErrors.FindSubmatch(out); m != nil {
		r.errors, _ = strconv.Atoi(string(m[1]))
	}
	return r, nil
}

// goLoad is the load generator without wrk: conns connections, each
// sending the next query of the mix as soon as the last is answered.
func goLoad(base string, mix []string, tok, enc string, d time.Duration, conns int) *loadResult {
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}, Timeout: 10 * time.Second}
			var mine []time.Duration
			bad := 0
			for i := c; time.Now().Before(deadline); i++ {
				t := time.Now()
				st, err := get(client, base+"/api/v1/search?q="+url.QueryEscape(mix[i%len(mix)]), tok, enc)
				mine = append(mine, time.Since(t))
				if err != nil || st != http.StatusOK {
					bad++
				}
			}
			mu.Lock()
			lat, errs = append(lat, mine...), errs+bad
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r := &loadResult{tool: fmt.Sprintf("Go load generator, %d connections, %s", conns, d), reqs: float64(len(lat)) / d.Seconds(), errors: errs}
	if len(lat) > 0 {
		r.p50, r.p99 = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return r
}

// procStatus reads a memory figure of a process from /proc.
func procStatus(pid int, key string) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "n/a"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, key+":") {
			if f := strings.Fields(line); len(f) >= 2 {
				kb, _ := strconv.Atoi(f[1])
				return fmt.Sprintf("%.0f MB", float64(kb)/1000)
			}
		}
	}
	return "n/a"
}

// serve is the child: it serves dir as answerbook serve does (store, index
// and follower, the router) on a free port, with pprof on another, prints
// "serving ADDR PPROF" and runs until interrupted.
func serve(dir string) error {
	server.SetGCPercent(server.DefaultGCPercent)
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := qa.Open(ctx, qa.Config{DataDir: dir, Logger: logger})
	if err != nil {
		return err
	}
	defer s.Close()
	ix, err := search.Open(search.Config{Dir: filepath.Join(dir, "index"), Store: s, Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	pln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	rt, err := server.New(server.Config{Store: s, Index: ix, BaseURL: "http://" + ln.Addr().String(), Logger: logger})
	if err != nil {
		return err
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { ix.Run(rctx); close(done) }()
	srv := server.NewHTTPServer(rt, logger)
	go srv.Serve(ln)
	go http.Serve(pln, http.DefaultServeMux)
	fmt.Printf("serving %s %s\n", ln.Addr(), pln.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
	defer scancel()
	err = srv.Shutdown(sctx)
	cancel()
	<-done
	if cerr := ix.Close(); err == nil && !errors.Is(cerr, context.Canceled) {
		err = cerr
	}
	return err
}

// procCPU is the CPU time (user and system) a process has used, from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

// latencyBuckets are the cumulative counts of the server's histogram of
// GET /api/v1/search durations, by upper bound in seconds.
type latencyBuckets map[float64]float64

// serverLatencies reads the histogram from the server's /metrics (nil when
// it cannot).
func serverLatencies(base string) latencyBuckets {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return nil
	}
	out := latencyBuckets{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "answerbook_http_request_duration_seconds_bucket{") ||
			!strings.Contains(line, `route="/api/v1/search"`) || !strings.Contains(line, `method="GET"`) {
			continue
		}
		i := strings.Index(line, `le="`)
		j := strings.LastIndex(line, " ")
		if i < 0 || j < 0 {
			continue
		}
		le := line[i+4:]
		le = le[:strings.Index(le, `"`)]
		n, err := strconv.ParseFloat(line[j+1:], 64)
		if err != nil {
			continue
		}
		ub := math.Inf(1)
		if le != "+Inf" {
			if ub, err = strconv.ParseFloat(le, 64); err != nil {
				continue
			}
		}
		out[ub] += n
	}
	return out
}

// since is the median and 99th percentile of the requests counted after
// before, as the upper bounds of their buckets ("≤ 25 ms").
func (l latencyBuckets) since(before latencyBuckets) (string, string) {
	if len(l) == 0 {
		return "n/a", "n/a"
	}
	var bounds []float64
	for ub := range l {
		bounds = append(bounds, ub)
	}
	sort.Float64s(bounds)
	total := l[math.Inf(1)] - before[math.Inf(1)]
	q := func(p float64) string {
		for _, ub := range bounds {
			if l[ub]-before[ub] >= p*total {
				if math.IsInf(ub, 1) {
					return "> the last bucket"
				}
				return fmt.Sprintf("≤ %g ms", ub*1000)
			}
		}
		return "n/a"
	}
	return q(0.5), q(0.99)
}
