package archive

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func readJSONLString(t *testing.T, in string, maxLine int) []any {
	t.Helper()
	var rec recorder
	if err := readJSONL(context.Background(), strings.NewReader(in), &rec, maxLine); err != nil {
		t.Fatalf("readJSONL: %v", err)
	}
	return rec.events
}

func TestReadJSONL(t *testing.T) {
	asked := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		in   string
		want []any
	}{
		{
			name: "English",
			in: `{"type":"question","id":"q1","title":"How do I stake?","body":"**ADA**","tags":["staking","ada"],"asked_at":"2024-03-01T09:30:00Z","anonymous":true,"status":"answered"}` + "\n" +
				`{"type":"answer","id":"a1","question_id":"q1","body":"Delegate <b>it</b> & wait.","tags":["staking"],"published_at":"2024-03-01T10:30:00.25+01:00","public":true}` + "\n",
			want: []any{
				Question{SourceID: "q1", Title: "How do I stake?", Body: "**ADA**", Tags: []string{"staking", "ada"}, AskedAt: asked, Anonymous: true, Status: "answered", Line: 1},
				Answer{SourceID: "a1", QuestionID: "q1", Body: "Delegate <b>it</b> & wait.", Tags: []string{"staking"}, PublishedAt: time.Date(2024, 3, 1, 9, 30, 0, 250e6, time.UTC), Public: true, Line: 2},
			},
		},
		{
			name: "Chinese",
			in: `{"type":"question","id":"问-1","title":"如何在 Cardano 上铸造 NFT？","body":"需要写 Plutus 合约吗？","tags":["非同质化代币"],"asked_at":"2024-03-01T17:30:00+08:00"}` + "\n" +
				`{"type":"answer","id":"答-1","question_id":"问-1","body":"不需要，用原生脚本即可。"}`,
			want: []any{
				Question{SourceID: "问-1", Title: "如何在 Cardano 上铸造 NFT？", Body: "需要写 Plutus 合约吗？", Tags: []string{"非同质化代币"}, AskedAt: asked, Status: "pending", Line: 1},
				Answer{SourceID: "答-1", QuestionID: "问-1", Body: "不需要，用原生脚本即可。", Line: 2},
			},
		},
		{
			name: "BOMBlankLinesCRLFUnknownFields",
			in: "\uFEFF" + `{"type":"question","id":"q1","title":"T","extra":{"nested":[1,2]},"asked_at":"2024-03-01T09:30:00Z","status":"withdrawn"}` + "\r\n" +
				"\r\n   \n\t\n" +
				`{"type":"answer","id":"a1","question_id":"q1","body":"B","tags":[],"votes":3}` + "\r\n\n",
			want: []any{
				Question{SourceID: "q1", Title: "T", AskedAt: asked, Status: "withdrawn", Line: 1},
				Answer{SourceID: "a1", QuestionID: "q1", Body: "B", Line: 5},
			},
		},
		{name: "Empty", in: "", want: nil},
		{name: "OnlyBOM", in: "\uFEFF", want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkEvents(t, readJSONLString(t, tc.in, MaxJSONLLine), tc.want)
		})
	}
}

