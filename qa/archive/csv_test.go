package archive

import (
	"context"
	"strings"
	"testing"
	"time"
)

func readCSVString(t *testing.T, in, mapping string, maxRecord int64) ([]any, error) {
	t.Helper()
	m, err := ParseCSVMap(mapping)
	if err != nil {
		t.Fatalf("ParseCSVMap(%q): %v", mapping, err)
	}
	var rec recorder
	err = readCSV(context.Background(), strings.NewReader(in), m, &rec, maxRecord)
	return rec.events, err
}

func TestReadCSV(t *testing.T) {
	// The shape of the Chinese medical archive: department,title,ask,answer,
	// with a stray quote, a quoted newline, a BOM and CRLF.
	in := "\uFEFFdepartment,title,ask,answer\r\n" +
		"心血管科,高血压患者能吃党参吗？,我有高血压，可以吃党参吗？,可以，适量即可。\r\n" +
		"儿科,小孩 5\"寸 伤口,\"多行\n描述\",\r\n" +
		",How do I stake ADA?,,\"Delegate to a pool; rewards come every epoch.\"\r\n"
	got, err := readCSVString(t, in, "title=title,body=ask,answer=answer,tags=department", MaxCSVRecord)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("got %d records, want 2 questions with answers and 1 without: %#v", len(got), got)
	}
	q1 := got[0].(Question)
	if q1.Title != "高血压患者能吃党参吗？" || q1.Body != "我有高血压，可以吃党参吗？" || q1.Status != "answered" ||
		len(q1.Tags) != 1 || q1.Tags[0] != "心血管科" || q1.Line != 2 || !strings.HasPrefix(q1.SourceID, "csv:") {
		t.Fatalf("first question: %#v", q1)
	}
	a1 := got[1].(Answer)
	if a1.QuestionID != q1.SourceID || a1.SourceID != q1.SourceID+"/a" || a1.Body != "可以，适量即可。" || a1.Public {
		t.Fatalf("first answer: %#v", a1)
	}
	q2 := got[2].(Question)
	if q2.Title != `小孩 5"寸 伤口` || q2.Body != "多行\n描述" || q2.Status != "pending" {
		t.Fatalf("a stray quote and a quoted newline: %#v", q2)
	}
	q3, a3 := got[3].(Question), got[4].(Answer)
	if q3.Title != "How do I stake ADA?" || q3.Tags != nil || a3.Body != "Delegate to a pool; rewards come every epoch." {
		t.Fatalf("English row: %#v %#v", q3, a3)
	}
	// The same rows read again get the same ids: importing twice adds nothing.
	again, _ := readCSVString(t, in, "title=title,body=ask,answer=answer,tags=department", MaxCSVRecord)
	if again[0].(Question).SourceID != q1.SourceID || again[3].(Question).SourceID != q3.SourceID || q1.SourceID == q3.SourceID {
		t.Fatal("content-hash ids are not stable, or not distinct")
	}
}

func TestReadCSV_IDColumnTimesTagsPublic(t *testing.T) {
	in := "id,title,answer,tags,asked_at,published_at,public\n" +
		"q-1,Staking 奖励怎么计算？,每个 epoch 结算。,\"staking; 质押、rewards\",2024-03-01,2024-03-02T08:00:00+08:00,yes\n"
	got, err := readCSVString(t, in, "", MaxCSVRecord)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{
		Question{SourceID: "q-1", Title: "Staking 奖励怎么计算？", Tags: []string{"staking", "质押", "rewards"}, AskedAt: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Status: "answered", Line: 2},
		Answer{SourceID: "q-1/a", QuestionID: "q-1", Body: "每个 epoch 结算。", Tags: []string{"staking", "质押", "rewards"}, PublishedAt: time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC), Public: true, Line: 2},
	}
	checkEvents(t, got, want)
}

func TestReadCSV_Problems(t *testing.T) {
	in := "title,asked_at,public\n" +
		",2024-01-01,\n" + // no title
		"坏日期,yesterday,\n" +
		"Bad flag,,maybe\n" +
		"Bad \xff text,,\n" +
		"Fine 好,,\n"
	got, err := readCSVString(t, in, "", MaxCSVRecord)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, e := range got {
		if p, ok := e.(Problem); ok {
			reasons = append(reasons, p.String())
		}
	}
	want := []string{"line 2: the row has no title", `line 3: asked_at is not a date or RFC 3339 time: "yesterday"`,
		`line 4: public is not true or false: "maybe"`, "line 5: the row is not valid UTF-8"}
	if strings.Join(reasons, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(reasons, "\n"), strings.Join(want, "\n"))
	}
	if last := got[len(got)-1].(Question); last.Title != "Fine 好" {
		t.Fatalf("the read did not go on after the problems: %#v", last)
	}
}

func TestReadCSV_Refused(t *testing.T) {
	for _, tc := range []struct{ name, in, mapping, want string }{
		{"Empty", "", "", "header row is needed"},
		{"NoTitleColumn", "department,ask\n儿科,发烧\n", "", "no column for the title"},
		{"MappedColumnMissing", "title,ask\nT,B\n", "body=question", `no column "question" for body`},
		{"RowTooLong", "title,body\nT,\"" + strings.Repeat("长", 20000) + "\"\n", "", "a row is longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readCSVString(t, tc.in, tc.mapping, 16<<10)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	for _, bad := range []string{"title", "title=", "titel=x", "title=a,title=b"} {
		if _, err := ParseCSVMap(bad); err == nil {
			t.Errorf("ParseCSVMap(%q) accepted", bad)
		}
	}
}
