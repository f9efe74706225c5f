package web

import (
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/qa/i18n"
)

const (
	requestKey = "answerbook.web.request"
	// langCookie remembers the language a visitor chose.
	langCookie = "answerbook_lang"
	// flashCookie carries the id of a message to show on the next page
	// (after a redirect); never text, so it cannot inject anything.
	flashCookie = "answerbook_flash"
)

// request is what prepare learns about a request before its handler runs.
type request struct {
	actor qa.Actor
	l     *i18n.Localizer
	flash string // a message id from flashes, or ""
	// pending is the expert's count of pending questions, for the nav.
	pending int
	// unread is the member's count of unread notifications, for the bell.
	unread int
	// site is the site's name in force.
	site string
}

// prepare resolves the actor from the session cookie, the language, and a
// flash message left by the previous request; then runs the handler.
func (w *Web) prepare(c *gin.Context) {
	if err := w.load(c); err != nil {
		w.fail(c, err)
		return
	}
	c.Next()
}

// load fills the request; a session that has ended leaves a visitor (and
// its cookie is dropped), a database failure is an error.
func (w *Web) load(c *gin.Context) error {
	lang, _ := c.Cookie(langCookie)
	if l := w.pickLang(c); l != nil {
		// A public page's address in one language (hreflang) wins.
		lang = l.Code()
	}
	st, err := w.store.Settings(c.Request.Context())
	if err != nil {
		return err
	}
	r := &request{actor: qa.Visitor(), l: w.cat.PickOr(lang, c.GetHeader("Accept-Language"), st.DefaultLang), site: st.SiteName}
	if w.site != "" {
		r.site = w.site
	}
	c.Set(requestKey, r)
	if raw, err := c.Cookie(w.cookie); err == nil && raw != "" {
		a, err := w.store.ActorForSession(c.Request.Context(), raw)
		switch {
		case err == nil:
			r.actor = a
		case qa.ErrorCode(err) == qa.EUNAUTHORIZED:
			w.setCookie(c, w.cookie, "", -1)
		default:
			return err
		}
	}
	if id, err := c.Cookie(flashCookie); err == nil && id != "" {
		if flashes[id] {
			r.flash = id
		}
		w.setCookie(c, flashCookie, "", -1)
	}
	if r.actor.Member != nil {
		ctx := c.Request.Context()
		n, err := w.store.UnreadNotifications(ctx, r.actor)
		if err != nil {
			return err
		}
		r.unread = n
		// Times on the member's pages are in their zone (UTC until set).
		r.l = r.l.In(r.actor.Member.Location())
		// The language of the member's e-mail is the one they last used
		// here; SetMemberLang writes only when it changed. A failure costs
		// the page nothing.
		if c.Request.Method == http.MethodGet {
			if err := w.store.SetMemberLang(ctx, r.actor, r.l.Code()); err != nil {
				w.log.Warn("record the member's language", "member", r.actor.Member.ID, "err", err)
			}
		}
	}
	if r.actor.IsExpert() && r.actor.Member != nil {
		_, n, err := w.store.FindQueue(c.Request.Context(), r.actor, qa.QueueFilter{Page: qa.Page{PerPage: 1}})
		if err != nil {
			return err
		}
		r.pending = n
	}
	return nil
}

func requestOf(c *gin.Context) *request {
	if v, ok := c.Get(requestKey); ok {
		return v.(*request)
	}
	return nil
}

// actor returns the request's actor (a visitor before prepare ran).
func actor(c *gin.Context) qa.Actor {
	if r := requestOf(c); r != nil {
		return r.actor
	}
	return qa.Visitor()
}

// setCookie sets (or, with maxAge -1, drops) one of the site's cookies:
// HttpOnly, SameSite=Lax, Secure when the site is served over https.
func (w *Web) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: w.secure, SameSite: http.SameSiteLaxMode,
	})
}

