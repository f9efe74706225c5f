package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"answerbook/internal/imagetest"
	"answerbook/qa"
)

type uploaded struct {
	URL         string `json:"url"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Size        int64  `json:"size"`
}

// multipartFile is a form with one file part named field, as a browser
// sends it: the file's name and the type the client claims.
func multipartFile(t testing.TB, field, name, claimed string, data []byte) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.WriteField("note", "截图 screenshot"); err != nil {
		t.Fatal(err)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+name+`"`)
	h.Set("Content-Type", claimed)
	p, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	p.Write(data)
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// send makes a request with a body of the given type and optional token,
// cookie and headers; it returns the response with its body read.
func (s *server) send(t testing.TB, method, path, token, cookie, ctype string, body []byte, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "sid", Value: cookie})
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, raw
}

// upload posts an image and decodes the answer; it returns the status and
// the error key of a refusal.
func (s *server) upload(t testing.TB, token, ctype string, body []byte) (int, uploaded, string) {
	t.Helper()
	res, raw := s.send(t, "POST", "/api/v1/images", token, "", ctype, body, nil)
	var up uploaded
	var e struct {
		Error struct{ Code, Key, Message string } `json:"error"`
	}
	if res.StatusCode == http.StatusCreated {
		if err := json.Unmarshal(raw, &up); err != nil {
			t.Fatalf("upload: %q: %v", raw, err)
		}
	} else if err := json.Unmarshal(raw, &e); err != nil || e.Error.Key == "" || e.Error.Message == "" {
		t.Fatalf("upload: status %d without the error shape: %q", res.StatusCode, raw)
	}
	return res.StatusCode, up, e.Error.Key
}

