package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

type forgotData struct {
	Email string
	// Sent is true once the form was sent: the page then says the same
	// thing whether or not the address has an account.
	Sent bool
	// MailOff is true when the site sends no e-mail: the page points to
	// the community's owner instead.
	MailOff bool
}

// forgotForm asks for the address to send a password link to.
func (w *Web) forgotForm(c *gin.Context) {
	w.render(c, "forgot", http.StatusOK, forgotData{MailOff: !w.mail})
}

// forgot queues a password link for the address. Whether or not an account
// has it, the answer is the same page; requests are limited per address
// and per client (qa), and a refused one says so.
func (w *Web) forgot(c *gin.Context) {
	d := forgotData{Email: c.PostForm("email"), MailOff: !w.mail}
	if err := w.store.RequestPasswordReset(c.Request.Context(), d.Email, clientAddr(c)); err != nil {
		if len(d.Email) > 4*qa.MaxEmailLen {
			d.Email = ""
		}
		w.formError(c, "forgot", d, err)
		return
	}
	d.Sent = true
	w.render(c, "forgot", http.StatusOK, d)
}

type resetData struct {
	// Token is the link's secret, carried by the form.
	Token string
	// Email is the account's address, for password managers.
	Email string
}

// linkHeaders keep a page reached by a secret link out of caches and
// referrers.
func linkHeaders(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Cache-Control", "no-store")
}

// resetForm asks for the new password, if the link is valid; a wrong, used
// or expired link gets the error page, which says so.
func (w *Web) resetForm(c *gin.Context) {
	linkHeaders(c)
	raw := c.Query("t")
	m, err := w.store.CheckResetLink(c.Request.Context(), raw)
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "reset", http.StatusOK, resetData{Token: raw, Email: m.Email})
}

// reset sets the new password through the link: the member's other
// sessions end, and this browser is signed in with a fresh one.
func (w *Web) reset(c *gin.Context) {
	linkHeaders(c)
	d := resetData{Token: c.PostForm("t")}
	next := c.PostForm("password")
	if next != c.PostForm("password2") {
		w.resetError(c, d, errPasswordsDiffer)
		return
	}
	m, err := w.store.ResetPassword(c.Request.Context(), d.Token, next)
	if err != nil {
		w.resetError(c, d, err)
		return
	}
	if err := w.startSession(c, m.ID); err != nil {
		// The password is set; signing in is the member's next step.
		w.log.Warn("sign in after a password reset", "err", err)
		w.redirect(c, "/login", "password_reset_login")
		return
	}
	w.redirect(c, "/", "password_reset")
}

// resetError shows the form again for a password the policy refuses; a
// link that does not work gets the error page.
func (w *Web) resetError(c *gin.Context, d resetData, err error) {
	if qa.ErrorKey(err) == qa.KeyResetLink {
		w.fail(c, err)
		return
	}
	m, cerr := w.store.CheckResetLink(c.Request.Context(), d.Token)
	if cerr != nil {
		w.fail(c, cerr)
		return
	}
	d.Email = m.Email
	w.formError(c, "reset", d, err)
}

// confirmEmail confirms the address a confirmation link was sent to. It
// needs no sign-in: the link is the proof.
func (w *Web) confirmEmail(c *gin.Context) {
	linkHeaders(c)
	m, err := w.store.ConfirmEmail(c.Request.Context(), c.Query("t"))
	if err != nil {
		w.fail(c, err)
		return
	}
	if actor(c).MemberID() == m.ID {
		w.redirect(c, "/account", "email_confirmed")
		return
	}
	w.redirect(c, "/", "email_confirmed")
}

// resendConfirmation sends the signed-in member a new confirmation link.
func (w *Web) resendConfirmation(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	if err := w.store.ResendConfirmation(c.Request.Context(), a); err != nil {
		d, lerr := w.loadAccount(c, a)
		if lerr != nil {
			w.fail(c, lerr)
			return
		}
		switch code := qa.ErrorCode(err); code {
		case qa.ERATELIMITED, qa.EFORBIDDEN:
			d.ConfirmError = w.errorText(requestOf(c).l, err)
			w.render(c, "account", statusOf[code], d)
		default:
			w.fail(c, err)
		}
		return
	}
	w.redirect(c, "/account", "confirm_sent")
}

// memberResetLink makes a password link for a member. With e-mail on, it is
// mailed to them; with e-mail off, the members page shows it once, for the
// expert to hand over (the page is not a redirect: the link must not travel
// in a URL or a cookie).
func (w *Web) memberResetLink(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	path, err := w.store.ResetLinkFor(c.Request.Context(), a, id, w.mail)
	if err != nil {
		w.fail(c, err)
		return
	}
	if w.mail {
		w.redirect(c, "/members", "reset_link_sent")
		return
	}
	d, err := w.loadMembers(c, a)
	if err != nil {
		w.fail(c, err)
		return
	}
	m, err := w.store.FindMemberByID(c.Request.Context(), id)
	if err != nil {
		w.fail(c, err)
		return
	}
	d.ResetLink, d.ResetFor = w.baseURL+path, m
	c.Header("Cache-Control", "no-store")
	w.render(c, "members", http.StatusOK, d)
}
