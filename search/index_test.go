package search_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"answerbook/internal/pgtest"
	"answerbook/qa"
	"answerbook/search"
)

// env is a real store and a real index on disk with its follower running.
type env struct {
	t      testing.TB
	ctx    context.Context
	store  *qa.Store
	ix     *search.Index
	dir    string
	expert qa.Actor
	stop   func()
}

func newEnv(t testing.TB) *env {
	t.Helper()
	dir := t.TempDir()
	cfg := qa.Config{DataDir: dir, QuestionQuota: -1}
	if pgtest.All(t) {
		cfg.DSN = pgtest.Schema(t)
	}
	s, err := qa.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	m, err := s.CreateMember(context.Background(), qa.System(), qa.MemberCreate{Email: "expert@example.com", Name: "Expert", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: context.Background(), store: s, dir: dir, expert: qa.Actor{Member: m, Scope: qa.ScopeWrite}}
	e.start()
	t.Cleanup(e.close)
	return e
}

// start opens the index and runs its follower.
func (e *env) start() {
	e.t.Helper()
	ix, err := search.Open(search.Config{Dir: filepath.Join(e.dir, "index"), Store: e.store, Poll: 20 * time.Millisecond})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ix.Run(ctx); close(done) }()
	e.ix = ix
	e.stop = func() { cancel(); <-done; ix.Close() }
}

func (e *env) close() {
	if e.stop != nil {
		e.stop()
		e.stop = nil
	}
}

// publish creates an FAQ answer and waits until it is searchable.
func (e *env) publish(title, body string, public bool, tags ...string) *qa.Answer {
	e.t.Helper()
	if tags == nil {
		tags = []string{}
	}
	a, err := e.store.CreateAnswer(e.ctx, e.expert, qa.AnswerCreate{Title: &title, Body: body, Tags: tags, Public: public})
	if err != nil {
		e.t.Fatal(err)
	}
	e.wait(a.ChangeSeq)
	return a
}

func (e *env) wait(seq int64) { e.waitUpTo(seq, 5*time.Second) }

func (e *env) waitUpTo(seq int64, d time.Duration) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, d)
	defer cancel()
	if err := e.ix.WaitFor(ctx, seq); err != nil {
		e.t.Fatalf("index did not reach seq %d: %v", seq, err)
	}
}

func (e *env) search(q search.Query) *search.Result {
	e.t.Helper()
	res, err := e.ix.Search(e.ctx, q)
	if err != nil {
		e.t.Fatalf("search %+v: %v", q, err)
	}
	return res
}

// ids returns the hit ids.
func ids(r *search.Result) []int64 {
	out := make([]int64, len(r.Hits))
	for i, h := range r.Hits {
		out[i] = h.ID
	}
	return out
}

func has(r *search.Result, id int64) bool {
	for _, h := range r.Hits {
		if h.ID == id {
			return true
		}
	}
	return false
}

