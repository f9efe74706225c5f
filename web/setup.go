package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

type setupData struct {
	Token string
	Email string
	Name  string
}

// setupForm shows the first-run form that creates the expert, if the link's
// token is valid.
func (w *Web) setupForm(c *gin.Context) {
	tok := c.Query("token")
	if err := w.store.CheckSetupToken(c.Request.Context(), tok, clientAddr(c)); err != nil {
		w.fail(c, err)
		return
	}
	c.Header("Referrer-Policy", "no-referrer")
	w.render(c, "setup", http.StatusOK, setupData{Token: tok})
}

// setup creates the expert from the form and signs them in. Sent by the
// language switcher (a "lang" field), it shows the form again in that
// language with what was typed (but the passwords).
func (w *Web) setup(c *gin.Context) {
	d := setupData{Token: c.PostForm("token"), Email: c.PostForm("email"), Name: c.PostForm("name")}
	if lang := c.PostForm("lang"); lang != "" {
		if err := w.store.CheckSetupToken(c.Request.Context(), d.Token, clientAddr(c)); err != nil {
			w.fail(c, err)
			return
		}
		l := w.cat.Pick(lang, "")
		w.setCookie(c, langCookie, l.Code(), 365*24*3600)
		requestOf(c).l = l
		c.Header("Referrer-Policy", "no-referrer")
		w.render(c, "setup", http.StatusOK, d)
		return
	}
	if c.PostForm("password") != c.PostForm("password2") {
		w.formError(c, "setup", d, errPasswordsDiffer)
		return
	}
	m, err := w.store.CompleteSetup(c.Request.Context(), d.Token, qa.MemberCreate{Email: d.Email, Name: d.Name, Password: c.PostForm("password")}, clientAddr(c))
	if err != nil {
		if code := qa.ErrorCode(err); code == qa.EUNAUTHORIZED || code == qa.ERATELIMITED {
			w.fail(c, err)
			return
		}
		w.formError(c, "setup", d, err)
		return
	}
	if err := w.startSession(c, m.ID); err != nil {
		w.fail(c, err)
		return
	}
	// The dashboard opens with the owner's first steps.
	w.redirect(c, "/dashboard", "welcome")
}

// errPasswordsDiffer is the error of a form whose two new passwords differ.
var errPasswordsDiffer = qa.E(qa.KeyPasswordsDiffer, nil)
