// Package i18n holds the pages' message catalogs — English and Simplified
// Chinese, embedded — chooses a request's language, and formats dates and
// numbers for it. Content (titles, answers, tags) is never translated: only
// the interface around it.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"answerbook/qa"
)

//go:embed locales/*.toml
var locales embed.FS

// The languages of the interface. The first is the default.
var (
	English = language.English
	Chinese = language.SimplifiedChinese
)

// Catalog is the loaded message catalogs of every language.
type Catalog struct {
	langs   []language.Tag
	matcher language.Matcher
	ids     map[language.Tag]map[string]bool
	locs    []*Localizer
}

// Load parses the embedded catalogs. It fails when a catalog is malformed or
// when the catalogs do not hold the same message ids, so a missing
// translation stops the start rather than showing a raw id.
func Load() (*Catalog, error) {
	c := &Catalog{langs: []language.Tag{English, Chinese}, ids: map[language.Tag]map[string]bool{}}
	c.matcher = language.NewMatcher(c.langs)
	bundle := goi18n.NewBundle(English)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(locales, "locales/*.toml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		mf, err := bundle.LoadMessageFileFS(locales, f)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", path.Base(f), err)
		}
		ids := map[string]bool{}
		for _, m := range mf.Messages {
			ids[m.ID] = true
		}
		c.ids[mf.Tag] = ids
	}
	for _, t := range c.langs {
		if c.ids[t] == nil {
			return nil, fmt.Errorf("i18n: no catalog for %s", t)
		}
	}
	for _, t := range c.langs[1:] {
		if missing := diff(c.ids[English], c.ids[t]); len(missing) > 0 {
			return nil, fmt.Errorf("i18n: %s lacks %s", t, strings.Join(missing, ", "))
		}
		if extra := diff(c.ids[t], c.ids[English]); len(extra) > 0 {
			return nil, fmt.Errorf("i18n: %s has ids English lacks: %s", t, strings.Join(extra, ", "))
		}
	}
	for _, t := range c.langs {
		l := &Localizer{tag: t, loc: goi18n.NewLocalizer(bundle, t.String()), printer: message.NewPrinter(t), plain: map[string]string{}}
		// Messages without placeholders or plurals are looked up once.
		for id := range c.ids[t] {
			s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id})
			if err == nil && !strings.Contains(s, "{{") {
				l.plain[id] = s
			}
		}
		c.locs = append(c.locs, l)
	}
	return c, nil
}

