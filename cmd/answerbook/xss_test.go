package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"answerbook/internal/server"
	"answerbook/qa"
	"answerbook/qa/markdown"
)

// xssPayloads is the corpus: every string goes through every field that
// reaches HTML (titles, bodies, answers, tags, names, token labels, decline
// reasons, canned reasons, drafts, queries) and every place that shows it.
var xssPayloads = []string{
	// script elements
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=//xss.example/x.js></SCRIPT>`,
	`<script/src="data:text/javascript,alert(1)"></script>`,
	`<scr<script>ipt>alert(1)</scr</script>ipt>`,
	`"><script>alert(1)</script>`,
	`'><script>alert(1)</script>`,
	`</script><script>alert(1)</script>`,
	`<!--<script>alert(1)//-->`,
	`<script>alert(String.fromCharCode(88,83,83))</script>`,
	// event handlers
	`<img src=x onerror=alert(1)>`,
	`<img src="x" onerror="alert(1)">`,
	`<img src=x oNeRrOr=alert(1)>`,
	`<img/src/onerror=alert(1)>`,
	`<img src=x onerror=alert&#40;1&#41;>`,
	`<svg onload=alert(1)>`,
	`<body onload=alert(1)>`,
	`<div onmouseover="alert(1)">hover</div>`,
	`<input autofocus onfocus=alert(1)>`,
	`<details open ontoggle=alert(1)>`,
	`<video><source onerror=alert(1)></video>`,
	`<a href="#" onclick="alert(1)">x</a>`,
	`<marquee onstart=alert(1)>`,
	`<img src=https://example.com/x.png onerror=alert(1)>`,
	`<isindex type=image src=1 onerror=alert(1)>`,
	`<frameset onload=alert(1)>`,
	// javascript: in every spelling
	`javascript:alert(1)`,
	`JaVaScRiPt:alert(1)`,
	` javascript:alert(1)`,
	"\tjavascript:alert(1)",
	"\x01\x02javascript:alert(1)",
	"java\tscript:alert(1)",
	"java\nscript:alert(1)",
	`&#106;avascript:alert(1)`,
	`&#x6A;avascript:alert(1)`,
	`&#X6a;&#X61;&#X76;&#X61;&#X73;&#X63;&#X72;&#X69;&#X70;&#X74;&#X3A;alert(1)`,
	`&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)`,
	`java&Tab;script&colon;alert(1)`,
	`javascript&colon;alert(1)`,
	`jav&#x09;ascript:alert(1)`,
	`jav&#x0A;ascript:alert(1)`,
	`javascript%3Aalert(1)`,
	`vbscript:msgbox(1)`,
	`<a href="javascript:alert(1)">click</a>`,
	`<a href="&#106;avascript:alert(1)">click</a>`,
	`<a href=" &#14;  javascript:alert(1)">click</a>`,
	`<a href="jav&#x61;script&colon;alert(1)">click</a>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`<form action="javascript:alert(1)"><button>go</button></form>`,
	`<button formaction="javascript:alert(1)">go</button>`,
	`<table background="javascript:alert(1)"><tr><td>x</td></tr></table>`,
	`<img srcset="javascript:alert(1) 1x">`,
	// data: URLs
	`data:text/html,<script>alert(1)</script>`,
	`data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
	`data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+`,
	`<a href="data:text/html,<script>alert(1)</script>">x</a>`,
	`<object data="data:text/html,<script>alert(1)</script>"></object>`,
	// SVG and MathML
	`<svg><script>alert(1)</script></svg>`,
	`<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>`,
	`<svg><animate onbegin=alert(1) attributeName=x dur=1s>`,
	`<svg><a><animate attributeName=href values=javascript:alert(1) /><text x=20 y=20>Click</text></a></svg>`,
	`<svg><use href="data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='alert(1)'/></svg>#x"/></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<math href="javascript:alert(1)">CLICK</math>`,
	`<svg><style><img src=x onerror=alert(1)></style></svg>`,
	// embed, base, meta, link, style
	`<embed src="javascript:alert(1)">`,
	`<base href="javascript:alert(1)//">`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<link rel="stylesheet" href="javascript:alert(1)">`,
	`<style>@import 'javascript:alert(1)';</style>`,
	`<style>body{background:red}</style>`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`<portal src=javascript:alert(1)>`,
	// attribute breakouts (image titles, link titles, attribute values)
	`x" onerror="alert(1)`,
	`x' onmouseover='alert(1)`,
	`" autofocus onfocus="alert(1)`,
	`x"><img src=x onerror=alert(1)>`,
	"x` onfocus=alert(1) autofocus `",
	`x&quot; onerror=&quot;alert(1)`,
	// element breakouts
	`</textarea><script>alert(1)</script>`,
	`</title><script>alert(1)</script>`,
	`</style><script>alert(1)</script>`,
	`</noscript><img src=x onerror=alert(1)>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`--><script>alert(1)</script><!--`,
	`]]><script>alert(1)</script>`,
	`<![CDATA[<script>alert(1)</script>]]>`,
	`<xmp><script>alert(1)</script></xmp>`,
	`<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>`,
	// template-ish
	`{{printf "xss%s" "TPLEVAL"}}`,
	`{{.}}{{template "layout.html" .}}`,
	`{{constructor.constructor('alert(1)')()}}`,
	`${"xss"+"TPLEVAL"} <%= 7*7 %> #{7*7}`,
	// Markdown that makes links and images
	`[click](javascript:alert(1))`,
	`[click](&#106;avascript:alert(1))`,
	`[click](<javascript:alert(1)>)`,
	`[click](JAVASCRIPT:alert(1))`,
	`[click]( javascript:alert(1))`,
	`[click](java%0ascript:alert(1))`,
	`[click](javascript&#58;alert(1))`,
	`[click](vbscript:msgbox(1))`,
	`[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`![x](javascript:alert(1))`,
	`![x](data:image/png;base64,iVBORw0KGgo=)`,
	`<javascript:alert(1)>`,
	"[a][r]\n\n[r]: javascript:alert(1) \"t\"",
	`[x](https://example.com "a\" onmouseover=\"alert(1)")`,
	`![x](https://example.com/i.png "\"><script>alert(1)</script>")`,
	"```x\" onclick=\"alert(1)\ncode\n```",
	// lookalikes
	`＜script＞alert(1)＜/script＞`,
	"<img src=x\u2028onerror=alert(1)>",
	`\"-alert(1)-\"`,
}

// xssTagPayloads pass tag normalisation and still look dangerous: what the
// tag fields really carry to pages, URLs and feeds.
var xssTagPayloads = []string{"onerror", "javascript", "..", ".", "#", "+", "c#", "script", "ｓｃｒｉｐｔ", "onload.alert", "data.text-html", "x-onclick", "_", "-", "#x6a", "vbscript"}

// xssEmailCandidates are addresses that may pass validation; those that do
// become members' emails (shown on the members and account pages).
var xssEmailCandidates = []string{
	"x'onmouseover=alert`1`'@example.com",
	"{{7*7}}@example.com",
	"x/onfocus=alert`1`@example.com",
	`"<script>alert(1)</script>"@example.com`,
	"javascript:alert(1)@example.com",
	"a'&#106;@example.com",
}

