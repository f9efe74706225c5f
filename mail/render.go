package mail

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"answerbook/qa"
	"answerbook/qa/i18n"
)

// MaxSubjectRunes is the longest subject a message gets: a longer one is
// cut at a character (never inside one) and ends in "…".
const MaxSubjectRunes = 150

// Message is one rendered e-mail.
type Message struct {
	Subject string
	Text    string
	HTML    string
	// Unsubscribe is the absolute one-click unsubscribe URL (RFC 8058) of
	// topic mail; "" for account mail, which cannot be unsubscribed.
	Unsubscribe string
}

// TokenFunc returns the unsubscribe token of a member's topic
// (qa.Store.UnsubscribeToken).
type TokenFunc func(ctx context.Context, memberID int64, t qa.Topic) (string, error)

// Renderer turns outbox rows into messages in their member's language.
type Renderer struct {
	cat  *i18n.Catalog
	base string
	site string
	// siteOf, when set, names the site for each mail instead of site.
	siteOf  func(context.Context) string
	token   TokenFunc
	text    *texttemplate.Template
	html    *htmltemplate.Template
	kindIDs map[qa.Kind]string
}

// NewRenderer loads the catalogs and the message templates. baseURL (no
// trailing slash) makes every link absolute; site names the site.
func NewRenderer(baseURL, site string, token TokenFunc) (*Renderer, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	if site == "" {
		site = "answerbook"
	}
	r := &Renderer{cat: cat, base: strings.TrimRight(baseURL, "/"), site: site, token: token,
		text: texttemplate.Must(texttemplate.New("text").Parse(textTemplate)),
		html: htmltemplate.Must(htmltemplate.New("html").Parse(htmlTemplate)),
		kindIDs: map[qa.Kind]string{
			qa.KindAnswered: "mail.answered", qa.KindDeclined: "mail.declined", qa.KindDuplicate: "mail.duplicate",
			qa.KindExpired: "mail.expired", qa.KindNewQuestions: "mail.queue_new", qa.KindQueueSummary: "mail.queue_summary",
			qa.KindMembershipEnding: "mail.membership_ending", qa.KindMembershipEnded: "mail.membership_ended",
			qa.KindFollowedAnswers: "mail.followed", qa.MailReset: "mail.reset", qa.MailConfirm: "mail.confirm",
			qa.MailDigest: "mail.digest", qa.KindPaymentReceipt: "mail.payment_receipt", qa.KindPaymentRefunded: "mail.payment_refunded",
		}}
	for _, id := range r.ids() {
		if !cat.Has(id) {
			return nil, fmt.Errorf("mail: message %q is missing from a catalog", id)
		}
	}
	return r, nil
}

// ids lists every message id the renderer uses, checked at start.
func (r *Renderer) ids() []string {
	ids := []string{"mail.why_topic", "mail.settings", "mail.unsubscribe", "mail.why_account", "mail.sent_by",
		"mail.declined.note", "mail.expired.note", "mail.more", "mail.queue_summary.oldest",
		"mail.digest.daily", "mail.digest.weekly", "mail.digest.lead_daily", "mail.digest.lead_weekly", "mail.digest.tags",
		"mail.reset.note", "mail.confirm.note"}
	for _, t := range qa.Topics {
		ids = append(ids, "mail.topic."+string(t))
	}
	for k, id := range r.kindIDs {
		if k != qa.MailDigest {
			ids = append(ids, id+".subject", id+".action")
		}
		if k != qa.MailDigest {
			ids = append(ids, id+".lead")
		}
	}
	return ids
}

// view is what both templates show.
type view struct {
	Lang        string
	Subject     string
	Lead        string
	Quote       string
	Lines       []line
	More        string
	Note        string
	Action      string
	Link        string
	Why         string
	Settings    string
	SettingsURL string
	Unsubscribe []link
	SentBy      string
	SiteURL     string
}

type line struct {
	Text   string
	Link   string
	Detail string
}

type link struct {
	Label string
	URL   string
}