// diff returns the ids in a that b lacks, sorted.
func diff(a, b map[string]bool) []string {
	var out []string
	for id := range a {
		if !b[id] {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Has reports whether every language has the message id.
func (c *Catalog) Has(id string) bool {
	for _, t := range c.langs {
		if !c.ids[t][id] {
			return false
		}
	}
	return true
}

// IDs returns every message id, sorted.
func (c *Catalog) IDs() []string {
	out := make([]string, 0, len(c.ids[English]))
	for id := range c.ids[English] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Localizers returns one localizer per language, the default first.
func (c *Catalog) Localizers() []*Localizer { return c.locs }

// Pick chooses the language of a request: the visitor's own choice (the
// code of a language, as Localizer.Code returns, from a cookie) when it
// names one of ours, else the best match for the Accept-Language header,
// else English.
func (c *Catalog) Pick(choice, acceptLanguage string) *Localizer {
	return c.PickOr(choice, acceptLanguage, "")
}

// PickOr is Pick with another last resort: the language fallback (a code,
// the site's default language) when the header matches none of ours.
func (c *Catalog) PickOr(choice, acceptLanguage, fallback string) *Localizer {
	if choice != "" {
		for _, l := range c.locs {
			if l.Code() == choice {
				return l
			}
		}
	}
	last := c.locs[0]
	for _, l := range c.locs {
		if fallback != "" && l.Code() == fallback {
			last = l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return last
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return last
	}
	return c.locs[i]
}

// Localizer speaks one language.
type Localizer struct {
	tag     language.Tag
	loc     *goi18n.Localizer
	printer *message.Printer
	plain   map[string]string
	// zone is the reader's time zone (nil: UTC); see In.
	zone *time.Location
}

// Code is the language's BCP 47 code, for the lang attribute and the
// language cookie: "en" or "zh-Hans".
func (l *Localizer) Code() string { return l.tag.String() }

// T returns the message id in this language. args are pairs of a
// placeholder name and its value; a pair named "Count" with an int value
// also selects the plural form, and is shown formatted for the language. A
// missing id returns the id itself (the tests forbid that).
func (l *Localizer) T(id string, args ...any) string {
	if len(args) == 0 {
		if s, ok := l.plain[id]; ok {
			return s
		}
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			k, _ := args[i].(string)
			v := args[i+1]
			if n, ok := v.(int); ok && k == "Count" {
				cfg.PluralCount = n
				v = l.Num(n)
			}
			data[k] = v
		}
		cfg.TemplateData = data
	}
	s, err := l.loc.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}

// Num formats an integer with the language's digit grouping.
func (l *Localizer) Num(n int) string { return l.printer.Sprintf("%d", n) }

// In returns a localizer of the same language that shows times in loc (a
// reader's zone); nil means UTC. The receiver is not changed.
func (l *Localizer) In(loc *time.Location) *Localizer {
	c := *l
	c.zone = loc
	return &c
}

// Zone is the zone times are shown in: UTC unless set with In.
func (l *Localizer) Zone() *time.Location {
	if l.zone == nil {
		return time.UTC
	}
	return l.zone
}

// Date formats the day an instant falls on in the reader's zone (see In)
// the way the language writes dates: "Mar 1, 2026" or "2026年3月1日".
func (l *Localizer) Date(t time.Time) string { return l.day(t.In(l.Zone())) }

// Day formats a calendar day (a membership's last day, a code's: stored
// as UTC midnight) without moving it into the reader's zone.
func (l *Localizer) Day(t time.Time) string { return l.day(t.UTC()) }

func (l *Localizer) day(t time.Time) string {
	if l.tag == Chinese {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
	}
	return t.Format("Jan 2, 2006")
}

// DateTime formats an instant with the time of day, in the reader's zone
// (see In), and says which zone: "Mar 1, 2026, 15:30 UTC",
// "2026年3月1日 23:30 (Asia/Shanghai)".
func (l *Localizer) DateTime(t time.Time) string {
	t = t.In(l.Zone())
	zone := "UTC"
	if name := l.Zone().String(); name != "UTC" && name != "" {
		zone = "(" + name + ")"
	}
	if l.tag == Chinese {
		return fmt.Sprintf("%s %s %s", l.day(t), t.Format("15:04"), zone)
	}
	return t.Format("Jan 2, 2006, 15:04") + " " + zone
}

// Error says err in this language: the catalog's message for its key, with
// its arguments shown for the reader (a Field or a Status in words, whole
// numbers with the language's digit grouping). An error without a key (the
// command line's) is shown as written under the fallback heading; an
// internal error never shows its text.
func (l *Localizer) Error(err error) string {
	key := qa.ErrorKey(err)
	switch key {
	case qa.KeyInternal:
		return l.T(string(qa.KeyInternal))
	case "":
		return l.T("err.fallback", "Message", qa.ErrorMessage(err))
	}
	args := qa.ErrorArgs(err)
	pairs := make([]any, 0, 2*len(args))
	for name, v := range args {
		pairs = append(pairs, name, l.arg(name, v))
	}
	return l.T(string(key), pairs...)
}

// arg shows one argument of an error message in this language.
func (l *Localizer) arg(name string, v any) any {
	switch name {
	case "Field":
		return l.T("field." + fmt.Sprint(v))
	case "Status", "From", "To":
		return l.T("status." + fmt.Sprint(v))
	}
	switch n := v.(type) {
	case int:
		return l.Num(n)
	case int64:
		return l.Num(int(n))
	}
	return v
}