// TestIndex_Conformance: publish, edit, unpublish, delete — search agrees
// with the database after each.
func TestIndex_Conformance(t *testing.T) {
	e := newEnv(t)
	a := e.publish("如何准备系统设计面试", "先复习分布式系统的基础，再练习画架构图。", false, "面试")
	if r := e.search(search.Query{Text: "系统设计"}); !has(r, a.ID) {
		t.Fatalf("published answer not found: %v", ids(r))
	}
	u, err := e.store.UpdateAnswer(e.ctx, e.expert, a.ID, qa.AnswerUpdate{Body: ptr("Practise whiteboard interviews with a friend.")})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(u.ChangeSeq)
	if r := e.search(search.Query{Text: "whiteboard"}); !has(r, a.ID) {
		t.Fatal("edited text not found")
	}
	if r := e.search(search.Query{Text: "分布式"}); has(r, a.ID) {
		t.Fatal("text removed by the edit is still found")
	}
	u, err = e.store.UpdateAnswer(e.ctx, e.expert, a.ID, qa.AnswerUpdate{Published: ptr(false)})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(u.ChangeSeq)
	if r := e.search(search.Query{Text: "whiteboard"}); r.Total != 0 {
		t.Fatal("unpublished answer still found")
	}
	u, err = e.store.UpdateAnswer(e.ctx, e.expert, a.ID, qa.AnswerUpdate{Published: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(u.ChangeSeq)
	if r := e.search(search.Query{Text: "whiteboard"}); !has(r, a.ID) {
		t.Fatal("republished answer not found")
	}
	if err := e.store.DeleteAnswer(e.ctx, e.expert, a.ID); err != nil {
		t.Fatal(err)
	}
	seq, _ := e.store.LastChangeSeq(e.ctx)
	e.wait(seq)
	if r := e.search(search.Query{Text: "whiteboard"}); r.Total != 0 {
		t.Fatal("deleted answer still found")
	}
}

func TestIndex_Languages(t *testing.T) {
	e := newEnv(t)
	zh := e.publish("高血压患者能吃党参吗？", "高血压病人可以适量服用党参，但要遵医嘱。", false, "心血管")
	en := e.publish("How should I negotiate my salary?", "Research market rates, then anchor high and justify with data.", false, "career")
	mix := e.publish("如何准备 system design 面试", "Start with distributed systems basics，然后练习 whiteboard 设计。", false, "面试")
	cases := []struct {
		q    string
		want int64
	}{
		{"高血压", zh.ID},
		{"党参", zh.ID},
		{"高血压能吃党参吗", zh.ID},
		{"salary", en.ID},
		{"negotiating salaries", en.ID}, // stemmed
		{"NEGOTIATE", en.ID},
		{"system design", mix.ID},
		{"面试", mix.ID},
		{"如何准备 system design 面试", mix.ID},
		{"design 面试", mix.ID},
		{"whiteboard", mix.ID},
	}
	for _, c := range cases {
		r := e.search(search.Query{Text: c.q})
		if len(r.Hits) == 0 || r.Hits[0].ID != c.want {
			t.Errorf("%q: top hit %v, want %d", c.q, ids(r), c.want)
		}
	}
	// The title weighs more than the body.
	inTitle := e.publish("Kubernetes networking explained", "Pods, services and ingress.", false)
	inBody := e.publish("Container orchestration notes", "A long text that mentions kubernetes once among many other words about containers.", false)
	r := e.search(search.Query{Text: "kubernetes"})
	if len(r.Hits) < 2 || r.Hits[0].ID != inTitle.ID || !has(r, inBody.ID) {
		t.Fatalf("title should rank first: %v", ids(r))
	}
}

func TestIndex_Syntax(t *testing.T) {
	e := newEnv(t)
	a := e.publish("Visa renewal in Qatar", "Renew your residence permit before it expires. 续签居留许可。", false, "visa", "卡塔尔")
	b := e.publish("Visa for family members", "Family visit visa needs a salary certificate.", false, "visa", "family")
	c := e.publish("Driving licence", "Convert your licence at the traffic department.", false, "driving")

	if r := e.search(search.Query{Text: `"residence permit"`}); len(r.Hits) != 1 || r.Hits[0].ID != a.ID {
		t.Fatalf("phrase: %v", ids(r))
	}
	if r := e.search(search.Query{Text: `"permit residence"`}); r.Total != 0 {
		t.Fatalf("phrase in the wrong order matched: %v", ids(r))
	}
	if r := e.search(search.Query{Text: `"居留许可"`}); len(r.Hits) != 1 || r.Hits[0].ID != a.ID {
		t.Fatalf("Chinese phrase: %v", ids(r))
	}
	if r := e.search(search.Query{Text: "visa -family"}); len(r.Hits) != 1 || r.Hits[0].ID != a.ID {
		t.Fatalf("exclude: %v", ids(r))
	}
	if r := e.search(search.Query{Text: "visa tag:family"}); len(r.Hits) != 1 || r.Hits[0].ID != b.ID {
		t.Fatalf("tag: in text: %v", ids(r))
	}
	if r := e.search(search.Query{Text: "tag:卡塔尔"}); len(r.Hits) != 1 || r.Hits[0].ID != a.ID {
		t.Fatalf("Chinese tag: %v", ids(r))
	}
	if r := e.search(search.Query{Tags: []string{"visa", "family"}}); len(r.Hits) != 1 || r.Hits[0].ID != b.ID {
		t.Fatalf("tags AND: %v", ids(r))
	}
	if r := e.search(search.Query{Tags: []string{"VISA"}}); r.Total != 2 || r.Hits[0].ID != b.ID {
		t.Fatalf("tag-only, newest first: %v", ids(r))
	}
	if r := e.search(search.Query{Text: "licence", Newest: true}); len(r.Hits) != 1 || r.Hits[0].ID != c.ID {
		t.Fatalf("newest: %v", ids(r))
	}
	// Typo tolerance for longer Latin words when the exact query finds little.
	if r := e.search(search.Query{Text: "renewl"}); !has(r, a.ID) || !r.Fuzzy {
		t.Fatalf("typo: %v fuzzy=%v", ids(r), r.Fuzzy)
	}
	// Syntax characters are text, not operators.
	for _, q := range []string{`visa*`, `vis?`, `/visa.*/`, `title:visa`, `+visa`, `visa~2`, `(visa OR family)`, `-`, `""`, `"`, `tag:`} {
		if _, err := e.ix.Search(e.ctx, search.Query{Text: q}); err != nil && qa.ErrorCode(err) != qa.EINVALID {
			t.Errorf("%q: %v", q, err)
		}
	}
}

func TestIndex_Bounds(t *testing.T) {
	e := newEnv(t)
	e.publish("Bounds", "text", false)
	bad := []search.Query{
		{Text: strings.Repeat("a", search.MaxQueryLen+1)},
		{Text: strings.Repeat("词 ", 40)},
		{Text: "ok \xff"},
		{Text: "tag:a/b"},
		{Text: "x", PerPage: 101},
		{Text: "x", Page: 1000, PerPage: 100},
		{Text: "x", Tags: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}},
	}
	for _, q := range bad {
		if _, err := e.ix.Search(e.ctx, q); qa.ErrorCode(err) != qa.EINVALID {
			t.Errorf("query %.40q: got %v, want invalid", q.Text, err)
		}
	}
	// At the limit, a long Chinese query is fine.
	long := strings.Repeat("如何准备面试", search.MaxQueryLen/6)
	if _, err := e.ix.Search(e.ctx, search.Query{Text: long}); err != nil {
		t.Fatalf("500-character query: %v", err)
	}
}

func TestIndex_SnippetsAndFacets(t *testing.T) {
	e := newEnv(t)
	a := e.publish("<b>bold</b> title & more", "Intro text. Use `<script>alert(\"x\")</script>` carefully when 面试 prep goes wrong & fails.", false, "安全", "security")
	e.publish("Second 面试 answer", "面试 again", false, "安全")
	r := e.search(search.Query{Text: "面试 script"})
	if r.Total != 2 || len(r.Facets) != 2 || r.Facets[0] != (qa.TagCount{Tag: "安全", Count: 2}) || r.Facets[1] != (qa.TagCount{Tag: "security", Count: 1}) {
		t.Fatalf("facets = %+v total %d", r.Facets, r.Total)
	}
	var snip string
	for _, h := range r.Hits {
		if h.ID == a.ID {
			snip = h.Snippet
		}
	}
	if strings.Contains(snip, "<script") || !strings.Contains(snip, "&lt;") || !strings.Contains(snip, "<mark>面试</mark>") || !strings.Contains(snip, "&amp;") {
		t.Fatalf("snippet = %q", snip)
	}
	stripped := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(snip)
	if strings.ContainsAny(stripped, "<>") {
		t.Fatalf("snippet has tags other than <mark>: %q", snip)
	}
}

func TestIndex_Visibility(t *testing.T) {
	e := newEnv(t)
	pub := e.publish("Public visa answer", "visa facts", true, "visa")
	e.publish("Members-only visa answer", "secret visa details", false, "visa", "secret-tag")
	r := e.search(search.Query{Text: "visa", PublicOnly: true})
	if r.Total != 1 || r.Hits[0].ID != pub.ID {
		t.Fatalf("public only: %v total %d", ids(r), r.Total)
	}
	for _, f := range r.Facets {
		if f.Tag == "secret-tag" || f.Count != 1 {
			t.Fatalf("facets reveal member-only answers: %+v", r.Facets)
		}
	}
	if r := e.search(search.Query{Text: "secret", PublicOnly: true}); r.Total != 0 {
		t.Fatal("member-only text is findable publicly")
	}
	if r := e.search(search.Query{Text: "visa"}); r.Total != 2 {
		t.Fatalf("members find both: %d", r.Total)
	}
}

func TestIndex_Pagination(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 7; i++ {
		e.publish("分页测试 pagination", "page test", false)
	}
	seen := map[int64]bool{}
	for p := 1; p <= 3; p++ {
		r := e.search(search.Query{Text: "pagination", Page: p, PerPage: 3})
		if r.Total != 7 {
			t.Fatalf("total %d", r.Total)
		}
		for _, h := range r.Hits {
			if seen[h.ID] {
				t.Fatalf("hit %d on two pages", h.ID)
			}
			seen[h.ID] = true
		}
	}
	if len(seen) != 7 {
		t.Fatalf("pages covered %d of 7", len(seen))
	}
}

func TestIndex_Similar(t *testing.T) {
	e := newEnv(t)
	target := e.publish("How do I renew my residence permit in Qatar?", "Go to the immigration office with your passport.", false)
	e.publish("Best beaches near Doha", "Fuwairit and Sealine are popular.", false)
	zh := e.publish("高血压患者能吃党参吗？", "可以适量。", false)
	r, err := e.ix.Similar(e.ctx, search.SimilarQuery{Title: "residence permit renewal", Body: "My permit expires next month, what documents do I need?", PerPage: 3})
	if err != nil || len(r.Hits) == 0 || r.Hits[0].ID != target.ID {
		t.Fatalf("similar: %v %v", ids(r), err)
	}
	r, err = e.ix.Similar(e.ctx, search.SimilarQuery{Title: "高血压可以吃党参吗", PerPage: 3})
	if err != nil || len(r.Hits) == 0 || r.Hits[0].ID != zh.ID {
		t.Fatalf("similar zh: %v %v", ids(r), err)
	}
	if _, err := e.ix.Similar(e.ctx, search.SimilarQuery{Title: "x", PerPage: 21}); qa.ErrorCode(err) != qa.EINVALID {
		t.Fatalf("per_page over 20: %v", err)
	}
}

// TestIndex_ResumeAfterRestart: changes made while the follower was down
// are applied from the seq stored in the index.
func TestIndex_ResumeAfterRestart(t *testing.T) {
	e := newEnv(t)
	a := e.publish("Before the restart", "first", false)
	e.close()
	title := "While the index was closed"
	b, err := e.store.CreateAnswer(e.ctx, e.expert, qa.AnswerCreate{Title: &title, Body: "second", Tags: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	e.start()
	if got := e.ix.Applied(); got != a.ChangeSeq {
		t.Fatalf("resumed from seq %d, want %d", got, a.ChangeSeq)
	}
	e.wait(b.ChangeSeq)
	if r := e.search(search.Query{Text: "closed"}); !has(r, b.ID) {
		t.Fatal("change made while closed not applied")
	}
}

// TestIndex_Rebuild: a deleted or garbage index directory is rebuilt from
// the database, while searches answer unavailable, never crash.
func TestIndex_Rebuild(t *testing.T) {
	for _, damage := range []string{"deleted", "garbage", "bad-current"} {
		t.Run(damage, func(t *testing.T) {
			e := newEnv(t)
			a := e.publish("重建索引 rebuild", "the index is rebuilt from the database", false)
			e.close()
			dir := filepath.Join(e.dir, "index")
			switch damage {
			case "deleted":
				os.RemoveAll(dir)
			case "garbage":
				cur, _ := os.ReadFile(filepath.Join(dir, "CURRENT"))
				gen := filepath.Join(dir, strings.TrimSpace(string(cur)))
				filepath.Walk(gen, func(p string, info os.FileInfo, err error) error {
					if err == nil && !info.IsDir() {
						os.WriteFile(p, []byte("garbage garbage garbage"), 0o644)
					}
					return nil
				})
			case "bad-current":
				os.WriteFile(filepath.Join(dir, "CURRENT"), []byte("../../etc"), 0o644)
			}
			e.start()
			deadline := time.Now().Add(10 * time.Second)
			for !e.ix.Status().Ready {
				if _, err := e.ix.Search(e.ctx, search.Query{Text: "rebuild"}); qa.ErrorCode(err) != qa.EUNAVAILABLE {
					t.Fatalf("search while rebuilding: %v", err)
				}
				if time.Now().After(deadline) {
					t.Fatal("index not rebuilt")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if r := e.search(search.Query{Text: "重建索引"}); !has(r, a.ID) {
				t.Fatal("rebuilt index lacks the answer")
			}
		})
	}
}

func TestParseQuery(t *testing.T) {
	p, err := search.ParseQuery(`如何 "system design" -java tag:面试 -"phrase out" TAG:Go word`)
	if err != nil {
		t.Fatal(err)
	}
	want := search.Parsed{Words: []string{"如何", "word"}, Phrases: []string{"system design"}, Excluded: []string{"java", "phrase out"}, Tags: []string{"面试", "go"}}
	if strings.Join(p.Words, "|") != strings.Join(want.Words, "|") || strings.Join(p.Phrases, "|") != strings.Join(want.Phrases, "|") ||
		strings.Join(p.Excluded, "|") != strings.Join(want.Excluded, "|") || strings.Join(p.Tags, "|") != strings.Join(want.Tags, "|") {
		t.Fatalf("parsed = %+v", p)
	}
}

func ptr[T any](v T) *T { return &v }