// Render renders m in its member's language (m.Lang; English when it names
// none of ours). Every text taken from the outbox (titles, reasons, names)
// is put on one line, so nothing can reach the headers; the HTML part
// escapes it.
func (r *Renderer) Render(ctx context.Context, m *qa.Mail) (*Message, error) {
	l := r.cat.Pick(m.Lang, m.Lang)
	site := r.site
	if r.siteOf != nil {
		site = r.siteOf(ctx)
	}
	v := &view{Lang: l.Code(), SiteURL: r.base + "/", SentBy: l.T("mail.sent_by", "Site", site)}
	args := m.Args
	if args == nil {
		args = qa.Args{}
	}
	id, ok := r.kindIDs[m.Kind]
	if !ok {
		return nil, fmt.Errorf("mail: no message for kind %q", m.Kind)
	}
	title := oneLine(str(args["Title"]))
	count := num(args["Count"])
	if count < 1 {
		count = 1
	}
	v.Link = r.abs(str(args["URL"]))
	switch m.Kind {
	case qa.KindAnswered, qa.KindDuplicate:
		v.Subject, v.Lead = l.T(id+".subject", "Title", title), l.T(id+".lead", "Title", title)
	case qa.KindDeclined:
		v.Subject, v.Lead = l.T(id+".subject", "Title", title), l.T(id+".lead", "Title", title)
		v.Quote, v.Note = strings.TrimSpace(str(args["Reason"])), l.T(id+".note")
	case qa.KindExpired:
		v.Subject, v.Lead, v.Note = l.T(id+".subject", "Title", title), l.T(id+".lead", "Title", title), l.T(id+".note")
	case qa.KindNewQuestions, qa.KindFollowedAnswers:
		v.Subject, v.Lead = l.T(id+".subject", "Count", count), l.T(id+".lead", "Count", count)
		titles, _ := args["Titles"].([]any)
		if len(titles) == 0 && title != "" {
			titles = []any{title}
		}
		for _, t := range titles {
			v.Lines = append(v.Lines, line{Text: oneLine(str(t))})
		}
		if more := count - len(titles); more > 0 && len(titles) > 0 {
			v.More = l.T("mail.more", "More", l.Num(more))
		}
	case qa.KindQueueSummary:
		v.Subject, v.Lead = l.T(id+".subject", "Count", count), l.T(id+".lead", "Count", count)
		if o := str(args["Oldest"]); o != "" {
			v.Note = l.T(id+".oldest", "Oldest", day(l, o))
		}
	case qa.KindMembershipEnding, qa.KindMembershipEnded:
		date := day(l, str(args["Date"]))
		v.Subject, v.Lead = l.T(id+".subject", "Date", date), l.T(id+".lead", "Date", date)
	case qa.KindPaymentReceipt, qa.KindPaymentRefunded:
		a := []any{"Amount", oneLine(str(args["Amount"])), "Plan", oneLine(str(args["Plan"])), "Date", day(l, str(args["Date"]))}
		v.Subject, v.Lead = l.T(id+".subject", a...), l.T(id+".lead", a...)
	case qa.MailReset, qa.MailConfirm:
		v.Subject, v.Lead, v.Note = l.T(id+".subject", "Site", site), l.T(id+".lead", "Site", site), l.T(id+".note", "Site", site)
		v.Link = r.accountLink(str(args["URL"]), str(args["Token"]))
	case qa.MailDigest:
		if err := r.digest(l, v, args); err != nil {
			return nil, err
		}
	}
	if m.Kind == qa.MailDigest {
		v.Action = l.T("mail.digest.action", "Site", site)
	} else {
		v.Action = l.T(id+".action", "Site", site)
	}
	if v.Link == "" {
		v.Link = v.SiteURL
	}
	v.Subject = Subject(v.Subject)

	msg := &Message{Subject: v.Subject}
	if topics := mailTopics(m); len(topics) > 0 {
		if m.MemberID == nil || r.token == nil {
			return nil, fmt.Errorf("mail: topic mail %d has no member to unsubscribe", m.ID)
		}
		v.Why = l.T("mail.why_topic", "Site", site)
		v.Settings, v.SettingsURL = l.T("mail.settings"), r.abs("/account")
		for _, t := range topics {
			tok, err := r.token(ctx, *m.MemberID, t)
			if err != nil {
				return nil, err
			}
			u := r.base + "/unsubscribe?t=" + url.QueryEscape(tok)
			v.Unsubscribe = append(v.Unsubscribe, link{Label: l.T("mail.unsubscribe", "Topic", l.T("mail.topic."+string(t))), URL: u})
		}
		msg.Unsubscribe = v.Unsubscribe[0].URL
	} else {
		v.Why = l.T("mail.why_account", "Site", site)
	}
	var buf bytes.Buffer
	if err := r.text.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("mail: text part: %w", err)
	}
	msg.Text = buf.String()
	buf.Reset()
	if err := r.html.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("mail: html part: %w", err)
	}
	msg.HTML = buf.String()
	return msg, nil
}

