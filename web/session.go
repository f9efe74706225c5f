package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

const actorKey = "answerbook.web.actor"

// authenticate reads the session cookie; anything wrong with it leaves a
// visitor.
func (w *Web) authenticate(c *gin.Context) {
	a := qa.Visitor()
	if raw, err := c.Cookie(w.cookie); err == nil && raw != "" {
		if got, err := w.store.ActorForSession(c.Request.Context(), raw); err == nil {
			a = got
		}
	}
	c.Set(actorKey, a)
	c.Next()
}

func actor(c *gin.Context) qa.Actor {
	if v, ok := c.Get(actorKey); ok {
		return v.(qa.Actor)
	}
	return qa.Visitor()
}

// startSession signs the member in with a fresh session id.
func (w *Web) startSession(c *gin.Context, memberID int64) error {
	raw, err := w.store.CreateSession(c.Request.Context(), memberID)
	if err != nil {
		return err
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: w.cookie, Value: raw, Path: "/", MaxAge: int(qa.SessionLifetime.Seconds()),
		HttpOnly: true, Secure: w.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (w *Web) loginForm(c *gin.Context) {
	w.render(c, "login", page{Title: "Sign in", Data: loginData{Next: safeNext(c.Query("next"))}})
}

type loginData struct {
	Email string
	Next  string
}

func (w *Web) login(c *gin.Context) {
	email, password := c.PostForm("email"), c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	m, err := w.store.CheckPassword(c.Request.Context(), email, password)
	if err != nil {
		status := http.StatusUnauthorized
		if qa.ErrorCode(err) == qa.EINTERNAL {
			w.fail(c, err)
			return
		}
		w.render(c, "login", page{Title: "Sign in", Error: qa.ErrorMessage(err), Status: status, Data: loginData{Email: email, Next: next}})
		return
	}
	if err := w.startSession(c, m.ID); err != nil {
		w.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (w *Web) logout(c *gin.Context) {
	if raw, err := c.Cookie(w.cookie); err == nil && raw != "" {
		if err := w.store.DeleteSession(c.Request.Context(), raw); err != nil {
			w.fail(c, err)
			return
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: w.cookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: w.secure, SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, "/")
}

// safeNext keeps a redirect target on this site: a path, never another host.
func safeNext(s string) string {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return s
}