func TestReadJSONL_Malformed(t *testing.T) {
	good := `{"type":"question","id":"ok","title":"Fine"}`
	lines := []string{
		good,                                  // 1
		`{"type":`,                            // 2
		`not json`,                            // 3
		`[1,2]`,                               // 4
		`"question"`,                          // 5
		`{"type":"comment","id":"c1"}`,        // 6
		`{"id":"x1","title":"no type"}`,       // 7
		`{"type":"question","title":"no id"}`, // 8
		`{"type":"question","id":"q2","title":"   "}`,                                                     // 9
		`{"type":"question","id":"q3","title":"T","asked_at":"3/1"}`,                                      // 10
		`{"type":"question","id":"q4","title":"T","status":"closed"}`,                                     // 11
		`{"type":"question","id":"q5","title":"T","tags":"a,b"}`,                                          // 12
		`{"type":"question","id":7,"title":"T"}`,                                                          // 13
		`{"type":"answer","id":"a1","body":"B"}`,                                                          // 14
		`{"type":"answer","id":"a2","question_id":"ok"}`,                                                  // 15
		`{"type":"answer","question_id":"ok","body":"B"}`,                                                 // 16
		`{"type":"answer","id":"a3","question_id":"ok","body":"B","published_at":"2024-13-01T00:00:00Z"}`, // 17
		`{"type":"answer","id":"a4","question_id":"ok","body":"B","public":"yes"}`,                        // 18
		"{\"type\":\"question\",\"id\":\"q6\",\"title\":\"bad \xff byte\"}",                               // 19
		`{"type":"question","id":"q7","title":"T"} {"type":"question","id":"q8","title":"T"}`,             // 20
		good, // 21
	}
	got := readJSONLString(t, strings.Join(lines, "\n"), MaxJSONLLine)
	checkSummaries(t, got, []string{
		"Q ok pending",
		`P failed line 2: the line is not valid JSON (unexpected end of JSON input)`,
		`P failed line 3: the line is not valid JSON (invalid character 'o' in literal null (expecting 'u'))`,
		`P failed line 4: the line is not a JSON object`,
		`P failed line 5: the line is not a JSON object`,
		`P failed line 6 c1: unknown type "comment" (want "question" or "answer")`,
		`P failed line 7 x1: the line has no "type"`,
		`P failed line 8: the question has no id`,
		`P failed line 9 q2: the question has no title`,
		`P failed line 10 q3: asked_at is not an RFC 3339 time: "3/1"`,
		`P failed line 11 q4: unknown status "closed"`,
		`P failed line 12: field "tags" has the wrong type (string)`,
		`P failed line 13: field "id" has the wrong type (number)`,
		`P failed line 14 a1: the answer has no question_id`,
		`P failed line 15 a2: the answer has no body`,
		`P failed line 16: the answer has no id`,
		`P failed line 17 a3: published_at is not an RFC 3339 time: "2024-13-01T00:00:00Z"`,
		`P failed line 18: field "public" has the wrong type (string)`,
		`P failed line 19: the line is not valid UTF-8`,
		`P failed line 20: the line is not valid JSON (invalid character '{' after top-level value)`,
		"Q ok pending",
	})
}

func TestReadJSONL_LineTooLong(t *testing.T) {
	const limit = 64
	short := `{"type":"answer","id":"a","question_id":"q","body":"b"}` // 55 bytes
	atLimit := `{"type":"answer","id":"a2","question_id":"q","body":"` + strings.Repeat("x", limit-55) + `"}`
	if len(atLimit) != limit {
		t.Fatalf("atLimit is %d bytes", len(atLimit))
	}
	long := `{"type":"answer","id":"big","question_id":"q","body":"` + strings.Repeat("y", 300) + `"}`
	in := short + "\n" + long + "\n" + atLimit + "\r\n" + atLimit + "x\n" + short + "\n" + long // last line: no "\n"
	got := readJSONLString(t, in, limit)
	checkSummaries(t, got, []string{
		"A a to q",
		"P failed line 2: the line is longer than 64 bytes",
		"A a2 to q",
		"P failed line 4: the line is longer than 64 bytes",
		"A a to q",
		"P failed line 6: the line is longer than 64 bytes",
	})

	// A line longer than the reader's buffer is drained, not kept.
	huge := strings.Repeat("z", 200<<10)
	got = readJSONLString(t, huge+"\n"+short+"\n", 1<<10)
	checkSummaries(t, got, []string{"P failed line 1: the line is longer than 1024 bytes", "A a to q"})

	if got := byteSize(MaxJSONLLine); got != "4 MiB" {
		t.Errorf("byteSize(MaxJSONLLine) = %q", got)
	}
}

