package web

import (
	"regexp"
	"strconv"

	"answerbook/qa"
	"answerbook/web/i18n"
)

// A domainMessage recognises one of qa's user-safe messages (which are
// English) and names the catalog message that says it in the reader's
// language. The captured groups become the message's placeholders; a group
// named Field is itself translated ("field.<name>"), a group named Status
// too ("status.<name>"). A message no pattern knows is shown as written,
// under a translated heading for its code (errorText). A test produces
// every one of these messages from qa, so a change of wording there fails it
// here.
type domainMessage struct {
	re *regexp.Regexp
	id string
}

var domainMessages = []domainMessage{
	{regexp.MustCompile(`^wrong email or password$`), "err.sign_in"},
	{regexp.MustCompile(`^too many failed sign-ins; try again in (?P<Minutes>\d+) minutes$`), "err.sign_in_limited"},
	{regexp.MustCompile(`^your session has ended; sign in again$`), "err.session_ended"},
	{regexp.MustCompile(`^sign in first$`), "err.sign_in_first"},
	{regexp.MustCompile(`^(?P<Field>title|body|answer|question body|name|label|text|reason|email) is required$`), "err.required"},
	{regexp.MustCompile(`^(?P<Field>title|body|answer|question body|name|label|text|reason) must be at most (?P<Max>\d+) characters \(got (?P<Got>\d+)\)$`), "err.too_long"},
	{regexp.MustCompile(`^(?P<Field>[a-z ]+): markdown: `), "err.markdown"},
	{regexp.MustCompile(`^password must be at least (?P<Min>\d+) characters$`), "err.password_short"},
	{regexp.MustCompile(`^password must be at most (?P<Max>\d+) characters$`), "err.password_long"},
	{regexp.MustCompile(`^the two passwords differ$`), "err.passwords_differ"},
	{regexp.MustCompile(`^the current password is wrong$`), "err.current_password"},
	{regexp.MustCompile(`^a member with the email (?P<Email>.+) already exists$`), "err.email_taken"},
	{regexp.MustCompile(`^email "(?P<Email>.*)" is not a valid address$`), "err.email_invalid"},
	{regexp.MustCompile(`^date "(?P<Date>.*)" must be YYYY-MM-DD$`), "err.date_invalid"},
	{regexp.MustCompile(`^tag "(?P<Tag>.*)" contains .*$`), "err.tag_chars"},
	{regexp.MustCompile(`^tag "(?P<Tag>.*)" is longer than (?P<Max>\d+) characters$`), "err.tag_long"},
	{regexp.MustCompile(`^at most (?P<Max>\d+) tags`), "err.tags_many"},
	{regexp.MustCompile(`^at most (?P<Max>\d+) canned reasons`), "err.reasons_many"},
	{regexp.MustCompile(`^you have asked (?P<N>\d+) questions in the last 30 days`), "err.quota"},
	{regexp.MustCompile(`^your membership has expired`), "err.expired"},
	{regexp.MustCompile(`^only the expert may do this$`), "err.expert_only"},
	{regexp.MustCompile(`^(question|answer|token|webhook|code) not found$|^not found$|^there is no page here$`), "err.not_found"},
	{regexp.MustCompile(`^the question is already (?P<Status>[a-z]+)$`), "err.question_closed"},
	{regexp.MustCompile(`^a reason is required to decline a question$`), "err.reason_required"},
	{regexp.MustCompile(`^answer \d+ is not a published answer$`), "err.not_published"},
	{regexp.MustCompile(`^this setup link is not valid`), "err.setup_link"},
	{regexp.MustCompile(`^the last expert cannot lose the expert role$`), "err.last_expert"},
	{regexp.MustCompile(`^search is being rebuilt`), "err.search_rebuilding"},
	{regexp.MustCompile(`^search is not available$`), "err.search_rebuilding"},
	{regexp.MustCompile(`^the search took too long`), "err.search_slow"},
	{regexp.MustCompile(`^the query is too complex`), "err.query_complex"},
	{regexp.MustCompile(`^the form is too large$`), "err.too_large"},
	{regexp.MustCompile(`^page must be between 1 and (?P<Max>\d+)$`), "err.page"},
	{regexp.MustCompile(`^the webhook URL must be an http or https URL without credentials$`), "err.webhook_url"},
	{regexp.MustCompile(`^unknown event "(?P<Event>.*)"; events are `), "err.webhook_event"},
	{regexp.MustCompile(`^pick at least one event$`), "err.events_required"},
	{regexp.MustCompile(`^this code is not valid$`), "err.code_invalid"},
	{regexp.MustCompile(`^too many wrong codes; try again in (?P<Minutes>\d+) minutes$`), "err.code_limited"},
	{regexp.MustCompile(`^days must be between 1 and (?P<Max>\d+)$`), "err.code_days"},
	{regexp.MustCompile(`^uses must be between 1 and (?P<Max>\d+)$`), "err.code_uses"},
	{regexp.MustCompile(`^the code's expiry must be in the next 10 years$`), "err.code_expiry"},
	{regexp.MustCompile(`^your membership has no end date; there is nothing to renew$`), "err.renew_no_end"},
}

// errorText says err in the reader's language: a known domain message
// translated, else the message as written under a heading for its code.
// Internal errors never show their text.
func (w *Web) errorText(l *i18n.Localizer, err error) string {
	code := qa.ErrorCode(err)
	if code == qa.EINTERNAL {
		return l.T("err.internal")
	}
	msg := qa.ErrorMessage(err)
	if id, args, ok := translateMessage(l, msg); ok {
		return l.T(id, args...)
	}
	return l.T("err.fallback", "Message", msg)
}

// translateMessage finds the catalog message for a domain message.
func translateMessage(l *i18n.Localizer, msg string) (string, []any, bool) {
	for _, d := range domainMessages {
		m := d.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		var args []any
		for i, name := range d.re.SubexpNames() {
			if name == "" || i >= len(m) {
				continue
			}
			var v any = m[i]
			switch name {
			case "Field":
				v = l.T("field." + fieldKey(m[i]))
			case "Status":
				v = l.T("status." + m[i])
			case "Max", "Min", "Got", "Minutes", "N":
				if n, err := strconv.Atoi(m[i]); err == nil {
					v = l.Num(n)
				}
			}
			args = append(args, name, v)
		}
		return d.id, args, true
	}
	return "", nil, false
}

// fieldKey turns a field name of a domain message into a message id part.
func fieldKey(f string) string {
	switch f {
	case "question body":
		return "question_body"
	case "body", "answer", "name", "label", "text", "reason", "email", "title":
		return f
	}
	return "text"
}
