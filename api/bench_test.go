package api_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"answerbook/qa"
)

// BenchmarkAnswerFetch compares fetching a public answer in full with
// revalidating a cached copy (304), over real HTTP.
func BenchmarkAnswerFetch(b *testing.B) {
	s := newServer(b)
	x := s.person(b, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	var a answer
	body := "## 续签步骤\n\n"
	for i := 0; i < 40; i++ {
		body += fmt.Sprintf("%d. 带上护照和照片去移民局，填写表格 (step %d of the renewal).\n", i+1, i)
	}
	if st := s.call(b, "POST", "/api/v1/answers", x.token, map[string]any{"title": "如何续签居留许可", "body": body, "public": true, "tags": []string{"签证"}}, &a); st != 201 {
		b.Fatal(st)
	}
	path := fmt.Sprintf("%s/api/v1/answers/%d", s.URL, a.ID)
	res, err := http.Get(path)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	etag := res.Header.Get("ETag")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	run := func(b *testing.B, inm string, want int) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, _ := http.NewRequest("GET", path, nil)
				if inm != "" {
					req.Header.Set("If-None-Match", inm)
				}
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != want {
					b.Fatalf("status %d", res.StatusCode)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	}
	b.Run("uncached", func(b *testing.B) { run(b, "", 200) })
	b.Run("cached-304", func(b *testing.B) { run(b, etag, 304) })
}