// TestAPI_Images: the expert uploads images (multipart or a raw body), the
// type judged from the bytes; answers show them; each is served with its
// type, a year's cache (private for member-only answers' images), an ETag
// and headers that keep it an image; visitors get 403 for a member-only
// answer's image and 404 for one no answer uses.
func TestAPI_Images(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert 专家", qa.RoleExpert, qa.ScopeWrite, nil)
	xr := s.person(t, "Expert Reader", qa.RoleExpert, qa.ScopeRead, nil)
	m := s.person(t, "Member 会员", qa.RoleMember, qa.ScopeWrite, nil)

	// A PNG sent as 截图.jpg claiming image/jpeg is a PNG.
	png := imagetest.PNG(120, 80, 1)
	ct, body := multipartFile(t, "file", "截图.jpg", "image/jpeg", png)
	st, pub, _ := s.upload(t, x.token, ct, body)
	if st != 201 || pub.ContentType != "image/png" || !strings.HasSuffix(pub.URL, ".png") || pub.URL != "/images/"+pub.SHA256+".png" ||
		pub.Width != 120 || pub.Height != 80 || pub.Size != int64(len(png)) {
		t.Fatalf("upload PNG: %d %+v", st, pub)
	}
	// The same bytes as a raw body: the same image.
	if st, again, _ := s.upload(t, x.token, "application/octet-stream", png); st != 201 || again.URL != pub.URL {
		t.Fatalf("the same PNG again: %d %+v", st, again)
	}
	jpg := imagetest.JPEG(64, 64, 2)
	st, priv, _ := s.upload(t, x.token, "application/octet-stream", jpg)
	if st != 201 || priv.ContentType != "image/jpeg" || !strings.HasSuffix(priv.URL, ".jpg") {
		t.Fatalf("upload JPEG: %d %+v", st, priv)
	}
	ct, body = multipartFile(t, "file", "pic.webp", "image/webp", imagetest.WebP)
	st, unused, _ := s.upload(t, x.token, ct, body)
	if st != 201 || unused.ContentType != "image/webp" || unused.Width != 1 {
		t.Fatalf("upload WebP: %d %+v", st, unused)
	}

	t.Run("Refused", func(t *testing.T) {
		text := []byte("这不是图片, not an image at all\n")
		ct, body := multipartFile(t, "file", "照片.png", "image/png", text)
		for _, c := range []struct {
			what, token, ctype string
			body               []byte
			status             int
			key                qa.Key
		}{
			{"text called .png", x.token, ct, body, 400, qa.KeyImageType},
			{"text as a raw image/png body", x.token, "image/png", text, 400, qa.KeyImageType},
			{"5 MiB + 1", x.token, "application/octet-stream", imagetest.JPEGOfSize(qa.MaxImageBytes + 1), 413, qa.KeyImageLarge},
			{"over the body limit", x.token, "application/octet-stream", imagetest.JPEGOfSize(qa.MaxUploadBytes + 1), 413, qa.KeyImageLarge},
			{"empty", x.token, "application/octet-stream", []byte{}, 400, qa.KeyImageEmpty},
			{"a member", m.token, "application/octet-stream", png, 403, qa.KeyExpertOnly},
			{"a visitor", "", "application/octet-stream", png, 401, qa.KeySignInFirst},
			{"the expert's read token", xr.token, "application/octet-stream", png, 403, qa.KeyReadOnly},
		} {
			if st, _, key := s.upload(t, c.token, c.ctype, c.body); st != c.status || key != string(c.key) {
				t.Errorf("%s: %d %s, want %d %s", c.what, st, key, c.status, c.key)
			}
		}
		ct, body = multipartFile(t, "picture", "a.png", "image/png", png)
		if st, _, key := s.upload(t, x.token, ct, body); st != 400 || key != string(qa.KeyImageEmpty) {
			t.Errorf("a form without the file field: %d %s", st, key)
		}
		// Nothing of the refused was stored.
		for _, data := range [][]byte{text, imagetest.JPEGOfSize(qa.MaxImageBytes + 1)} {
			sum := sha256.Sum256(data)
			if _, err := s.store.FindImage(s.ctx, qa.System(), hex.EncodeToString(sum[:])); qa.ErrorCode(err) != qa.ENOTFOUND {
				t.Fatalf("a refused upload was stored: %v", err)
			}
		}
	})

	// A public answer shows one, a member-only answer the other.
	var a answer
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "What does the harbour look like? 港口是什么样子", "public": true,
		"body": "Like this 像这样:\n\n![港口](" + pub.URL + ")"}, &a), 201, "publish the public answer")
	// The API's HTML names the image by its absolute URL (clients show it
	// on pages of their own); the Markdown keeps the path.
	site, _, _ := strings.Cut(a.URL, "/answers/")
	if a.BodyHTML == nil || site == "" || !strings.Contains(*a.BodyHTML, `<img src="`+site+pub.URL+`" alt="港口"`) ||
		a.BodyMarkdown == nil || !strings.Contains(*a.BodyMarkdown, "("+pub.URL+")") {
		t.Fatalf("the answer does not show the image: %v", *a.BodyHTML)
	}
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "The members' chart 会员图表",
		"body": "![chart](" + priv.URL + ") 只给会员看。"}, nil), 201, "publish the member-only answer")

	get := func(path, token, cookie string, hdr map[string]string) (*http.Response, []byte) {
		return s.send(t, "GET", path, token, cookie, "", nil, hdr)
	}
	res, raw := get(pub.URL, "", "", nil)
	h := res.Header
	if res.StatusCode != 200 || !bytes.Equal(raw, png) || h.Get("Content-Type") != "image/png" ||
		h.Get("Cache-Control") != "public, max-age=31536000, immutable" || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Content-Security-Policy") != "default-src 'none'; sandbox" || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") ||
		h.Get("ETag") != `"`+pub.SHA256+`"` || h.Get("Content-Encoding") != "" {
		t.Fatalf("the public image: %d, %d bytes, %v", res.StatusCode, len(raw), h)
	}
	if res, raw := get(pub.URL, "", "", map[string]string{"If-None-Match": `"` + pub.SHA256 + `"`}); res.StatusCode != 304 || len(raw) != 0 {
		t.Fatalf("revalidation: %d, %d bytes", res.StatusCode, len(raw))
	}
	if res, raw := s.send(t, "HEAD", pub.URL, "", "", "", nil, nil); res.StatusCode != 200 || len(raw) != 0 || res.ContentLength != int64(len(png)) {
		t.Fatalf("HEAD: %d, %d bytes, length %d", res.StatusCode, len(raw), res.ContentLength)
	}

	// The member-only answer's image: 403 to visitors, served privately
	// to members (token or session).
	if res, raw := get(priv.URL, "", "", nil); res.StatusCode != 403 || !strings.Contains(string(raw), string(qa.KeyImageMembers)) || bytes.Contains(raw, jpg[:64]) {
		t.Fatalf("a visitor gets the member-only image: %d %q", res.StatusCode, raw[:min(len(raw), 200)])
	}
	if res, _ := get(priv.URL, "", "", map[string]string{"If-None-Match": `"` + priv.SHA256 + `"`}); res.StatusCode != 403 {
		t.Fatalf("a visitor revalidates the member-only image: %d", res.StatusCode)
	}
	if res, _ := get(priv.URL, m.token, "", map[string]string{"If-None-Match": `"` + priv.SHA256 + `"`}); res.StatusCode != 304 ||
		res.Header.Get("Cache-Control") != "private, max-age=31536000, immutable" {
		t.Fatalf("a member revalidates the member-only image: %d %v", res.StatusCode, res.Header)
	}
	sid, err := s.store.CreateSession(s.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ token, cookie string }{{m.token, ""}, {"", sid}} {
		res, raw := get(priv.URL, c.token, c.cookie, nil)
		if res.StatusCode != 200 || !bytes.Equal(raw, jpg) || res.Header.Get("Content-Type") != "image/jpeg" ||
			res.Header.Get("Cache-Control") != "private, max-age=31536000, immutable" {
			t.Fatalf("a member gets the member-only image: %d %v", res.StatusCode, res.Header)
		}
	}
	// Not used by any answer: the expert's alone.
	if res, _ := get(unused.URL, m.token, "", nil); res.StatusCode != 404 {
		t.Fatalf("a member gets an unused image: %d", res.StatusCode)
	}
	if res, raw := get(unused.URL, x.token, "", nil); res.StatusCode != 200 || !bytes.Equal(raw, imagetest.WebP) || res.Header.Get("Content-Type") != "image/webp" {
		t.Fatalf("the expert gets an unused image: %d", res.StatusCode)
	}
	// The URL names the type; any other name is not found.
	for _, p := range []string{
		strings.TrimSuffix(pub.URL, ".png") + ".jpg", strings.TrimSuffix(pub.URL, ".png"), "/images/" + strings.Repeat("0", 64) + ".png",
		"/images/" + strings.ToUpper(pub.SHA256) + ".png", "/images/..%2f..%2fetc%2fpasswd.png",
	} {
		if res, _ := get(p, x.token, "", nil); res.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
	if res, _ := get(strings.TrimSuffix(priv.URL, ".jpg")+".jpeg", m.token, "", nil); res.StatusCode != 200 {
		t.Errorf(".jpeg for a JPEG: %d", res.StatusCode)
	}
}

