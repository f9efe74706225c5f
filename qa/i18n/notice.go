package i18n

import (
	"math"
	"time"

	"answerbook/qa"
)

// NoticeID is the catalog message that titles notifications of a kind.
func NoticeID(k qa.Kind) string { return "notice." + string(k) }

// Notice says a notification's title in this language: the catalog's
// "notice.<kind>" message with the notification's arguments shown for the
// reader — Count (which also picks the plural form) with the language's
// digit grouping, Date and Oldest (stored as YYYY-MM-DD) as the language
// writes dates, the rest (titles, reasons) as written. The pages, the API
// and e-mail all title a notification through this one function.
func (l *Localizer) Notice(n *qa.Notification) string {
	pairs := make([]any, 0, 2*len(n.Args)+2)
	hasCount := false
	for name, v := range n.Args {
		switch name {
		case "Count":
			hasCount = true
			v = wholeNumber(v)
		case "Date", "Oldest":
			if s, ok := v.(string); ok {
				if t, err := time.Parse(time.DateOnly, s); err == nil {
					v = l.Day(t)
				}
			}
		}
		pairs = append(pairs, name, v)
	}
	// A grouped notification's title counts its events: the row's count
	// when its Args lack one. (Other kinds have no plural forms, and a
	// count would make the catalog look for one.)
	if !hasCount && n.Count > 0 && (n.Kind == qa.KindNewQuestions || n.Kind == qa.KindFollowedAnswers) {
		pairs = append(pairs, "Count", n.Count)
	}
	if _, ok := n.Args["Oldest"]; !ok && n.Kind == qa.KindQueueSummary {
		pairs = append(pairs, "Oldest", l.T("notice.unknown_date"))
	}
	return l.T(NoticeID(n.Kind), pairs...)
}

// wholeNumber reads a count as T wants it (an int): Args read back from
// the database hold JSON numbers, that is float64.
func wholeNumber(v any) any {
	switch n := v.(type) {
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int(n)
		}
	case int64:
		return int(n)
	}
	return v
}