// xssKind is the kind of HTML being inspected.
type xssKind int

const (
	xssPage     xssKind = iota // a page: the site's own script from /static/, no style
	xssEmbed                   // the embed card: its one style, allowed by hash in its CSP
	xssFragment                // user HTML alone (API body_html, feed content, preview)
	xssSnippet                 // a search snippet: text and <mark> only
	xssOEmbed                  // oEmbed html: the one iframe of the embed card
)

// xssAllow is what the site itself may put in the HTML being inspected.
type xssAllow struct {
	csp       string // the response's CSP (for the embed card's style and script hashes)
	iframeSrc string // the oEmbed iframe's src
	// base is the site's address: an embed card may load the site's own
	// static files (its TeX typesetting), the oEmbed html base+"/embed.js".
	base string
}

// xssURLAttrs are the attributes whose value the browser may load or
// navigate to.
var xssURLAttrs = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "poster": true, "background": true,
	"data": true, "cite": true, "longdesc": true, "lowsrc": true, "dynsrc": true, "ping": true, "manifest": true,
	"codebase": true, "archive": true, "icon": true, "profile": true, "classid": true, "srcset": true,
	"imagesrcset": true, "xlink:href": true, "to": true, "from": true, "values": true,
}

// xssBadScheme reports whether a URL attribute's value runs script or
// loads a document: javascript:, vbscript:, data: and the like, spelled as a
// browser reads it (C0 controls and spaces trimmed, tabs and newlines removed
// anywhere, any case). The parser has already decoded entities.
func xssBadScheme(v string) bool {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= ' ' })
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	v = strings.ToLower(v)
	for _, s := range []string{"javascript:", "vbscript:", "data:", "livescript:", "mocha:"} {
		if strings.HasPrefix(v, s) {
			return true
		}
	}
	return false
}

func xssAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func xssText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func xssInHead(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.DataAtom == atom.Head {
			return true
		}
	}
	return false
}

