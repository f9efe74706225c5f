package archive

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzReadJSONL(f *testing.F) {
	seed, err := os.ReadFile("testdata/example.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	for _, line := range strings.SplitAfter(string(seed), "\n") {
		f.Add([]byte(line))
	}
	f.Add([]byte("\uFEFF\r\n\n" + `{"type":"answer","id":"a","question_id":"q","body":"b","tags":null}`))
	f.Add([]byte(`{"type":"question","id":"q","title":"` + strings.Repeat("x", 300) + `"}` + "\n" + `{"type":"question","id":7}`))
	f.Add([]byte("{\"type\":\"question\",\"id\":\"\\ud800\",\"title\":\"\xff\"}\n[1]\nnull\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var rec recorder
		// A small line limit, so that the fuzzer reaches the long-line path.
		if err := readJSONL(context.Background(), strings.NewReader(string(data)), &rec, 256); err != nil {
			t.Fatalf("error on an in-memory reader: %v", err)
		}
		checkInvariants(t, rec.events)
		var last int64
		for _, ev := range rec.events {
			var line int64
			switch e := ev.(type) {
			case Question:
				line = e.Line
			case Answer:
				line = e.Line
			case Problem:
				line = e.Line
			}
			if line <= last {
				t.Fatalf("line numbers out of order: %d after %d", line, last)
			}
			last = line
		}
	})
}

func FuzzReadStackExchangePosts(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join(fixtureDir, "Posts.xml"))
	if err != nil {
		f.Fatal(err)
	}
	postLinks, err := os.ReadFile(filepath.Join(fixtureDir, "PostLinks.xml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(posts(q("1", "AcceptedAnswerId=3"), a("2", "1", "10"), a("3", "1", "-1"), a("9050", "9051", "2"), q("9051"))))
	f.Add([]byte(posts(q("9020"), a("9021", "9020", "1"), q("9001", "Tags=|a|b|"), a("9002", "9001", "1"), q("1", "Id=1"))))
	f.Add([]byte(posts(q("1", "Body=&lt;blockquote&gt;&lt;pre&gt;&lt;code&gt;a&#xA;b&lt;/code&gt;&lt;/pre&gt;&lt;/blockquote&gt;"), a("2", "1", "1", "Body=&lt;s&gt;&lt;p&gt;x&lt;/s&gt;[$a_1$]"))))
	f.Add([]byte("<posts><row Id=\"1\" PostTypeId=\"1\" Title=\"&#x0;\" /></posts>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := filepath.Join(t.TempDir(), "fuzz.example")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Posts.xml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "PostLinks.xml"), postLinks, 0o644); err != nil {
			t.Fatal(err)
		}
		var rec recorder
		st, err := readStackExchange(context.Background(), dir, &rec, SEOptions{}, seLimits{body: 4 << 10, token: 32 << 10, depth: 16})
		checkInvariants(t, rec.events)
		// Every answer follows its question, which was answered, and is
		// passed once.
		answered := map[string]bool{}
		seen := map[string]bool{}
		nq, na := 0, 0
		for _, ev := range rec.events {
			switch e := ev.(type) {
			case Question:
				nq++
				answered[e.SourceID] = e.Status == "answered"
			case Answer:
				na++
				if !answered[e.QuestionID] {
					t.Fatalf("answer %s before its answered question %s", e.SourceID, e.QuestionID)
				}
				if seen[e.SourceID] || seen["q:"+e.QuestionID] {
					t.Fatalf("answer %s passed twice, or a second answer to %s", e.SourceID, e.QuestionID)
				}
				seen[e.SourceID], seen["q:"+e.QuestionID] = true, true
			}
		}
		if err == nil && (st.EmittedQuestions != nq || st.EmittedAnswers != na) {
			t.Fatalf("stats %+v for %d questions and %d answers", st, nq, na)
		}
		if err == nil && st.Answers != st.EmittedAnswers+st.Unchosen+countFailedAnswers(rec.events) {
			t.Fatalf("answers do not add up: %+v", st)
		}
	})
}

func countFailedAnswers(events []any) int {
	n := 0
	for _, ev := range events {
		if p, ok := ev.(Problem); ok && !p.Skipped && strings.Contains(p.SourceID, "/a/") {
			n++
		}
	}
	return n
}
