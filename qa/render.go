package qa

import (
	"errors"

	"answerbook/qa/markdown"
)

// render turns Markdown into safe HTML; input that is too complex to render
// within bounds is EINVALID with the renderer's explanation.
func render(field, src string) (string, error) {
	html, err := markdown.Render(src)
	if errors.Is(err, markdown.ErrTooComplex) {
		return "", &Error{Code: EINVALID, Message: field + ": " + err.Error(), Err: err}
	}
	if err != nil {
		return "", Internal(err, "render "+field)
	}
	return html, nil
}

// excerpt is the teaser text of an answer.
func excerpt(src string) string { return markdown.Excerpt(src, excerptRunes) }
