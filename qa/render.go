package qa

import (
	"errors"
	"unicode/utf8"

	"answerbook/qa/markdown"
)

// render turns Markdown into safe HTML; input that is too complex to render
// within bounds is EINVALID with the renderer's explanation.
func render(field, src string) (string, error) {
	html, err := markdown.Render(src)
	if errors.Is(err, markdown.ErrTooComplex) {
		return "", E(KeyMarkdown, Args{"Field": fieldKey(field), "Detail": err.Error()}).Wrap(err)
	}
	if err != nil {
		return "", Internal(err, "render "+field)
	}
	return html, nil
}

// excerpt is the teaser text of an answer: its opening, never more than
// half of it, so a short answer is not given away whole.
func excerpt(src string) string {
	n := utf8.RuneCountInString(markdown.PlainText(src)) / 2
	return markdown.Excerpt(src, max(1, min(excerptRunes, n)))
}