func TestReadJSONL_Stops(t *testing.T) {
	in := `{"type":"question","id":"q1","title":"T"}` + "\n" + `{"type":"question","id":"q2","title":"T"}` + "\n" + `{"type":"question","id":"q3","title":"T"}` + "\n"
	t.Run("SinkError", func(t *testing.T) {
		rec := recorder{stopAt: "q2"}
		err := ReadJSONL(context.Background(), strings.NewReader(in), &rec)
		if err != errStop {
			t.Fatalf("got %v, want the sink's error", err)
		}
		checkSummaries(t, rec.events, []string{"Q q1 pending"})
	})
	t.Run("Canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var rec recorder
		if err := ReadJSONL(ctx, strings.NewReader(in), &rec); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		if len(rec.events) != 0 {
			t.Errorf("read %d records after cancel", len(rec.events))
		}
	})
	t.Run("ReadError", func(t *testing.T) {
		var rec recorder
		err := ReadJSONL(context.Background(), &failingReader{data: in[:50]}, &rec)
		if err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Fatalf("got %v, want a read error on line 2", err)
		}
	})
}

// failingReader returns data and then an error.
type failingReader struct{ data string }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestJSONLWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf)
	if err := w.Question(Question{
		SourceID: "q1", Title: "Fees & <limits>", Body: "a <b> & \"c\"", Tags: []string{"fees"},
		AskedAt: time.Date(2024, 3, 1, 17, 30, 0, 0, time.FixedZone("CST", 8*3600)), Status: "duplicate",
		DuplicateOf: "q0", Line: 9,
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.Answer(Answer{SourceID: "a1", QuestionID: "q1", Body: "不需要。", PublishedAt: time.Date(2024, 3, 2, 0, 0, 0, 5e8, time.UTC), Public: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.Question(Question{SourceID: "q2", Title: "T"}); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"question","id":"q1","title":"Fees & <limits>","body":"a <b> & \"c\"","tags":["fees"],"asked_at":"2024-03-01T09:30:00Z","anonymous":false,"status":"duplicate","duplicate_of":"q0"}
{"type":"answer","id":"a1","question_id":"q1","body":"不需要。","tags":[],"published_at":"2024-03-02T00:00:00.5Z","public":true}
{"type":"question","id":"q2","title":"T","body":"","tags":[],"anonymous":false,"status":"pending"}
`
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestJSONLWriter_RoundTrip(t *testing.T) {
	records := []any{
		Question{SourceID: "q-ext-1", Title: "How do I stake ADA?", Body: "I hold **ADA**.\n\n<script>x</script>", Tags: []string{"staking", "ada"},
			AskedAt: time.Date(2024, 3, 1, 9, 30, 0, 123456789, time.UTC), Anonymous: true, Status: "answered"},
		Answer{SourceID: "a-ext-1", QuestionID: "q-ext-1", Body: "Delegate.\n\n```sh\ncardano-cli\n```\n", Tags: []string{"staking"},
			PublishedAt: time.Date(2024, 3, 2, 10, 0, 0, 0, time.UTC), Public: true},
		Question{SourceID: "问-2", Title: "如何在 Cardano 上铸造 NFT？", Body: "需要写 Plutus 合约吗？\u2028", Status: "declined"},
		Answer{SourceID: "答-3", QuestionID: "问-2", Body: "$a_1 \\cdot b$ 行\r\n"},
		Question{SourceID: "q-4", Title: "Expired", AskedAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Status: "expired"},
	}
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf)
	for i, r := range records {
		var err error
		switch r := r.(type) {
		case Question:
			err = w.Question(r)
			r.Line = int64(i + 1)
			records[i] = r
		case Answer:
			err = w.Answer(r)
			r.Line = int64(i + 1)
			records[i] = r
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	checkEvents(t, readJSONLString(t, buf.String(), MaxJSONLLine), records)
}

func TestReadJSONL_Fixture(t *testing.T) {
	f, err := os.Open("testdata/example.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rec recorder
	if err := ReadJSONL(context.Background(), f, &rec); err != nil {
		t.Fatal(err)
	}
	checkSummaries(t, rec.events, []string{"Q q-ext-1 answered", "A a-ext-1 to q-ext-1", "Q q-ext-2 pending"})
	checkInvariants(t, rec.events)
}
