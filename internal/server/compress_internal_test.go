package server

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// TestCompress_Flush: a handler that flushes part of a compressed response
// gets that part to the client before it goes on (streaming still works
// behind the compression).
func TestCompress_Flush(t *testing.T) {
	first := strings.Repeat("<p>第一部分 first part</p>\n", 100)
	for _, enc := range []string{"gzip", "zstd"} {
		t.Run(enc, func(t *testing.T) {
			release := make(chan struct{})
			h, err := compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				io.WriteString(w, first)
				http.NewResponseController(w).Flush()
				select {
				case <-release:
				case <-time.After(5 * time.Second):
				}
				io.WriteString(w, "<p>end</p>\n")
			}))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			req.Header.Set("Accept-Encoding", enc)
			res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.Header.Get("Content-Encoding") != enc {
				t.Fatalf("Content-Encoding %q", res.Header.Get("Content-Encoding"))
			}
			var r io.Reader
			if enc == "gzip" {
				zr, err := gzip.NewReader(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				r = zr
			} else {
				zr, err := zstd.NewReader(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				defer zr.Close()
				r = zr
			}
			got := make([]byte, len(first))
			start := time.Now()
			if _, err := io.ReadFull(r, got); err != nil || string(got) != first {
				t.Fatalf("first part: %v", err)
			}
			if time.Since(start) > 3*time.Second {
				t.Fatal("the first part came only with the end")
			}
			close(release)
			rest, err := io.ReadAll(r)
			if err != nil || string(rest) != "<p>end</p>\n" {
				t.Fatalf("rest %q %v", rest, err)
			}
		})
	}
}
