package web

import "answerbook/qa/i18n"

// errorText says err in the reader's language: the catalog's message for
// the error's key (qa/message.go lists them; qa/i18n's tests prove each has
// both translations). Internal errors never show their text.
func (w *Web) errorText(l *i18n.Localizer, err error) string { return l.Error(err) }
