package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"answerbook/qa"
)

// get sends a GET with headers and returns the response and its body.
func (s *server) get(t *testing.T, path string, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func publishTwo(t *testing.T, s *server) (expert person, public, private answer) {
	expert = s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	want(t, s.call(t, "POST", "/api/v1/answers", expert.token, map[string]any{"title": "如何续签卡塔尔居留许可", "body": "带上护照去移民局。<script>alert(1)</script>", "tags": []string{"签证"}, "public": true}, &public), 201, "public")
	want(t, s.call(t, "POST", "/api/v1/answers", expert.token, map[string]any{"title": "Members-only salary data", "body": "The secret numbers are 42 and 43.", "tags": []string{"salary"}}, &private), 201, "private")
	return
}

func TestAPI_HTTPCaching(t *testing.T) {
	s := newServer(t)
	x, pub, priv := publishTwo(t, s)
	m := s.person(t, "Member", qa.RoleMember, qa.ScopeRead, nil)

	res, _ := s.get(t, fmt.Sprintf("/api/v1/answers/%d", pub.ID), nil)
	etag, lm := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	if res.StatusCode != 200 || etag == "" || lm == "" || !strings.HasPrefix(res.Header.Get("Cache-Control"), "public") {
		t.Fatalf("public answer: %d etag=%q lm=%q cc=%q", res.StatusCode, etag, lm, res.Header.Get("Cache-Control"))
	}
	res, body := s.get(t, fmt.Sprintf("/api/v1/answers/%d", pub.ID), map[string]string{"If-None-Match": etag})
	if res.StatusCode != 304 || body != "" {
		t.Fatalf("If-None-Match: %d %q", res.StatusCode, body)
	}
	res, _ = s.get(t, fmt.Sprintf("/api/v1/answers/%d", pub.ID), map[string]string{"If-Modified-Since": lm})
	if res.StatusCode != 304 {
		t.Fatalf("If-Modified-Since: %d", res.StatusCode)
	}
	// Member-only: private, and the member's full view never matches the
	// visitor's teaser.
	auth := map[string]string{"Authorization": "Bearer " + m.token}
	res, _ = s.get(t, fmt.Sprintf("/api/v1/answers/%d", priv.ID), auth)
	memberTag := res.Header.Get("ETag")
	if !strings.HasPrefix(res.Header.Get("Cache-Control"), "private") {
		t.Fatalf("member-only answer cached publicly: %q", res.Header.Get("Cache-Control"))
	}
	res, _ = s.get(t, fmt.Sprintf("/api/v1/answers/%d", priv.ID), map[string]string{"If-None-Match": memberTag})
	if res.StatusCode != 200 {
		t.Fatalf("a visitor must not revalidate against the member's copy: %d", res.StatusCode)
	}
	// An edit changes the validators.
	want(t, s.call(t, "PUT", fmt.Sprintf("/api/v1/answers/%d", pub.ID), x.token, map[string]any{"body": "更新：先预约。"}, nil), 200, "edit")
	res, _ = s.get(t, fmt.Sprintf("/api/v1/answers/%d", pub.ID), map[string]string{"If-None-Match": etag})
	if res.StatusCode != 200 || res.Header.Get("ETag") == etag {
		t.Fatalf("after an edit: %d, etag %q", res.StatusCode, res.Header.Get("ETag"))
	}
}

func TestAPI_Embed(t *testing.T) {
	s := newServer(t)
	_, pub, priv := publishTwo(t, s)
	res, body := s.get(t, fmt.Sprintf("/embed/answers/%d?theme=dark", pub.ID), nil)
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != 200 || !strings.Contains(csp, "frame-ancestors *") || strings.Contains(csp, "unsafe-inline") || res.Header.Get("X-Frame-Options") != "" {
		t.Fatalf("embed headers: %d csp=%q xfo=%q", res.StatusCode, csp, res.Header.Get("X-Frame-Options"))
	}
	if !strings.Contains(body, `class="dark"`) || !strings.Contains(body, "带上护照去移民局") || strings.Contains(body, "<script>alert") || !strings.Contains(body, `lang="zh-Hans"`) {
		t.Fatalf("public embed: %s", body)
	}
	if res.Header.Get("ETag") == "" {
		t.Fatal("embed without ETag")
	}
	res, body = s.get(t, fmt.Sprintf("/embed/answers/%d?lang=zh", priv.ID), nil)
	if res.StatusCode != 200 || strings.Contains(body, "42 and 43") || !strings.Contains(body, "阅读完整回答") {
		t.Fatalf("member-only embed shows more than the teaser or lacks the link: %s", body)
	}
	// The session cookie does not unlock an embed.
	sid, _ := s.store.CreateSession(s.ctx, s.person(t, "M", qa.RoleMember, qa.ScopeRead, nil).ID)
	_, body = s.get(t, fmt.Sprintf("/embed/answers/%d", priv.ID), map[string]string{"Cookie": "sid=" + sid})
	if strings.Contains(body, "42 and 43") {
		t.Fatal("embed reads member-only text with a cookie")
	}
	res, _ = s.get(t, "/embed/answers/999999", nil)
	if res.StatusCode != 404 {
		t.Fatalf("unknown embed: %d", res.StatusCode)
	}
	t.Logf("embed card: %d bytes", len(body))
}

func TestAPI_OEmbed(t *testing.T) {
	s := newServer(t)
	_, pub, priv := publishTwo(t, s)
	q := func(u string, extra string) (*http.Response, string) {
		return s.get(t, "/oembed?url="+url.QueryEscape(u)+extra, nil)
	}
	res, body := q(pub.URL, "&format=json&maxwidth=400&maxheight=300")
	var o map[string]any
	if err := json.Unmarshal([]byte(body), &o); err != nil || res.StatusCode != 200 {
		t.Fatalf("oembed: %d %s", res.StatusCode, body)
	}
	for _, f := range []string{"type", "version", "html", "width", "height", "title", "provider_name", "provider_url", "cache_age"} {
		if _, ok := o[f]; !ok {
			t.Fatalf("oembed lacks %s: %s", f, body)
		}
	}
	if o["type"] != "rich" || o["version"] != "1.0" || o["width"].(float64) > 400 || o["height"].(float64) > 300 ||
		!strings.Contains(o["html"].(string), fmt.Sprintf(`src="http://answers.test/embed/answers/%d"`, pub.ID)) {
		t.Fatalf("oembed = %s", body)
	}
	if res, _ := q(pub.URL, "&format=xml"); res.StatusCode != 501 {
		t.Fatalf("xml: %d", res.StatusCode)
	}
	if res, _ := q(priv.URL, ""); res.StatusCode != 401 {
		t.Fatalf("member-only: %d", res.StatusCode)
	}
	for _, u := range []string{"http://answers.test/answers/999999", "http://evil.example/answers/1", "http://answers.test/tags/x", "javascript:alert(1)", ""} {
		if res, _ := q(u, ""); res.StatusCode != 404 {
			t.Fatalf("%q: %d", u, res.StatusCode)
		}
	}
	res, _ = q(pub.URL, "")
	if res2, _ := s.get(t, "/oembed?url="+url.QueryEscape(pub.URL), map[string]string{"If-None-Match": res.Header.Get("ETag")}); res2.StatusCode != 304 {
		t.Fatalf("oembed revalidation: %d", res2.StatusCode)
	}
}

func TestAPI_CORS(t *testing.T) {
	s := newServer(t)
	_, pub, priv := publishTwo(t, s)
	m := s.person(t, "Member", qa.RoleMember, qa.ScopeRead, nil)
	pre := func(origin, method string) *http.Response {
		req, _ := http.NewRequest("OPTIONS", s.URL+"/api/v1/search", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		req.Header.Set("Access-Control-Request-Headers", "authorization")
		res, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	res := pre("https://blog.example", "GET")
	if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Origin") != "https://blog.example" ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "Authorization") || res.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("preflight: %d %v", res.StatusCode, res.Header)
	}
	if res := pre("https://evil.example", "GET"); res.StatusCode != 403 || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("other origin preflight: %d", res.StatusCode)
	}
	if res := pre("https://blog.example", "POST"); res.StatusCode != 403 {
		t.Fatalf("write preflight: %d", res.StatusCode)
	}
	r, _ := s.get(t, fmt.Sprintf("/api/v1/answers/%d", pub.ID), map[string]string{"Origin": "https://blog.example"})
	if r.Header.Get("Access-Control-Allow-Origin") != "https://blog.example" {
		t.Fatalf("simple GET lacks ACAO: %v", r.Header)
	}
	// Cross-origin, a cookie is ignored; a token works.
	sid, _ := s.store.CreateSession(s.ctx, m.ID)
	_, body := s.get(t, fmt.Sprintf("/api/v1/answers/%d", priv.ID), map[string]string{"Origin": "https://blog.example", "Cookie": "sid=" + sid})
	if strings.Contains(body, "42 and 43") {
		t.Fatal("cross-origin request read member-only text with a cookie")
	}
	_, body = s.get(t, fmt.Sprintf("/api/v1/answers/%d", priv.ID), map[string]string{"Origin": "https://blog.example", "Authorization": "Bearer " + m.token})
	if !strings.Contains(body, "42 and 43") {
		t.Fatal("cross-origin request with a token cannot read")
	}
}

// TestAPI_SignedEmbed: the expert mints a signed, expiring embed URL; it
// shows a member-only answer in full to whoever frames it (no cookie); a
// forged, altered or borrowed signature shows the teaser; the card tells
// its height to the framing page, whose /embed.js fits the iframe; a card
// with TeX loads the site's own KaTeX.
func TestAPI_SignedEmbed(t *testing.T) {
	s := newServer(t)
	x, pub, priv := publishTwo(t, s)
	var grant struct {
		AnswerID  int64  `json:"answer_id"`
		URL       string `json:"url"`
		ExpiresAt string `json:"expires_at"`
		HTML      string `json:"html"`
	}
	want(t, s.call(t, "POST", "/api/v1/embeds", x.token, map[string]any{"answer_id": priv.ID, "expires_in": 3600}, &grant), 201, "mint")
	u, err := url.Parse(grant.URL)
	if err != nil || u.Query().Get("sig") == "" || u.Query().Get("exp") == "" || !strings.Contains(grant.HTML, "/embed.js") || !strings.Contains(grant.HTML, "allow-scripts") {
		t.Fatalf("grant: %+v", grant)
	}
	res, body := s.get(t, u.RequestURI(), nil)
	if res.StatusCode != 200 || !strings.Contains(body, "42 and 43") || res.Header.Get("Referrer-Policy") != "no-referrer" || strings.HasPrefix(res.Header.Get("Cache-Control"), "public") {
		t.Fatalf("signed embed: %d rp=%q cc=%q\n%s", res.StatusCode, res.Header.Get("Referrer-Policy"), res.Header.Get("Cache-Control"), body)
	}
	if !strings.Contains(body, `postMessage`) || !strings.Contains(res.Header.Get("Content-Security-Policy"), "script-src 'sha256-") {
		t.Fatalf("the card does not report its height under a hashed script: %s", res.Header.Get("Content-Security-Policy"))
	}
	q := u.Query()
	for name, path := range map[string]string{
		"altered expiry":     fmt.Sprintf("/embed/answers/%d?exp=%d&sig=%s", priv.ID, 9999999999, q.Get("sig")),
		"another answer":     fmt.Sprintf("/embed/answers/%d?exp=%s&sig=%s", pub.ID+priv.ID+1, q.Get("exp"), q.Get("sig")),
		"forged signature":   fmt.Sprintf("/embed/answers/%d?exp=%s&sig=%s", priv.ID, q.Get("exp"), "AAAAAAAAAAAAAAAAAAAAAAAA"),
		"overlong signature": fmt.Sprintf("/embed/answers/%d?exp=%s&sig=%s", priv.ID, q.Get("exp"), strings.Repeat("A", 5000)),
		"no signature":       fmt.Sprintf("/embed/answers/%d?exp=%s", priv.ID, q.Get("exp")),
	} {
		if _, body := s.get(t, path, nil); strings.Contains(body, "42 and 43") {
			t.Errorf("%s: the member-only text shows", name)
		}
	}
	// Bad requests, in both languages; members cannot mint.
	m := s.person(t, "Member 会员", qa.RoleMember, qa.ScopeWrite, nil)
	want(t, s.call(t, "POST", "/api/v1/embeds", m.token, map[string]any{"answer_id": priv.ID}, nil), 403, "member mints")
	want(t, s.call(t, "POST", "/api/v1/embeds", x.token, map[string]any{"answer_id": priv.ID, "expires_in": 10}, nil), 400, "too short")
	want(t, s.call(t, "POST", "/api/v1/embeds", x.token, map[string]any{"answer_id": priv.ID, "expires_in": 400 * 86400}, nil), 400, "too long")
	want(t, s.call(t, "POST", "/api/v1/embeds", x.token, map[string]any{"answer_id": 999999}, nil), 404, "missing answer")
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/embeds", strings.NewReader(`{"answer_id":0}`))
	req.Header.Set("Authorization", "Bearer "+x.token)
	req.Header.Set("Accept-Language", "zh-CN")
	res, err = s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || !strings.Contains(string(b), "answer_id") {
		t.Fatalf("answer_id 0: %d %s", res.StatusCode, b)
	}

	// /embed.js, and a card with TeX loads the site's KaTeX.
	res, body = s.get(t, "/embed.js", nil)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "javascript") || !strings.Contains(body, "answerbook:embed-height") {
		t.Fatalf("/embed.js: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var math answer
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "质能方程", "body": "能量 $E = mc^2$。", "public": true}, &math), 201, "math")
	_, body = s.get(t, fmt.Sprintf("/embed/answers/%d", math.ID), nil)
	if !strings.Contains(body, `<span class="math math-inline">E = mc^2</span>`) || !strings.Contains(body, "katex") || !strings.Contains(body, "math.") {
		t.Fatalf("a card with TeX does not load KaTeX: %s", body)
	}
	if _, body = s.get(t, fmt.Sprintf("/embed/answers/%d", pub.ID), nil); strings.Contains(body, "katex") {
		t.Fatal("a card without TeX loads KaTeX")
	}
}