// BenchmarkImage5MiB uploads (new bytes each time, and the same bytes
// again) and serves a 5 MiB JPEG over real HTTP, as the expert's token
// and a visitor: MB/s and ms per operation.
func BenchmarkImage5MiB(b *testing.B) {
	s := newServer(b)
	x := s.person(b, "Expert 专家", qa.RoleExpert, qa.ScopeWrite, nil)
	jpg := imagetest.JPEGOfSize(qa.MaxImageBytes)
	pad := bytes.Index(jpg, bytes.Repeat([]byte{'x'}, 16)) // in a comment segment: free to vary
	client := &http.Client{}
	do := func(b *testing.B, req *http.Request, want int) []byte {
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			b.Fatalf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, raw)
		}
		return raw
	}
	upload := func(b *testing.B, data []byte) uploaded {
		req, _ := http.NewRequest("POST", s.URL+"/api/v1/images", bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+x.token)
		req.Header.Set("Content-Type", "image/jpeg")
		var up uploaded
		if err := json.Unmarshal(do(b, req, 201), &up); err != nil {
			b.Fatal(err)
		}
		return up
	}
	n := 0
	b.Run("upload", func(b *testing.B) {
		b.SetBytes(int64(len(jpg)))
		for b.Loop() {
			n++
			data := bytes.Clone(jpg)
			copy(data[pad:], fmt.Sprintf("%016d", n))
			upload(b, data)
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/upload")
	})
	up := upload(b, jpg)
	b.Run("upload-same", func(b *testing.B) {
		b.SetBytes(int64(len(jpg)))
		for b.Loop() {
			upload(b, jpg)
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/upload")
	})
	if st := s.call(b, "POST", "/api/v1/answers", x.token, map[string]any{"title": "A large photo 大图", "public": true, "body": "![](" + up.URL + ")"}, nil); st != 201 {
		b.Fatal(st)
	}
	b.Run("serve", func(b *testing.B) {
		b.SetBytes(int64(len(jpg)))
		for b.Loop() {
			req, _ := http.NewRequest("GET", s.URL+up.URL, nil)
			if got := do(b, req, 200); len(got) != len(jpg) {
				b.Fatalf("%d bytes", len(got))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/get")
	})
	b.Run("serve-304", func(b *testing.B) {
		for b.Loop() {
			req, _ := http.NewRequest("GET", s.URL+up.URL, nil)
			req.Header.Set("If-None-Match", `"`+up.SHA256+`"`)
			do(b, req, 304)
		}
	})
}

// TestAPI_SignedEmbedImages: a signed embed of a member-only answer names
// its member-only image with the grant, so the image shows on a partner's
// page without a session (private, short cache, no referrer); the grant
// opens that answer's images only, and a forged, expired or missing grant
// opens nothing.
func TestAPI_SignedEmbedImages(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert 专家", qa.RoleExpert, qa.ScopeWrite, nil)
	upload := func(seed uint8) uploaded {
		ct, body := multipartFile(t, "file", "图.png", "image/png", imagetest.PNG(40, 30, seed))
		st, up, _ := s.upload(t, x.token, ct, body)
		if st != 201 {
			t.Fatalf("upload: %d", st)
		}
		return up
	}
	chart, other := upload(7), upload(8)
	var priv, priv2 answer
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "课程图表 The course chart",
		"body": "会员专享 members only:\n\n![chart](" + chart.URL + ")"}, &priv), 201, "member-only answer")
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "另一张 Another",
		"body": "![other](" + other.URL + ")"}, &priv2), 201, "another member-only answer")
	var grant struct{ URL string }
	want(t, s.call(t, "POST", "/api/v1/embeds", x.token, map[string]any{"answer_id": priv.ID, "expires_in": 3600}, &grant), 201, "mint")
	u, err := url.Parse(grant.URL)
	if err != nil {
		t.Fatal(err)
	}
	res, card := s.send(t, "GET", u.RequestURI(), "", "", "", nil, nil)
	m := regexp.MustCompile(`<img src="(/images/[0-9a-f]{64}\.png\?[^"]+)"`).FindSubmatch(card)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("the signed card does not name its image with the grant: %d\n%s", res.StatusCode, card)
	}
	src := html.UnescapeString(string(m[1]))
	res, got := s.send(t, "GET", src, "", "", "", nil, nil)
	if res.StatusCode != 200 || !bytes.Equal(got, imagetest.PNG(40, 30, 7)) || res.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(res.Header.Get("Cache-Control"), "private") || res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("the embedded image without a session: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	// The same image without the grant is the members' only.
	if res, _ := s.send(t, "GET", chart.URL, "", "", "", nil, nil); res.StatusCode != 403 {
		t.Errorf("without the grant: %d", res.StatusCode)
	}
	q := u.Query()
	for name, path := range map[string]string{
		"another answer's image":  fmt.Sprintf("%s?answer=%d&exp=%s&sig=%s", other.URL, priv.ID, q.Get("exp"), q.Get("sig")),
		"the grant for another":   fmt.Sprintf("%s?answer=%d&exp=%s&sig=%s", other.URL, priv2.ID, q.Get("exp"), q.Get("sig")),
		"forged signature":        fmt.Sprintf("%s?answer=%d&exp=%s&sig=%s", chart.URL, priv.ID, q.Get("exp"), "AAAAAAAAAAAAAAAAAAAAAAAA"),
		"altered expiry":          fmt.Sprintf("%s?answer=%d&exp=%d&sig=%s", chart.URL, priv.ID, 9999999999, q.Get("sig")),
		"no signature":            fmt.Sprintf("%s?answer=%d&exp=%s", chart.URL, priv.ID, q.Get("exp")),
		"not a number for answer": fmt.Sprintf("%s?answer=x&exp=%s&sig=%s", chart.URL, q.Get("exp"), q.Get("sig")),
	} {
		if res, body := s.send(t, "GET", path, "", "", "", nil, nil); res.StatusCode == 200 || bytes.Contains(body, []byte("PNG")) {
			t.Errorf("%s: %d, the image was served", name, res.StatusCode)
		}
	}
}