// flashes are the messages a redirect may leave for the next page; each is
// the id of a catalog message "flash.<id>".
var flashes = map[string]bool{
	"asked": true, "withdrawn": true, "published": true, "declined": true, "declined_many": true, "duplicate": true,
	"draft_saved": true, "saved": true, "reasons_saved": true, "settings_saved": true, "time_zone_saved": true, "member_added": true, "member_saved": true,
	"password_changed": true, "token_revoked": true, "signed_out": true, "welcome": true,
	"webhook_removed": true, "feed_revoked": true, "code_revoked": true, "joined": true, "renewed": true,
	"password_reset": true, "password_reset_login": true, "email_confirmed": true, "confirm_sent": true,
	"reset_link_sent": true, "joined_confirm": true,
	"notifications_read": true, "followed": true, "unfollowed": true, "mail_saved": true, "redelivered": true,
	"searches_cleared": true, "trial_started": true, "checklist_dismissed": true, "member_disabled": true, "member_enabled": true,
	"tag_saved": true, "tag_renamed": true, "tag_merged": true, "marked_reviewed": true,
	"plan_saved": true, "restored": true,
	"paid": true, "paid_joined": true, "paid_login": true, "referrals_paid": true,
}

// redirect answers a form with 303 See Other to target, leaving a flash
// message (one of flashes, or "") for the page it lands on.
func (w *Web) redirect(c *gin.Context, target, flash string) {
	if flash != "" {
		w.setCookie(c, flashCookie, flash, 60)
	}
	c.Redirect(http.StatusSeeOther, target)
}

// view is what every template gets: the request's language and actor, and
// the page's own data.
type view struct {
	L     *i18n.Localizer
	Actor qa.Actor
	// Now is the store's clock when the page was made: the rules a page
	// shows (is a membership active) are decided by it, as qa decides them.
	Now time.Time
	// Path is the request's path and query, for the language switcher and
	// the sign-in link to come back to.
	Path    string
	Flash   string
	Error   string
	Pending int
	// Unread is the signed-in member's count of unread notifications.
	Unread int
	// Site is the site's name.
	Site string
	Data any
	// SEO is set on public pages (renderPublic); others are noindex.
	SEO *seo
}

func (w *Web) view(c *gin.Context, data any) view {
	r := requestOf(c)
	if r == nil {
		r = &request{actor: qa.Visitor(), l: w.cat.Localizers()[0], site: w.site}
		if r.site == "" {
			r.site = w.store.SiteName(c.Request.Context())
		}
	}
	v := view{L: r.l, Actor: r.actor, Now: w.store.Now(), Path: c.Request.URL.RequestURI(), Pending: r.pending, Unread: r.unread, Site: r.site, Data: data}
	if r.flash != "" {
		v.Flash = r.l.T("flash." + r.flash)
	}
	return v
}

// T translates a message id (see i18n.Localizer.T).
func (v view) T(id string, args ...any) string { return v.L.T(id, args...) }

// Date formats a date for the reader's language.
func (v view) Date(t time.Time) string { return v.L.Date(t) }

// Day formats a calendar day (a membership's last day) for the reader's
// language, without moving it into their zone.
func (v view) Day(t time.Time) string { return v.L.Day(t) }

// DateTime formats a date and time for the reader's language.
func (v view) DateTime(t time.Time) string { return v.L.DateTime(t) }

// Num formats a number for the reader's language.
func (v view) Num(n int) string { return v.L.Num(n) }

// Member reports whether someone is signed in.
func (v view) Member() bool { return v.Actor.Member != nil }

// Expert reports whether the expert is signed in.
func (v view) Expert() bool { return v.Actor.Member != nil && v.Actor.IsExpert() }

// Active reports whether the reader may read the whole archive.
func (v view) Active() bool { return v.Actor.CanReadArchive(v.Now) }

// Expired reports whether a member is signed in whose membership ended.
func (v view) Expired() bool { return v.Member() && !v.Active() }

// signedIn returns the actor, or sends a visitor to the sign-in page (and
// returns false).
func (w *Web) signedIn(c *gin.Context) (qa.Actor, bool) {
	a := actor(c)
	if a.IsVisitor() {
		w.fail(c, qa.E(qa.KeySignInFirst, nil))
		return a, false
	}
	return a, true
}

