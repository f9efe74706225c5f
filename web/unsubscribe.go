package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

type unsubscribeData struct {
	Token string
	// Topic is what the member no longer hears of by e-mail, in words,
	// once done.
	Topic string
}

// unsubscribeForm shows the page a List-Unsubscribe link opens in a
// browser: a button that unsubscribes (GET changes nothing, so that link
// scanners and previews cannot unsubscribe anyone).
func (w *Web) unsubscribeForm(c *gin.Context) {
	tok := c.Query("t")
	if tok == "" {
		w.fail(c, qa.E(qa.KeyUnsubscribeLink, nil))
		return
	}
	c.Header("Referrer-Policy", "no-referrer")
	w.render(c, "unsubscribe", http.StatusOK, unsubscribeData{Token: tok})
}

// unsubscribe is the one-click unsubscribe of RFC 8058: a POST to the
// List-Unsubscribe URL (from the mail client, with the body
// "List-Unsubscribe=One-Click", or from the page's button) sets that
// topic to never for the token's member. It needs no session and no
// same-origin request — the token is the credential — and internal/server
// lets exactly this route through its cross-origin protection.
func (w *Web) unsubscribe(c *gin.Context) {
	tok := c.Query("t")
	if tok == "" {
		tok = c.PostForm("t")
	}
	topic, err := w.store.Unsubscribe(c.Request.Context(), tok)
	if err != nil {
		w.fail(c, err)
		return
	}
	c.Header("Referrer-Policy", "no-referrer")
	w.render(c, "unsubscribe", http.StatusOK, unsubscribeData{Topic: requestOf(c).l.T("mail.topic." + string(topic))})
}