// digest fills the view of a digest: one line per item, the subject its
// kind would have alone (a followed answer with its tags and first lines).
func (r *Renderer) digest(l *i18n.Localizer, v *view, args qa.Args) error {
	items, _ := args["Items"].([]any)
	period := oneLine(str(args["Period"]))
	subject, lead := "mail.digest.weekly", "mail.digest.lead_weekly"
	if str(args["Mode"]) == string(qa.MailDaily) {
		subject, lead = "mail.digest.daily", "mail.digest.lead_daily"
	}
	v.Subject, v.Lead = l.T(subject, "Count", len(items)), l.T(lead, "Period", period)
	for _, it := range items {
		item, _ := it.(map[string]any)
		kind := qa.Kind(str(item["kind"]))
		iargs, _ := item["args"].(map[string]any)
		id, ok := r.kindIDs[kind]
		if !ok || kind == qa.MailDigest || kind == qa.MailReset || kind == qa.MailConfirm {
			continue
		}
		c := num(item["count"])
		if c < 1 {
			c = 1
		}
		title := oneLine(str(iargs["Title"]))
		ln := line{Link: r.abs(str(item["url"]))}
		switch kind {
		case qa.KindFollowedAnswers:
			ln.Text = title
			var parts []string
			if tags, _ := iargs["Tags"].([]any); len(tags) > 0 {
				ts := make([]string, len(tags))
				for i, t := range tags {
					ts[i] = oneLine(str(t))
				}
				parts = append(parts, l.T("mail.digest.tags", "Tags", strings.Join(ts, ", ")))
			}
			if ex := oneLine(str(iargs["Excerpt"])); ex != "" {
				parts = append(parts, ex)
			}
			ln.Detail = strings.Join(parts, " — ")
		case qa.KindNewQuestions, qa.KindQueueSummary:
			ln.Text = l.T(id+".subject", "Count", c)
		case qa.KindMembershipEnding, qa.KindMembershipEnded:
			ln.Text = l.T(id+".subject", "Date", oneLine(str(iargs["Date"])))
		case qa.KindPaymentReceipt, qa.KindPaymentRefunded:
			ln.Text = l.T(id+".subject", "Amount", oneLine(str(iargs["Amount"])), "Plan", oneLine(str(iargs["Plan"])))
		default:
			ln.Text = l.T(id+".subject", "Title", title)
			if kind == qa.KindDeclined {
				ln.Detail = oneLine(str(iargs["Reason"]))
			}
		}
		v.Lines = append(v.Lines, ln)
	}
	return nil
}

// mailTopics are the topics a mail can be unsubscribed from: its kind's, or
// for a digest those of its items, the most frequent first (the
// List-Unsubscribe header names that one; the body links to each). Account
// mail has none.
func mailTopics(m *qa.Mail) []qa.Topic {
	if m.Kind != qa.MailDigest {
		if t := qa.TopicOf(m.Kind); t != "" {
			return []qa.Topic{t}
		}
		return nil
	}
	counts := map[qa.Topic]int{}
	var order []qa.Topic
	items, _ := m.Args["Items"].([]any)
	for _, it := range items {
		item, _ := it.(map[string]any)
		t := qa.TopicOf(qa.Kind(str(item["kind"])))
		if t == "" {
			continue
		}
		if counts[t] == 0 {
			order = append(order, t)
		}
		counts[t]++
	}
	for i := 1; i < len(order); i++ { // a stable sort by count, descending
		for j := i; j > 0 && counts[order[j]] > counts[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	return order
}

// abs makes a site-relative path absolute; "" stays "". Anything that is
// not a path of this site (a scheme, //host) is refused: links in mail
// only ever point at the site.
func (r *Renderer) abs(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\r\n\\") {
		return ""
	}
	return r.base + p
}

// accountLink is the link of an account mail: Args["URL"] (the path, with
// its token already in the query, or without it: then the token is added
// as t).
func (r *Renderer) accountLink(path, token string) string {
	u := r.abs(path)
	if u == "" || token == "" || strings.Contains(u, url.QueryEscape(token)) || strings.Contains(u, token) {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "t=" + url.QueryEscape(token)
}

// Subject makes s a header-safe subject: one line (every control
// character and line break a space, runs of space one), at most
// MaxSubjectRunes characters, cut between characters and ended with "…".
func Subject(s string) string {
	s = oneLine(s)
	if utf8.RuneCountInString(s) <= MaxSubjectRunes {
		return s
	}
	rs := []rune(s)[:MaxSubjectRunes-1]
	return strings.TrimRightFunc(string(rs), unicode.IsSpace) + "…"
}

// oneLine puts s on one line: control characters (CR, LF, tab …), line and
// paragraph separators become spaces, runs of spaces one, invalid UTF-8
// the replacement character.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), " ")
}

func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return fmt.Sprintf("%g", v)
	}
	return fmt.Sprint(v)
}