// TestAPI_OEmbedHeight: the oEmbed height follows the content: a short
// answer's card is lower than a long one's, within the consumer's maximum.
func TestAPI_OEmbedHeight(t *testing.T) {
	s := newServer(t)
	x := s.person(t, "Expert", qa.RoleExpert, qa.ScopeWrite, nil)
	var short, long answer
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "短", "body": "是的。", "public": true}, &short), 201, "short")
	want(t, s.call(t, "POST", "/api/v1/answers", x.token, map[string]any{"title": "How to renew a residence permit", "body": strings.Repeat("Bring your passport and the form to the office. 带上护照和表格。\n\n", 12), "public": true}, &long), 201, "long")
	height := func(id int64, max string) int {
		var o struct {
			Height int    `json:"height"`
			HTML   string `json:"html"`
		}
		_, body := s.get(t, fmt.Sprintf("/oembed?url=%s&maxheight=%s", url.QueryEscape(fmt.Sprintf("http://answers.test/answers/%d", id)), max), nil)
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			t.Fatalf("oembed: %v %s", err, body)
		}
		if !strings.Contains(o.HTML, fmt.Sprintf(`height="%d"`, o.Height)) {
			t.Fatalf("the iframe's height is not the oEmbed height: %+v", o)
		}
		return o.Height
	}
	hs, hl := height(short.ID, "2000"), height(long.ID, "2000")
	if hs >= hl || hs < 120 || hs > 250 || hl > 360 {
		t.Fatalf("short %d px, long %d px: want short < long, short in [120, 250], long at most the default 360", hs, hl)
	}
	if h := height(long.ID, "200"); h != 200 {
		t.Fatalf("maxheight 200 gave %d", h)
	}
}
