package i18n

import (
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestLoad(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.IDs()) < 100 || !c.Has("nav.search") || c.Has("no.such.id") {
		t.Fatalf("catalog: %d ids", len(c.IDs()))
	}
}

// placeholder matches {{.Name}} in a message.
var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// TestCatalogs_SamePlaceholders checks that every message uses the same
// placeholders in every language, and that plural messages have the forms
// their language needs.
func TestCatalogs_SamePlaceholders(t *testing.T) {
	en, zh := readCatalog(t, "en.toml"), readCatalog(t, "zh-Hans.toml")
	vars := func(s string) string {
		var vs []string
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			vs = append(vs, m[1])
		}
		sort.Strings(vs)
		return strings.Join(vs, ",")
	}
	for id, forms := range en {
		z, ok := zh[id]
		if !ok {
			t.Errorf("%s: missing in zh-Hans", id)
			continue
		}
		if _, plural := forms["one"]; plural {
			if forms["other"] == "" || vars(forms["one"]) != vars(forms["other"]) {
				t.Errorf("%s: English plural forms %v", id, forms)
			}
			if !strings.Contains(forms["one"], "{{.Count}}") && !strings.Contains(forms["other"], "{{.Count}}") {
				t.Errorf("%s: a plural message without {{.Count}}", id)
			}
		}
		if vars(forms["other"]) != vars(z["other"]) {
			t.Errorf("%s: placeholders differ: en %q, zh %q", id, forms["other"], z["other"])
		}
		for _, s := range []string{forms["other"], z["other"]} {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: empty message", id)
			}
		}
	}
}

func TestPick(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ choice, accept, want string }{
		{"", "", "en"},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"},
		{"", "zh-TW", "zh-Hans"},
		{"", "en-US,en;q=0.9", "en"},
		{"", "ja-JP", "en"},
		{"", "garbage;;;q=x", "en"},
		{"en", "zh-CN", "en"},
		{"zh-Hans", "en-US", "zh-Hans"},
		{"xx", "zh-CN", "zh-Hans"},
	} {
		if got := c.Pick(tc.choice, tc.accept).Code(); got != tc.want {
			t.Errorf("Pick(%q, %q) = %s, want %s", tc.choice, tc.accept, got, tc.want)
		}
	}
}

func TestLocalizer(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	en, zh := c.Pick("en", ""), c.Pick("zh-Hans", "")
	day := time.Date(2026, 3, 1, 23, 30, 0, 0, time.FixedZone("CST", 8*3600)) // 15:30 UTC
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ got, want string }{
		{en.T("nav.search"), "Search"},
		{zh.T("nav.search"), "搜索"},
		{en.T("search.results", "Count", 1), "1 answer"},
		{en.T("search.results", "Count", 12345), "12,345 answers"},
		{zh.T("search.results", "Count", 12345), "12,345 篇解答"},
		{en.T("search.results_for", "Count", 2, "Query", "<b>x</b>"), "2 answers for “<b>x</b>”"},
		{en.Date(day), "Mar 1, 2026"},
		{zh.Date(day), "2026年3月1日"},
		{en.DateTime(day), "Mar 1, 2026, 15:30 UTC"},
		{zh.DateTime(day), "2026年3月1日 15:30 UTC"},
		{en.Num(1234567), "1,234,567"},
		{en.T("no.such.message"), "no.such.message"},
		// In the reader's zone: the time of day, the day itself, and the
		// zone named; a calendar day (Day) never moves.
		{zh.In(shanghai).DateTime(day), "2026年3月1日 23:30 (Asia/Shanghai)"},
		{en.In(newYork).DateTime(day), "Mar 1, 2026, 10:30 (America/New_York)"},
		{en.In(newYork).Date(time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)), "Mar 1, 2026"},
		{zh.In(shanghai).Date(time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)), "2026年3月2日"},
		{en.In(newYork).Day(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)), "Mar 2, 2026"},
		{en.DateTime(day), "Mar 1, 2026, 15:30 UTC"}, // In made a copy
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func BenchmarkT(b *testing.B) {
	c, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	l := c.Pick("zh-Hans", "")
	for b.Loop() {
		l.T("nav.search")
		l.T("search.results", "Count", 42)
	}
}

// readCatalog reads a catalog file into id → plural form → message.
func readCatalog(t *testing.T, name string) map[string]map[string]string {
	t.Helper()
	raw, err := fs.ReadFile(locales, "locales/"+name)
	if err != nil {
		t.Fatal(err)
	}
	var tree map[string]any
	if err := toml.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		forms := map[string]string{}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				if k == "one" || k == "other" {
					forms[k] = v
				} else {
					out[prefix+k] = map[string]string{"other": v}
				}
			case map[string]any:
				walk(prefix+k+".", v)
			}
		}
		if len(forms) > 0 {
			out[strings.TrimSuffix(prefix, ".")] = forms
		}
	}
	walk("", tree)
	return out
}