func num(v any) int {
	switch v := v.(type) {
	case float64:
		return int(v)
	case int:
		return v
	case int64:
		return int(v)
	}
	return 0
}

const textTemplate = `{{.Lead}}
{{if .Quote}}
    {{.Quote}}
{{end}}{{range .Lines}}
- {{.Text}}{{if .Detail}}
  {{.Detail}}{{end}}{{if .Link}}
  {{.Link}}{{end}}{{end}}{{if .More}}
  {{.More}}{{end}}
{{if .Note}}
{{.Note}}
{{end}}
{{.Action}}:
{{.Link}}

-- 
{{.Why}}{{if .Settings}}
{{.Settings}}: {{.SettingsURL}}{{end}}{{range .Unsubscribe}}
{{.Label}}: {{.URL}}{{end}}
{{.SentBy}}: {{.SiteURL}}
`

const htmlTemplate = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:24px;background:#f6f6f4;font-family:-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;color:#1f2328;line-height:1.6">
<div style="max-width:560px;margin:0 auto;background:#fff;padding:24px;border-radius:8px">
<p style="margin:0 0 16px">{{.Lead}}</p>
{{- if .Quote}}
<blockquote style="margin:0 0 16px;padding:8px 12px;border-left:3px solid #d0d7de;color:#424a53;white-space:pre-wrap">{{.Quote}}</blockquote>
{{- end}}
{{- if .Lines}}
<ul style="margin:0 0 16px;padding-left:20px">
{{- range .Lines}}
<li style="margin:0 0 8px">{{if .Link}}<a href="{{.Link}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}{{if .Detail}}<br><span style="color:#59636e;font-size:14px">{{.Detail}}</span>{{end}}</li>
{{- end}}
{{- if .More}}
<li style="list-style:none;color:#59636e">{{.More}}</li>
{{- end}}
</ul>
{{- end}}
{{- if .Note}}
<p style="margin:0 0 16px;color:#424a53">{{.Note}}</p>
{{- end}}
<p style="margin:24px 0"><a href="{{.Link}}" style="display:inline-block;padding:10px 18px;background:#1f6feb;color:#fff;text-decoration:none;border-radius:6px">{{.Action}}</a></p>
<hr style="border:0;border-top:1px solid #d0d7de;margin:24px 0 12px">
<p style="margin:0;color:#59636e;font-size:13px">{{.Why}}
{{- if .Settings}} <a href="{{.SettingsURL}}" style="color:#59636e">{{.Settings}}</a>{{end}}
{{- range .Unsubscribe}} · <a href="{{.URL}}" style="color:#59636e">{{.Label}}</a>{{end}}</p>
<p style="margin:8px 0 0;color:#59636e;font-size:13px"><a href="{{.SiteURL}}" style="color:#59636e">{{.SentBy}}</a></p>
</div>
</body>
</html>
`

// day writes a day the outbox holds as YYYY-MM-DD the way the member's
// language writes dates ("Mar 8, 2026", "2026年3月8日"). The day is already
// the member's: a membership's last day is a calendar day, and a day taken
// from an instant (the queue summary's oldest question) was taken in the
// member's time zone when the notice was written (qa.Member.Location).
// Anything else is shown as written, on one line.
func day(l *i18n.Localizer, s string) string {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return oneLine(s)
	}
	return l.Day(t)
}
