package web

import (
	"net/http"
	"net/netip"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// startSession signs the member in with a fresh session id, ending the
// session the browser had before (if any).
func (w *Web) startSession(c *gin.Context, memberID int64) error {
	if old, err := c.Cookie(w.cookie); err == nil && old != "" {
		if err := w.store.DeleteSession(c.Request.Context(), old); err != nil {
			return err
		}
	}
	raw, err := w.store.CreateSession(c.Request.Context(), memberID)
	if err != nil {
		return err
	}
	w.setCookie(c, w.cookie, raw, int(qa.SessionLifetime.Seconds()))
	return nil
}

type loginData struct {
	Email string
	Next  string
}

func (w *Web) loginForm(c *gin.Context) {
	w.render(c, "login", http.StatusOK, loginData{Next: safeNext(c.Query("next"))})
}

// login checks the password within the sign-in limits (per account and per
// client address) and answers an unknown email exactly like a wrong
// password.
func (w *Web) login(c *gin.Context) {
	d := loginData{Email: c.PostForm("email"), Next: safeNext(c.PostForm("next"))}
	m, err := w.store.SignIn(c.Request.Context(), d.Email, c.PostForm("password"), clientAddr(c))
	if err != nil {
		w.formError(c, "login", d, err)
		return
	}
	if err := w.startSession(c, m.ID); err != nil {
		w.fail(c, err)
		return
	}
	// The browser's zone (the form's script fills it) is the default of a
	// member who has not chosen one; a name that is no zone is ignored.
	if tz := c.PostForm("tz"); tz != "" && m.TimeZone == "" {
		a := qa.Actor{Member: m, Scope: qa.ScopeWrite}
		if err := w.store.SetMemberTimeZone(c.Request.Context(), a, tz); err != nil && qa.ErrorCode(err) != qa.EINVALID {
			w.log.Warn("record the browser's time zone", "member", m.ID, "err", err)
		}
	}
	w.redirect(c, d.Next, "welcome")
}

func (w *Web) logout(c *gin.Context) {
	if raw, err := c.Cookie(w.cookie); err == nil && raw != "" {
		if err := w.store.DeleteSession(c.Request.Context(), raw); err != nil {
			w.fail(c, err)
			return
		}
	}
	w.setCookie(c, w.cookie, "", -1)
	w.redirect(c, "/", "signed_out")
}

// clientAddr is the client's address for the sign-in limits, as gin reads
// it: the connection's peer, unless the program configured trusted proxies.
// An IPv6 address counts by its /64, which one client usually holds whole.
func clientAddr(c *gin.Context) string {
	ip, err := netip.ParseAddr(c.ClientIP())
	if err != nil {
		return c.ClientIP()
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, err := ip.Prefix(64)
		if err == nil {
			return p.String()
		}
	}
	return ip.String()
}

// formError shows a form again with the error when the person can fix it
// (invalid input, a conflict, a wrong password, a limit); anything else goes
// to the error page.
func (w *Web) formError(c *gin.Context, name string, data any, err error) {
	switch qa.ErrorCode(err) {
	case qa.EINVALID, qa.ECONFLICT, qa.EUNAUTHORIZED, qa.ERATELIMITED, qa.ETOOLARGE:
		v := w.view(c, data)
		v.Error = w.errorText(v.L, err)
		w.renderView(c, name, statusOf[qa.ErrorCode(err)], v)
	default:
		w.fail(c, err)
	}
}