// expert returns the actor if it is the expert; visitors are sent to sign
// in, members get 403.
func (w *Web) expert(c *gin.Context) (qa.Actor, bool) {
	a, ok := w.signedIn(c)
	if !ok {
		return a, false
	}
	if !a.IsExpert() {
		w.fail(c, qa.E(qa.KeyExpertOnly, nil))
		return a, false
	}
	return a, true
}

// expertAnd returns the expert and the path's numeric :id; on false the
// response is written already (sign in, 403 or 404).
func (w *Web) expertAnd(c *gin.Context) (qa.Actor, int64, bool) {
	return w.actorAnd(c, w.expert)
}

// memberAnd returns the signed-in actor and the path's numeric :id.
func (w *Web) memberAnd(c *gin.Context) (qa.Actor, int64, bool) {
	return w.actorAnd(c, w.signedIn)
}

func (w *Web) actorAnd(c *gin.Context, who func(*gin.Context) (qa.Actor, bool)) (qa.Actor, int64, bool) {
	a, ok := who(c)
	if !ok {
		return a, 0, false
	}
	id, err := idParam(c, "id")
	if err != nil {
		w.fail(c, err)
		return a, 0, false
	}
	return a, id, true
}

// idParam reads a numeric path parameter; anything else is not found.
func idParam(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, qa.E(qa.KeyNotFound, nil)
	}
	return id, nil
}

// pageParam reads ?page= (1 when absent) within qa's bounds for lists. The
// site's pages take no per_page, and say of any bad page number that there
// is no such page (KeyPage), whatever qa found wrong with it.
func pageParam(c *gin.Context) (int, error) {
	p, err := qa.ParsePage(c.Query("page"), "")
	if err == nil {
		p, err = qa.NewPage(p.Page, 0)
	}
	if err != nil {
		return 0, qa.E(qa.KeyPage, qa.Args{"Max": qa.MaxPage})
	}
	return p.Page, nil
}

// splitTags reads a tags field: tags separated by commas (ASCII or
// full-width) or the Chinese enumeration comma.
func splitTags(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' })
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// safeNext keeps a redirect target on this site: a path, never another host.
// The path is cleaned before it is checked ("/./\evil.example" would
// otherwise pass as a path and reach the browser as "/\evil.example",
// which browsers read as "//evil.example"); a backslash or a control
// character anywhere, a scheme, a host or a path that does not start with
// exactly one slash after cleaning sends the person home instead.
func safeNext(s string) string {
	if s == "" || len(s) > 2000 || !strings.HasPrefix(s, "/") {
		return "/"
	}
	for _, r := range s {
		if r == '\\' || r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || strings.ContainsRune(u.Path, '\\') {
		return "/"
	}
	clean := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") {
		return "/"
	}
	out := &url.URL{Path: clean, RawQuery: u.RawQuery, Fragment: u.Fragment}
	res := out.String()
	if !strings.HasPrefix(res, "/") || strings.HasPrefix(res, "//") {
		return "/"
	}
	return res
}

// tagURL is the address of a tag's page. A tag made only of dots would be
// read as a path segment ("..") by browsers, so it goes to search instead.
func tagURL(tag string) string {
	if strings.Trim(tag, ".") == "" {
		return "/search?tag=" + url.QueryEscape(tag)
	}
	return "/tags/" + url.PathEscape(tag)
}

// setLanguage remembers the visitor's choice of language for a year and
// goes back to the page they were on.
func (w *Web) setLanguage(c *gin.Context) {
	l := w.cat.Pick(c.PostForm("lang"), "")
	w.setCookie(c, langCookie, l.Code(), 365*24*3600)
	w.redirect(c, withoutLang(safeNext(c.PostForm("next"))), "")
}

// withoutLang drops ?lang= from a path of the site, so that the language
// just chosen is not overruled by the address of the page left.
func withoutLang(p string) string {
	u, err := url.Parse(p)
	if err != nil || !u.Query().Has(langParam) {
		return p
	}
	q := u.Query()
	q.Del(langParam)
	u.RawQuery = q.Encode()
	return u.String()
}