// xssInspect returns what is executable or otherwise forbidden in doc.
func xssInspect(doc *html.Node, kind xssKind, allow xssAllow) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	styles, iframes, inline := 0, 0, 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n != doc { // doc is a document or a fragment's context
			name := n.Data
			if n.Namespace != "" {
				// The site's templates hold no inline SVG or MathML: any
				// foreign element came from user content.
				bad("foreign element <%s:%s>", n.Namespace, name)
			}
			if kind == xssSnippet && name != "mark" {
				bad("snippet holds <%s>", name)
			}
			if kind == xssSnippet && len(n.Attr) > 0 {
				bad("snippet <%s> has attributes %v", name, n.Attr)
			}
			switch name {
			case "script":
				src, hasSrc := xssAttr(n, "src")
				if typ, _ := xssAttr(n, "type"); typ == "application/ld+json" && kind == xssPage && !hasSrc && xssInHead(n) {
					// schema.org data: JSON that no text of the page closed or
					// opened (json escapes <, > and &).
					if text := xssText(n); !json.Valid([]byte(text)) || strings.ContainsAny(text, "<>&") {
						bad("JSON-LD %q", text)
					}
					break
				}
				if kind == xssEmbed && !hasSrc {
					// The card's one script (it tells the framing page its
					// height), allowed by hash in the card's CSP.
					inline++
					sum := sha256.Sum256([]byte(xssText(n)))
					if hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; inline > 1 || !strings.Contains(allow.csp, hash) {
						bad("<script> %q not allowed by hash", xssText(n))
					}
					break
				}
				text := strings.TrimSpace(xssText(n))
				switch {
				case kind == xssPage && hasSrc && strings.HasPrefix(src, "/static/") && text == "":
				case kind == xssEmbed && hasSrc && allow.base != "" && strings.HasPrefix(src, allow.base+"/static/") && text == "":
				case kind == xssOEmbed && hasSrc && allow.base != "" && src == allow.base+"/embed.js" && text == "":
				default:
					bad("<script> (src %q, text %q)", src, xssText(n))
				}
			case "style":
				styles++
				sum := sha256.Sum256([]byte(xssText(n)))
				hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
				if kind != xssEmbed || !xssInHead(n) || styles > 1 || !strings.Contains(allow.csp, hash) {
					bad("<style> %q", xssText(n))
				}
			case "iframe":
				iframes++
				src, _ := xssAttr(n, "src")
				if kind != xssOEmbed || iframes > 1 || src != allow.iframeSrc {
					bad("<iframe src=%q>", src)
				}
				// Scripts run in the card's own opaque origin: with
				// allow-same-origin too they could reach the framing page.
				if sb, ok := xssAttr(n, "sandbox"); kind == xssOEmbed && (!ok || strings.Contains(sb, "allow-same-origin") || strings.Contains(sb, "allow-top-navigation")) {
					bad("oEmbed iframe sandbox %q", sb)
				}
			case "object", "embed", "applet", "base", "frame", "frameset", "portal", "noembed", "xmp", "plaintext", "isindex":
				bad("<%s>", name)
			case "meta":
				if _, ok := xssAttr(n, "http-equiv"); ok || kind == xssFragment || kind == xssSnippet || !xssInHead(n) {
					bad("<meta %v>", n.Attr)
				}
			case "link":
				rel, _ := xssAttr(n, "rel")
				href, _ := xssAttr(n, "href")
				okRel := map[string]bool{"stylesheet": true, "icon": true, "canonical": true, "alternate": true}[rel]
				if kind != xssPage || !xssInHead(n) || !okRel || (rel != "canonical" && rel != "alternate" && !strings.HasPrefix(href, "/static/")) {
					bad("<link %v>", n.Attr)
				}
			case "form":
				action, _ := xssAttr(n, "action")
				if kind != xssPage || !strings.HasPrefix(action, "/") || strings.HasPrefix(action, "//") {
					bad("<form action=%q>", action)
				}
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				full := key
				if a.Namespace != "" {
					full = a.Namespace + ":" + key
				}
				switch {
				case strings.HasPrefix(key, "on"):
					bad("event handler %s=%q on <%s>", full, a.Val, name)
				case key == "srcdoc":
					bad("srcdoc on <%s>", name)
				case key == "style" && !(kind == xssOEmbed && name == "iframe"):
					bad("style attribute %q on <%s>", a.Val, name)
				case xssURLAttrs[full] || xssURLAttrs[key]:
					vals := []string{a.Val}
					if key == "srcset" || key == "imagesrcset" {
						vals = nil
						for _, part := range strings.Split(a.Val, ",") {
							if f := strings.Fields(part); len(f) > 0 {
								vals = append(vals, f[0])
							}
						}
					}
					for _, v := range vals {
						if xssBadScheme(v) {
							bad("%s=%q on <%s>", full, a.Val, name)
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if kind == xssOEmbed && iframes != 1 {
		bad("oEmbed html has %d iframes, want 1", iframes)
	}
	return problems
}

// xssParseFragment parses HTML as the content of a <div>.
func xssParseFragment(s string) *html.Node {
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), root)
	if err != nil {
		return root
	}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	return root
}

// xssCSPProblem checks an HTML response's Content-Security-Policy: there is
// one, and its script-src (or default-src) allows no inline script, no eval
// and no scheme-wide or wildcard source.
func xssCSPProblem(h http.Header) string {
	csp := h.Get("Content-Security-Policy")
	if csp == "" {
		return "no Content-Security-Policy header"
	}
	dirs := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		name := strings.ToLower(f[0])
		if _, seen := dirs[name]; !seen {
			dirs[name] = f[1:]
		}
	}
	src, ok := dirs["script-src"]
	if !ok {
		src, ok = dirs["default-src"]
	}
	if !ok {
		return "CSP has neither script-src nor default-src: " + csp
	}
	for _, s := range src {
		switch strings.ToLower(s) {
		case "'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:", "blob:":
			return "CSP script sources allow " + s + ": " + csp
		}
	}
	if h.Get("X-Content-Type-Options") != "nosniff" {
		return "HTML without X-Content-Type-Options: nosniff"
	}
	return ""
}

// xssClient is a browser stand-in: a session cookie or a bearer token, no
// redirects followed.
type xssClient struct {
	t      *testing.T
	base   string
	cookie string
	token  string
	http   *http.Client
}

func xssNewClient(t *testing.T, base, cookie, token string) *xssClient {
	return &xssClient{t: t, base: base, cookie: cookie, token: token, http: &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type xssResp struct {
	method, path string
	status       int
	header       http.Header
	body         []byte
}

func (c *xssClient) do(method, path string, form url.Values) xssResp {
	c.t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: c.cookie})
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return xssResp{method: method, path: path, status: res.StatusCode, header: res.Header, body: body}
}

func (c *xssClient) get(path string) xssResp { return c.do(http.MethodGet, path, nil) }

func (c *xssClient) post(path string, form url.Values) xssResp {
	return c.do(http.MethodPost, path, form)
}

// xssRun counts and reports the checks.
type xssRun struct {
	t        *testing.T
	base     string
	checks   int
	perField map[string]int
	failures int
}

func (r *xssRun) fail(field string, res xssResp, format string, args ...any) {
	r.t.Helper()
	r.failures++
	if r.failures > 60 {
		r.t.Fatalf("too many failures; stopping")
	}
	r.t.Errorf("%s: %s %s (%d): %s", field, res.method, xssShort(res.path), res.status, fmt.Sprintf(format, args...))
}

func xssShort(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

// count records n (payload × field) checks of field.
func (r *xssRun) count(field string, n int) {
	r.checks += n
	r.perField[field] += n
}

// xssMarkersIn counts the payloads whose marker is in b.
func xssMarkersIn(b []byte) int { return xssDistinct(xssMarkerRE, b) }

// xssTagsIn counts the payloads whose unique tag is in b.
func xssTagsIn(b []byte) int { return xssDistinct(xssTagRE, b) }

func xssDistinct(re *regexp.Regexp, b []byte) int {
	seen := map[string]bool{}
	for _, m := range re.FindAllSubmatch(b, -1) {
		seen[string(m[1])] = true
	}
	return len(seen)
}

var (
	xssMarkerRE = regexp.MustCompile(`xssneedle(\d{3})`)
	xssTagRE    = regexp.MustCompile(`xsstag(\d{3})`)
)

// xssTexts returns the texts of every elem element of doc.
func xssTexts(doc *html.Node, elem string) map[string]bool {
	out := map[string]bool{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n == nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == elem {
			out[xssText(n)] = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

// htmlResp checks an HTML response: the status is one of want, the CSP,
// nothing executable, and the markers that must be there are. It returns
// the parsed document.
func (r *xssRun) htmlResp(field string, res xssResp, kind xssKind, want []int, markers ...string) *html.Node {
	r.t.Helper()
	if !xssStatusIn(res.status, want) {
		r.fail(field, res, "status %d, want %v; body %q", res.status, want, xssShort(string(res.body)))
		return nil
	}
	ct := res.header.Get("Content-Type")
	if !strings.HasPrefix(ct, "text/html") {
		if len(res.body) > 0 && res.status != http.StatusNoContent && res.status != http.StatusNotModified {
			r.fail(field, res, "Content-Type %q, want HTML", ct)
		}
		return nil
	}
	if p := xssCSPProblem(res.header); p != "" {
		r.fail(field, res, "%s", p)
	}
	if bytes.Contains(res.body, []byte("xssTPLEVAL")) {
		r.fail(field, res, "a template in user content was evaluated")
	}
	var doc *html.Node
	if kind == xssFragment {
		doc = xssParseFragment(string(res.body))
	} else {
		var err error
		doc, err = html.Parse(bytes.NewReader(res.body))
		if err != nil {
			r.fail(field, res, "parse: %v", err)
			return nil
		}
	}
	for _, p := range xssInspect(doc, kind, xssAllow{csp: res.header.Get("Content-Security-Policy"), base: r.base}) {
		r.fail(field, res, "%s", p)
	}
	for _, mk := range markers {
		if !bytes.Contains(res.body, []byte(mk)) {
			r.fail(field, res, "the payload's marker %s is not on the page: the check saw nothing", mk)
		}
	}
	n := len(markers)
	if n == 0 {
		n = 1
	}
	r.count(field, n)
	return doc
}

// fragment checks user HTML carried in JSON or XML.
func (r *xssRun) fragment(field string, res xssResp, s string, kind xssKind, allow xssAllow) {
	r.t.Helper()
	if bytes.Contains([]byte(s), []byte("xssTPLEVAL")) {
		r.fail(field, res, "a template in user content was evaluated")
	}
	for _, p := range xssInspect(xssParseFragment(s), kind, allow) {
		r.fail(field, res, "%s in %q", p, xssShort(s))
	}
}

func (r *xssRun) jsonResp(field string, res xssResp, want int, out any) bool {
	r.t.Helper()
	if res.status != want {
		r.fail(field, res, "status %d, want %d; body %q", res.status, want, xssShort(string(res.body)))
		return false
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		r.fail(field, res, "Content-Type %q, want JSON", ct)
	}
	if err := json.Unmarshal(res.body, out); err != nil {
		r.fail(field, res, "decode: %v", err)
		return false
	}
	return true
}

func xssStatusIn(s int, want []int) bool {
	for _, w := range want {
		if s == w {
			return true
		}
	}
	return false
}

// xssAtomText is an Atom text construct.
type xssAtomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type xssAtomFeed struct {
	Entries []struct {
		Title   xssAtomText `xml:"title"`
		Summary xssAtomText `xml:"summary"`
		Content xssAtomText `xml:"content"`
		Links   []struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

// feed checks an Atom feed: it is well-formed XML; titles and summaries are
// text; the HTML content of every entry passes the same checks as a page
// fragment; links are the site's own. It returns how many entries it held.
func (r *xssRun) feed(field string, res xssResp, markers ...string) int {
	r.t.Helper()
	if res.status != http.StatusOK {
		r.fail(field, res, "status %d", res.status)
		return 0
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		r.fail(field, res, "Content-Type %q", ct)
	}
	var f xssAtomFeed
	if err := xml.Unmarshal(res.body, &f); err != nil {
		r.fail(field, res, "not well-formed XML: %v", err)
		return 0
	}
	for _, e := range f.Entries {
		if e.Title.Type != "" && e.Title.Type != "text" {
			r.fail(field, res, "entry title of type %q", e.Title.Type)
		}
		if e.Summary.Type != "" && e.Summary.Type != "text" {
			r.fail(field, res, "entry summary of type %q", e.Summary.Type)
		}
		if e.Content.Body != "" && e.Content.Type != "html" {
			r.fail(field, res, "entry content of type %q", e.Content.Type)
		}
		r.fragment(field, res, e.Content.Body, xssFragment, xssAllow{})
		for _, l := range e.Links {
			if !strings.HasPrefix(l.Href, r.base+"/") {
				r.fail(field, res, "entry link %q", l.Href)
			}
		}
	}
	for _, mk := range markers {
		if !bytes.Contains(res.body, []byte(mk)) {
			r.fail(field, res, "the payload's marker %s is not in the feed", mk)
		}
	}
	n := len(markers)
	if n == 0 {
		n = xssMarkersIn(res.body)
	}
	r.count(field, n)
	return len(f.Entries)
}

// xssFind returns the first element for which match is true.
func xssFind(n *html.Node, match func(*html.Node) bool) *html.Node {
	if n == nil {
		return nil
	}
	if n.Type == html.ElementNode && match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := xssFind(c, match); f != nil {
			return f
		}
	}
	return nil
}

// xssTrunc keeps the first n runes of s.
func xssTrunc(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// xssBody puts a payload in every Markdown context: text, raw HTML, link
// and image destinations and titles, reference definitions, code, quotes,
// lists, tables and a fenced code block's language.
func xssBody(p, marker string) string {
	return strings.Join([]string{
		marker + " " + p + " " + marker,
		p,
		"[link " + p + "](" + p + " \"" + p + "\")",
		"![img " + p + "](" + p + " \"" + p + "\")",
		"[titled](https://example.com/xss \"" + p + "\") and [paren](https://example.com/xss (" + p + "))",
		"![titled](https://example.com/xss.png \"" + p + "\") and ![single](https://example.com/xss.png '" + p + "')",
		"[ref " + p + "][xssref] and <" + p + ">",
		"[xssref]: " + p + " \"" + p + "\"",
		"`" + p + "`",
		"> " + p,
		"- " + p + "\n- [ ] " + p,
		"| h " + p + " | h2 |\n|---|---|\n| " + p + " | x |",
		"```" + p + "\n" + p + "\n```",
		"<div>" + p + "</div>",
		marker + " end",
	}, "\n\n")
}

// xssItem is one payload's records.
type xssItem struct {
	i                          int
	p, marker, uniqTag, tag    string
	member                     *qa.Member
	client                     *xssClient
	answer                     *qa.Answer
	pending, declined, dupQ    *qa.Question
	draftBody, draftQ, reason  string
	label                      string
	nameIsPayload, emailIsEvil bool
}

// TestXSS_Corpus puts every payload of the corpus through every field that
// reaches HTML and reads every page, card, feed and JSON document that shows
// it: nothing executable may come out, and every HTML response carries a
// strict Content-Security-Policy.
func TestXSS_Corpus(t *testing.T) {
	if len(xssPayloads) < 60 {
		t.Fatalf("corpus has %d payloads, want at least 60", len(xssPayloads))
	}
	begin := time.Now()
	m, _ := startMain(t, t.TempDir())
	ctx := context.Background()
	st := m.Store
	base := m.URL()
	sys := qa.System()

	expert, err := st.CreateMember(ctx, sys, qa.MemberCreate{Email: "xss-expert@example.com", Name: "Expert", Role: qa.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	ex := qa.Actor{Member: expert, Scope: qa.ScopeWrite}
	observer, err := st.CreateMember(ctx, sys, qa.MemberCreate{Email: "xss-observer@example.com", Name: "Observer", Role: qa.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	obsAct := qa.Actor{Member: observer, Scope: qa.ScopeWrite}
	session := func(id int64) string {
		raw, err := st.CreateSession(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	obsTok, _, err := st.CreateToken(ctx, obsAct, observer.ID, qa.TokenCreate{Label: "xss", Scope: qa.ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	feedTok, err := st.CreateFeedToken(ctx, obsAct)
	if err != nil {
		t.Fatal(err)
	}
	expertC := xssNewClient(t, base, session(expert.ID), "")
	obsC := xssNewClient(t, base, session(observer.ID), "")
	obsAPI := xssNewClient(t, base, "", obsTok)
	visitor := xssNewClient(t, base, "", "")

	// Emails: the candidates that pass validation.
	var evilEmails []string
	for _, e := range xssEmailCandidates {
		if _, _, err := qa.NormalizeEmail(e); err == nil {
			evilEmails = append(evilEmails, e)
		}
	}

	// Store every payload in every field.
	tagsSurvived := 0
	var items []*xssItem
	for i, p := range xssPayloads {
		it := &xssItem{i: i, p: p, marker: fmt.Sprintf("xssneedle%03d", i), uniqTag: fmt.Sprintf("xsstag%03d", i)}
		name := xssTrunc(p, qa.MaxNameLen)
		if _, err := qa.NormalizeName(name); err != nil {
			name = fmt.Sprintf("xss member %d", i)
		} else {
			it.nameIsPayload = true
		}
		email := fmt.Sprintf("xss%03d@example.com", i)
		if i < len(evilEmails) {
			email, it.emailIsEvil = evilEmails[i], true
		}
		it.member, err = st.CreateMember(ctx, sys, qa.MemberCreate{Email: email, Name: name, Role: qa.RoleMember})
		if err != nil {
			t.Fatalf("member %d (%q, %q): %v", i, name, email, err)
		}
		act := qa.Actor{Member: it.member, Scope: qa.ScopeWrite}
		if _, tok, err := st.CreateToken(ctx, act, it.member.ID, qa.TokenCreate{Label: xssTrunc(p, qa.MaxTokenLabelLen), Scope: qa.ScopeRead}); err != nil {
			t.Logf("payload %d as a token label: %v", i, err)
		} else {
			it.label = tok.Label
		}
		it.client = xssNewClient(t, base, session(it.member.ID), "")

		tags := []string{it.uniqTag, xssTagPayloads[i%len(xssTagPayloads)]}
		if tag, err := qa.NormalizeTag(p); err == nil {
			it.tag = tag
			tags = append(tags, tag)
			tagsSurvived++
		}
		title := xssTrunc(it.marker+" "+p, qa.MaxTitleLen)
		body := xssBody(p, it.marker)
		asked, err := st.CreateQuestion(ctx, act, qa.QuestionCreate{Title: title, Body: body, Tags: tags})
		if err != nil {
			t.Fatalf("payload %d: ask: %v", i, err)
		}
		it.answer, err = st.AnswerQuestion(ctx, ex, asked.ID, qa.AnswerCreate{Body: body, Tags: tags, Title: &title, QuestionBody: &body, Public: i%2 == 0})
		if err != nil {
			t.Fatalf("payload %d: answer: %v", i, err)
		}
		dq, err := st.CreateQuestion(ctx, act, qa.QuestionCreate{Title: xssTrunc(it.marker+" declined "+p, qa.MaxTitleLen), Body: p})
		if err != nil {
			t.Fatalf("payload %d: ask to decline: %v", i, err)
		}
		it.reason = strings.TrimSpace(xssTrunc(p, qa.MaxReasonLen))
		if it.declined, err = st.DeclineQuestion(ctx, ex, dq.ID, p); err != nil {
			t.Fatalf("payload %d: decline: %v", i, err)
		}
		dup, err := st.CreateQuestion(ctx, act, qa.QuestionCreate{Title: xssTrunc(it.marker+" duplicate "+p, qa.MaxTitleLen), Body: p})
		if err != nil {
			t.Fatal(err)
		}
		if it.dupQ, err = st.MarkDuplicate(ctx, ex, dup.ID, it.answer.ID); err != nil {
			t.Fatalf("payload %d: duplicate: %v", i, err)
		}
		it.pending, err = st.CreateQuestion(ctx, act, qa.QuestionCreate{Title: xssTrunc(it.marker+" pending "+p, qa.MaxTitleLen), Body: body, Tags: tags})
		if err != nil {
			t.Fatalf("payload %d: ask pending: %v", i, err)
		}
		it.draftBody, it.draftQ = body+"\n\n"+p, p
		if _, err := st.SaveDraft(ctx, ex, it.pending.ID, qa.DraftSave{Title: xssTrunc(p, qa.MaxTitleLen), QuestionBody: it.draftQ, Body: it.draftBody, Tags: []string{p}}); err != nil {
			// A draft's tags are kept as typed within a length limit.
			if _, err := st.SaveDraft(ctx, ex, it.pending.ID, qa.DraftSave{Title: xssTrunc(p, qa.MaxTitleLen), QuestionBody: it.draftQ, Body: it.draftBody}); err != nil {
				t.Fatalf("payload %d: draft: %v", i, err)
			}
		}
		items = append(items, it)
	}
	seq, err := st.LastChangeSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := m.Index.WaitFor(wctx, seq); err != nil {
		t.Fatal(err)
	}
	t.Logf("stored %d payloads (%d as member names, %d survive as tags, %d evil emails) in %v",
		len(items), xssCount(items, func(it *xssItem) bool { return it.nameIsPayload }), tagsSurvived, len(evilEmails), time.Since(begin).Round(time.Millisecond))

	r := &xssRun{t: t, base: base, perField: map[string]int{}}
	ok := []int{http.StatusOK}
	for _, it := range items {
		xssCheckItem(r, it, expertC, obsC, obsAPI, visitor, feedTok, ok)
	}

	// Pages that show many payloads at once.
	// many counts one check per payload shown (by its marker, or by its
	// unique tag on the tag lists).
	many := func(field string, c *xssClient, path string) *html.Node {
		res := c.get(path)
		doc := r.htmlResp(field, res, xssPage, ok)
		n := xssMarkersIn(res.body)
		if strings.Contains(field, "tags") && n == 0 {
			n = xssTagsIn(res.body)
		}
		r.count(field, max(n-1, 0)) // htmlResp counted one
		return doc
	}
	askerNames := map[string]bool{}
	for page := 1; page <= (len(items)+19)/20; page++ {
		doc := many("queue list (titles, asker names, excerpts, tags)", expertC, fmt.Sprintf("/queue?page=%d", page))
		for n := range xssTexts(doc, "span") {
			askerNames[n] = true
		}
		many("queue list, newest", expertC, fmt.Sprintf("/queue?sort=newest&page=%d", page))
	}
	memberCells := map[string]bool{}
	memberPages := (len(items) + 2 + 49) / 50
	for page := 1; page <= memberPages; page++ {
		res := expertC.get(fmt.Sprintf("/members?page=%d", page))
		doc := r.htmlResp("members page (names, emails)", res, xssPage, ok)
		for _, e := range []string{"th", "td"} {
			for n := range xssTexts(doc, e) {
				memberCells[n] = true
			}
		}
	}
	r.count("members page (names, emails)", len(items)-memberPages) // one per member row
	for _, it := range items {
		if !askerNames[it.member.Name] {
			t.Errorf("payload %d: the asker's name %q is not shown as text on the queue", it.i, it.member.Name)
		}
		if !memberCells[it.member.Name] || !memberCells[it.member.Email] {
			t.Errorf("payload %d: the name %q or email %q is not shown as text on the members page", it.i, it.member.Name, it.member.Email)
		}
	}
	for _, c := range []*xssClient{obsC, visitor, expertC} {
		many("home page (recent answers, tags)", c, "/")
		many("tags page", c, "/tags")
		many("search page without words (popular tags)", c, "/search")
		for page := 1; page <= (len(items)+19)/20; page++ {
			many("browse all answers", c, fmt.Sprintf("/search?sort=newest&page=%d", page))
		}
	}
	r.feed("Atom feed (public)", visitor.get("/feeds/answers.atom"))
	r.feed("Atom feed (member's token)", visitor.get("/feeds/answers.atom?token="+url.QueryEscape(feedTok)))
	for _, tag := range xssTagPayloads {
		norm, err := qa.NormalizeTag(tag)
		if err != nil {
			t.Errorf("tag payload %q does not survive normalisation: %v", tag, err)
			continue
		}
		many("tag page (tag payloads)", obsC, xssTagPath(norm))
		res := visitor.get("/feeds/tags/" + url.PathEscape(norm) + ".atom?token=" + url.QueryEscape(feedTok))
		if res.status == http.StatusOK {
			r.feed("tag feed (tag payloads)", res)
		} else {
			t.Logf("tag feed of %q: %d", norm, res.status)
		}
	}

	// Canned decline reasons, twenty at a time: the reasons page and the
	// question page that offers them.
	for from := 0; from < len(items); from += qa.MaxDeclineReasons {
		var rs []string
		for _, it := range items[from:min(from+qa.MaxDeclineReasons, len(items))] {
			rs = append(rs, it.p)
		}
		saved, err := st.SetDeclineReasons(ctx, ex, rs)
		if err != nil {
			t.Fatalf("canned reasons: %v", err)
		}
		res := expertC.get("/queue/reasons")
		doc := r.htmlResp("canned decline reasons (reasons page)", res, xssPage, ok)
		r.count("canned decline reasons (reasons page)", len(saved)-1)
		xssWantValues(r, "canned decline reasons (reasons page)", res, doc, "textarea", "reason", saved)
		res = expertC.get(fmt.Sprintf("/queue/%d", items[from].pending.ID))
		doc = r.htmlResp("canned decline reasons (queue item)", res, xssPage, ok, items[from].marker)
		r.count("canned decline reasons (queue item)", len(saved)-1)
		xssWantValues(r, "canned decline reasons (queue item)", res, doc, "input", "reason", saved)
	}

	// Responses the router makes by itself (redirects to the path without
	// a trailing slash, unknown paths) are HTML too, payload in the path
	// or not.
	for _, path := range []string{"/search/", fmt.Sprintf("/answers/%d/", items[0].answer.ID), "/tags/" + items[0].uniqTag + "/",
		"/queue/", "/feeds/answers.atom/", fmt.Sprintf("/embed/answers/%d/", items[0].answer.ID), "/static/nope.css", "/nope",
		"/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/tags/%3Cscript%3Ealert(1)%3C%2Fscript%3E/", "/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
		"/answers/%22onmouseover=alert(1)%20x=%22/"} {
		for _, c := range []*xssClient{visitor, expertC} {
			res := c.get(path)
			if strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
				r.htmlResp("router-made responses (redirects, unknown paths)", res, xssPage, []int{res.status})
			}
		}
	}

	fields := make([]string, 0, len(r.perField))
	for f := range r.perField {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		t.Logf("  %5d  %s", r.perField[f], f)
	}
	t.Logf("XSS corpus: %d payloads (+%d tag payloads, %d email payloads) × %d fields/views = %d (payload × field) checks in %v",
		len(xssPayloads), len(xssTagPayloads), len(evilEmails), len(fields), r.checks, time.Since(begin).Round(time.Millisecond))
}

func xssCount(items []*xssItem, f func(*xssItem) bool) int {
	n := 0
	for _, it := range items {
		if f(it) {
			n++
		}
	}
	return n
}

// xssWantValues checks that the form fields named name hold exactly want,
// as text: the payloads came out inert, not as markup.
func xssWantValues(r *xssRun, field string, res xssResp, doc *html.Node, elem, name string, want []string) {
	if doc == nil {
		return
	}
	got := map[string]bool{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == elem {
			if v, _ := xssAttr(n, "name"); v == name {
				if elem == "textarea" {
					got[xssText(n)] = true
				} else {
					val, _ := xssAttr(n, "value")
					got[val] = true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, w := range want {
		if !got[w] {
			r.fail(field, res, "no <%s name=%s> holds %q as text", elem, name, w)
		}
	}
}

// xssCheckItem reads everything that shows one payload.
func xssCheckItem(r *xssRun, it *xssItem, expertC, obsC, obsAPI, visitor *xssClient, feedTok string, ok []int) {
	a := it.answer
	mk := it.marker
	title := a.Title()

	// The answer page: <title>, meta description, oEmbed link title, h1,
	// question body, answer body, tags, related answers.
	res := obsC.get(fmt.Sprintf("/answers/%d", a.ID))
	doc := r.htmlResp("answer page (member): title, meta, question, body, tags", res, xssPage, ok, mk)
	if h1 := xssFind(doc, func(n *html.Node) bool { return n.DataAtom == atom.H1 }); doc != nil && (h1 == nil || xssText(h1) != title) {
		r.fail("answer page h1", res, "h1 does not hold the title as text")
	}
	if tt := xssFind(doc, func(n *html.Node) bool { return n.DataAtom == atom.Title }); doc != nil && (tt == nil || !strings.HasPrefix(xssText(tt), title)) {
		r.fail("answer page <title>", res, "<title> does not start with the title as text")
	}
	if md := xssFind(doc, func(n *html.Node) bool {
		v, _ := xssAttr(n, "name")
		return n.DataAtom == atom.Meta && v == "description"
	}); doc != nil && md != nil {
		// The opening of the excerpt (a teaser's) or of the public
		// answer's text, as text, never markup.
		plain := strings.Join(strings.Fields(markdown.PlainText(a.BodyMarkdown)), " ")
		c, _ := xssAttr(md, "content")
		opens := func(full string) bool {
			d := strings.TrimSuffix(c, "…")
			return d != "" && strings.HasPrefix(full, d)
		}
		if !opens(a.Excerpt) && !(a.Public && opens(plain)) {
			r.fail("answer page meta description", res, "description %q, want the excerpt %q or the opening of %q", c, a.Excerpt, plain)
		}
	}
	r.count("answer page <title> and meta tags", 1)
	r.htmlResp("answer page (visitor: full or teaser)", visitor.get(fmt.Sprintf("/answers/%d", a.ID)), xssPage, ok, mk)
	r.htmlResp("answer page (expert)", expertC.get(fmt.Sprintf("/answers/%d", a.ID)), xssPage, ok, mk)

	// The editor: textareas must hold the Markdown as text.
	res = expertC.get(fmt.Sprintf("/answers/%d/edit", a.ID))
	doc = r.htmlResp("answer editor (textarea, inputs)", res, xssPage, ok, mk)
	xssWantValues(r, "answer editor (textarea, inputs)", res, doc, "textarea", "body", []string{a.BodyMarkdown})
	xssWantValues(r, "answer editor (textarea, inputs)", res, doc, "input", "title", []string{title})

	// The embed card and oEmbed.
	for _, q := range []string{"", "?theme=dark&lang=en", "?lang=zh"} {
		r.htmlResp("embed card /embed/answers/{id}", visitor.get(fmt.Sprintf("/embed/answers/%d%s", a.ID, q)), xssEmbed, ok, mk)
	}
	page := fmt.Sprintf("%s/answers/%d", r.base, a.ID)
	res = visitor.get("/oembed?format=json&url=" + url.QueryEscape(page))
	if a.Public {
		var o struct {
			HTML  string `json:"html"`
			Title string `json:"title"`
		}
		if r.jsonResp("oEmbed JSON html", res, http.StatusOK, &o) {
			src := fmt.Sprintf("%s/embed/answers/%d", r.base, a.ID)
			r.fragment("oEmbed JSON html", res, o.HTML, xssOEmbed, xssAllow{iframeSrc: src, base: r.base})
			frame := xssFind(xssParseFragment(o.HTML), func(n *html.Node) bool { return n.DataAtom == atom.Iframe })
			if tv, _ := xssAttr(frame, "title"); frame == nil || tv != title {
				r.fail("oEmbed JSON html", res, "iframe title %q, want the answer's title as text", tv)
			}
			r.count("oEmbed JSON html", 1)
		}
	} else if res.status != http.StatusUnauthorized {
		r.fail("oEmbed JSON html", res, "a member-only answer: status %d, want 401", res.status)
	}

	// The API's HTML fields.
	var aj struct {
		BodyHTML string `json:"body_html"`
		Question struct {
			BodyHTML string `json:"body_html"`
		} `json:"question"`
	}
	res = obsAPI.get(fmt.Sprintf("/api/v1/answers/%d", a.ID))
	if r.jsonResp("API answer body_html", res, http.StatusOK, &aj) {
		r.fragment("API answer body_html", res, aj.BodyHTML, xssFragment, xssAllow{})
		r.fragment("API answer question.body_html", res, aj.Question.BodyHTML, xssFragment, xssAllow{})
		if !strings.Contains(aj.BodyHTML, mk) || !strings.Contains(aj.Question.BodyHTML, mk) {
			r.fail("API answer body_html", res, "the marker is missing from body_html")
		}
		r.count("API answer body_html", 1)
		r.count("API answer question.body_html", 1)
	}

	// Search: snippets next to the payload, on the page and in the API.
	res = obsC.get("/search?q=" + url.QueryEscape(mk))
	doc = r.htmlResp("search page snippets", res, xssPage, ok, mk)
	if doc != nil && xssFind(doc, func(n *html.Node) bool { return n.DataAtom == atom.Mark }) == nil {
		r.fail("search page snippets", res, "no <mark> in the results: the snippet was not shown")
	}
	var sj struct {
		Total int `json:"total"`
		Hits  []struct {
			ID      int64  `json:"id"`
			Snippet string `json:"snippet"`
		} `json:"hits"`
	}
	res = obsAPI.get("/api/v1/search?q=" + url.QueryEscape(mk))
	if r.jsonResp("API search snippet", res, http.StatusOK, &sj) {
		found := false
		for _, h := range sj.Hits {
			found = found || h.ID == a.ID
			r.fragment("API search snippet", res, h.Snippet, xssSnippet, xssAllow{})
		}
		if !found {
			r.fail("API search snippet", res, "answer %d not found by its marker", a.ID)
		}
		r.count("API search snippet", 1)
	}
	res = obsAPI.get("/api/v1/similar?q=" + url.QueryEscape(title))
	if r.jsonResp("API similar snippet", res, http.StatusOK, &sj) {
		for _, h := range sj.Hits {
			r.fragment("API similar snippet", res, h.Snippet, xssSnippet, xssAllow{})
		}
		r.count("API similar snippet", 1)
	}

	// The payload as a query, reflected in the search page (title, input,
	// "results for", ask link) for a member and a visitor.
	res = obsC.get("/search?q=" + url.QueryEscape(it.p))
	doc = r.htmlResp("search query reflected (member)", res, xssPage, ok)
	xssWantValues(r, "search query reflected (member)", res, doc, "input", "q", []string{it.p})
	r.htmlResp("search query reflected (visitor)", visitor.get("/search?q="+url.QueryEscape(it.p)), xssPage, ok)
	r.htmlResp("search tag filter reflected", obsC.get("/search?tag="+url.QueryEscape(it.p)+"&q="+url.QueryEscape(mk)), xssPage, []int{200, 400})
	r.htmlResp("tag path reflected (error page)", obsC.get("/tags/"+url.PathEscape(it.p)), xssPage, []int{200, 301, 404})
	r.htmlResp("answer path reflected (error page)", obsC.get("/answers/"+url.PathEscape(it.p)), xssPage, []int{301, 400, 404})
	r.htmlResp("login next reflected", visitor.get("/login?next="+url.QueryEscape(it.p)), xssPage, ok)
	res = obsC.get("/ask?title=" + url.QueryEscape(it.p))
	doc = r.htmlResp("ask form title reflected", res, xssPage, ok)
	xssWantValues(r, "ask form title reflected", res, doc, "input", "title", []string{it.p})
	res = obsC.post("/ask", url.Values{"action": {"preview"}, "title": {it.p}, "body": {xssBody(it.p, mk)}, "tags": {it.p}})
	doc = r.htmlResp("ask form preview (title, body, tags, preview)", res, xssPage, ok, mk)
	xssWantValues(r, "ask form preview (title, body, tags, preview)", res, doc, "textarea", "body", []string{xssBody(it.p, mk)})
	r.htmlResp("ask form similar check", obsC.post("/ask", url.Values{"action": {"check"}, "title": {title}, "body": {it.p}}), xssPage, ok)
	r.htmlResp("live preview /preview", expertC.post("/preview", url.Values{"text": {xssBody(it.p, mk)}}), xssFragment, ok, mk)

	// The expert's queue item: title, body, asker name, tags, the draft in
	// the editor, the duplicate search.
	res = expertC.get(fmt.Sprintf("/queue/%d", it.pending.ID))
	doc = r.htmlResp("queue item (title, body, asker name, tags, draft)", res, xssPage, ok, mk)
	xssWantValues(r, "queue item (title, body, asker name, tags, draft)", res, doc, "textarea", "body", []string{it.draftBody})
	xssWantValues(r, "queue item (title, body, asker name, tags, draft)", res, doc, "textarea", "question_body", []string{it.draftQ})
	res = expertC.get(fmt.Sprintf("/queue/%d?dq=%s", it.pending.ID, url.QueryEscape(it.p)))
	doc = r.htmlResp("queue item duplicate search reflected", res, xssPage, ok, mk)
	xssWantValues(r, "queue item duplicate search reflected", res, doc, "input", "dq", []string{strings.TrimSpace(it.p)})
	r.htmlResp("queue item duplicate search hits", expertC.get(fmt.Sprintf("/queue/%d?dq=%s", it.pending.ID, mk)), xssPage, ok, mk)
	r.htmlResp("queue item preview (editor)", expertC.post(fmt.Sprintf("/queue/%d/answer", it.pending.ID),
		url.Values{"action": {"preview"}, "title": {it.p}, "body": {xssBody(it.p, mk)}, "question_body": {it.p}, "tags": {it.p}}), xssPage, ok, mk)
	r.htmlResp("decline form error reflected", expertC.post(fmt.Sprintf("/queue/%d/decline", it.pending.ID),
		url.Values{"reason_text": {strings.Repeat("x", qa.MaxReasonLen+1) + it.p}}), xssPage, []int{400}, mk)

	// The asker's own pages: my questions (statuses, decline reason,
	// duplicate target), the account (name, email, token labels).
	res = it.client.get("/my/questions")
	doc = r.htmlResp("my questions (titles, decline reason, duplicate target, tags)", res, xssPage, ok, mk)
	if doc != nil {
		found := false
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "span" {
				if c, _ := xssAttr(n, "class"); c == "pre" && xssText(n) == it.declined.DeclineReason {
					found = true
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		if !found {
			r.fail("my questions decline reason", res, "the decline reason %q is not shown as text", it.declined.DeclineReason)
		}
		r.count("decline reason (my questions)", 1)
	}
	res = it.client.get("/account")
	doc = r.htmlResp("account page (name, email, token labels)", res, xssPage, ok)
	if dd := xssTexts(doc, "dd"); doc != nil && (!dd[it.member.Name] || !dd[it.member.Email]) {
		r.fail("account page (name, email, token labels)", res, "name %q or email %q not shown as text", it.member.Name, it.member.Email)
	}
	if th := xssTexts(doc, "th"); doc != nil && it.label != "" && !th[it.label] {
		r.fail("account page (name, email, token labels)", res, "token label %q not shown as text", it.label)
	}

	// Tags: the answer's unique tag page and feed (which hold every
	// payload's answer), and the payload's own tag when it survived.
	r.htmlResp("tag page", obsC.get("/tags/"+it.uniqTag), xssPage, ok, mk)
	r.htmlResp("tag page (visitor)", visitor.get("/tags/"+it.uniqTag), xssPage, ok)
	r.feed("tag Atom feed (content, titles)", visitor.get("/feeds/tags/"+it.uniqTag+".atom?token="+url.QueryEscape(feedTok)), mk)
	if a.Public {
		r.feed("tag Atom feed (public)", visitor.get("/feeds/tags/"+it.uniqTag+".atom"), mk)
	}
	if it.tag != "" {
		r.htmlResp("payload tag page", obsC.get(xssTagPath(it.tag)), xssPage, ok, mk)
		r.feed("payload tag feed", visitor.get("/feeds/tags/"+url.PathEscape(it.tag)+".atom?token="+url.QueryEscape(feedTok)), mk)
	}
}

// xssTagPath is where a tag's page is (as the site links it).
func xssTagPath(tag string) string {
	if strings.Trim(tag, ".") == "" {
		return "/search?tag=" + url.QueryEscape(tag)
	}
	return "/tags/" + url.PathEscape(tag)
}

// TestXSS_CheckerCatches proves the checks of TestXSS_Corpus see what they
// look for: each bad document is flagged, the site's own markup is not.
func TestXSS_CheckerCatches(t *testing.T) {
	css := "body{color:red}"
	sum := sha256.Sum256([]byte(css))
	csp := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	page := func(body string) string {
		return `<!doctype html><html><head><title>t</title><link rel="stylesheet" href="/static/style.css"><script src="/static/app.js" defer></script></head><body>` + body + `</body></html>`
	}
	parse := func(s string, kind xssKind) *html.Node {
		if kind == xssPage || kind == xssEmbed {
			doc, err := html.Parse(strings.NewReader(s))
			if err != nil {
				t.Fatal(err)
			}
			return doc
		}
		return xssParseFragment(s)
	}
	bad := []struct {
		kind xssKind
		html string
	}{
		{xssPage, page(`<script>alert(1)</script>`)},
		{xssPage, page(`<script src="https://evil.example/x.js"></script>`)},
		{xssPage, page(`<script src="/static/app.js">alert(1)</script>`)},
		{xssPage, page(`<img src=x onerror=alert(1)>`)},
		{xssPage, page(`<a href="&#106;avascript:alert(1)">x</a>`)},
		{xssPage, page(`<a href="jav&#x09;ascript:alert(1)">x</a>`)},
		{xssPage, page(`<a href=" &#14;  JavaScript&colon;alert(1)">x</a>`)},
		{xssPage, page(`<a href="data:text/html,x">x</a>`)},
		{xssPage, page(`<img src="data:image/png;base64,AAAA">`)},
		{xssPage, page(`<img srcset="a.png 1x, javascript:alert(1) 2x">`)},
		{xssPage, page(`<svg><a xlink:href="https://example.com"></a></svg>`)},
		{xssPage, page(`<math><mi>x</mi></math>`)},
		{xssPage, page(`<iframe src="https://example.com/"></iframe>`)},
		{xssPage, page(`<object data="x"></object>`)},
		{xssPage, page(`<embed src="x">`)},
		{xssPage, page(`<base href="https://evil.example/">`)},
		{xssPage, page(`<meta http-equiv="refresh" content="0;url=https://evil.example/">`)},
		{xssPage, page(`<style>body{}</style>`)},
		{xssPage, page(`<div style="color:red">x</div>`)},
		{xssPage, page(`<form action="javascript:alert(1)"></form>`)},
		{xssPage, page(`<form action="https://evil.example/"></form>`)},
		{xssPage, page(`<button formaction="javascript:alert(1)">x</button>`)},
		{xssPage, page(`<iframe srcdoc="x"></iframe>`)},
		{xssFragment, `<script src="/static/app.js"></script>`},
		{xssFragment, `<link rel="stylesheet" href="/static/style.css">`},
		{xssFragment, `<meta name="x" content="y">`},
		{xssSnippet, `a <b>b</b>`},
		{xssSnippet, `a <mark class="x">b</mark>`},
		{xssEmbed, `<html><head><style>body{color:blue}</style></head><body></body></html>`},
		{xssEmbed, `<html><head></head><body><style>` + css + `</style></body></html>`},
		{xssOEmbed, `<iframe src="https://evil.example/embed/answers/1"></iframe>`},
		{xssOEmbed, `<iframe src="S" sandbox=""></iframe><iframe src="S" sandbox=""></iframe>`},
		{xssOEmbed, `<iframe src="S" sandbox="allow-scripts allow-same-origin"></iframe>`},
		{xssOEmbed, `<iframe src="S" sandbox=""></iframe><script src="https://evil.example/embed.js"></script>`},
		{xssEmbed, `<html><head></head><body><script>alert(1)</script></body></html>`},
		{xssEmbed, `<html><head><script src="https://evil.example/static/x.js"></script></head><body></body></html>`},
		{xssOEmbed, `x`},
	}
	for _, b := range bad {
		if p := xssInspect(parse(b.html, b.kind), b.kind, xssAllow{csp: csp, iframeSrc: "S", base: "B"}); len(p) == 0 {
			t.Errorf("not flagged (kind %d): %s", b.kind, b.html)
		}
	}
	good := []struct {
		kind xssKind
		html string
	}{
		{xssPage, page(`<a href="https://example.com/" rel="nofollow noopener">x</a><a href="/tags/go">go</a><form method="post" action="/lang"><button formaction="/queue/1/draft">s</button></form><img src="https://example.com/a.png" alt="">`)},
		{xssFragment, `<p>&lt;script&gt;alert(1)&lt;/script&gt; <a href="mailto:a@example.com">m</a> <code class="language-go">x</code></p>`},
		{xssSnippet, `a <mark>b</mark> &lt;script&gt;`},
		{xssEmbed, `<html><head><meta charset="utf-8"><style>` + css + `</style></head><body></body></html>`},
		{xssOEmbed, `<iframe src="S" sandbox="allow-popups" style="border:0"></iframe>`},
		{xssOEmbed, `<iframe src="S" sandbox="allow-scripts allow-popups" style="border:0"></iframe><script async src="B/embed.js"></script>`},
		{xssEmbed, `<html><head><script src="B/static/math.x.js" defer></script></head><body><script>` + css + `</script></body></html>`},
	}
	for _, g := range good {
		if p := xssInspect(parse(g.html, g.kind), g.kind, xssAllow{csp: csp, iframeSrc: "S", base: "B"}); len(p) > 0 {
			t.Errorf("flagged (kind %d): %s: %v", g.kind, g.html, p)
		}
	}
	for _, c := range []struct {
		csp string
		ok  bool
	}{
		{"", false},
		{"default-src 'self'; script-src 'self' 'unsafe-inline'", false},
		{"default-src *", false},
		{"style-src 'self'", false},
		{"script-src 'self' https:", false},
		{"default-src 'self'; script-src 'self'", true},
		{"default-src 'none'; style-src 'sha256-x'", true},
	} {
		h := http.Header{}
		if c.csp != "" {
			h.Set("Content-Security-Policy", c.csp)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		if got := xssCSPProblem(h) == ""; got != c.ok {
			t.Errorf("CSP %q: ok = %v, want %v", c.csp, got, c.ok)
		}
	}
}
