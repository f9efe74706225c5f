package markdown

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// urlAttrs are the attributes of Render's HTML that hold a URL.
var urlAttrs = map[string]bool{"href": true, "src": true}

// AbsoluteURLs returns rendered HTML (Render's) with every relative URL in
// an href or src made absolute against page, the absolute URL of the page
// the HTML belongs to: "/images/….png" becomes the site's, "#fn-1" the
// page's own anchor. HTML read away from the site — a feed reader, an
// e-mail — has no base to resolve them against. URLs that are absolute
// already, and any that do not parse, are left as they are; the rest of
// the HTML is passed through byte for byte. A page that is not an absolute
// URL leaves the HTML unchanged.
func AbsoluteURLs(rendered, page string) string {
	base, err := url.Parse(page)
	if err != nil || !base.IsAbs() || base.Host == "" || !strings.Contains(rendered, "=") {
		return rendered
	}
	var out bytes.Buffer
	out.Grow(len(rendered) + len(rendered)/8)
	z := html.NewTokenizer(strings.NewReader(rendered))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			// io.EOF at the end; Render's HTML is whole, so nothing else.
			return out.String()
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			out.Write(z.Raw())
			continue
		}
		raw := append([]byte(nil), z.Raw()...)
		tok := z.Token()
		changed := false
		for i, a := range tok.Attr {
			if a.Namespace != "" || !urlAttrs[a.Key] {
				continue
			}
			if abs, ok := resolve(base, a.Val); ok && abs != a.Val {
				tok.Attr[i].Val = abs
				changed = true
			}
		}
		if changed {
			out.WriteString(tok.String())
		} else {
			out.Write(raw)
		}
	}
}

// resolve makes ref absolute against base; false when ref does not parse,
// or is absolute already.
func resolve(base *url.URL, ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	u, err := url.Parse(ref)
	if err != nil || u.IsAbs() {
		return "", false
	}
	return base.ResolveReference(u).String(), true
}
