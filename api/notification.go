package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/qa/i18n"
)

type notificationJSON struct {
	ID        int64     `json:"id"`
	Kind      qa.Kind   `json:"kind"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

type notificationsJSON struct {
	Total  int                `json:"total"`
	Unread int                `json:"unread"`
	Items  []notificationJSON `json:"items"`
}

// listNotifications serves GET /api/v1/notifications?unread=&page=&per_page=:
// the member's notifications, newest first, each titled in the request's
// language (Accept-Language; English by default).
func (a *API) listNotifications(c *gin.Context) {
	unread, err := queryBool(c, "unread")
	if err != nil {
		a.fail(c, err)
		return
	}
	p, err := page(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	l, err := a.store.FindNotifications(c.Request.Context(), actor(c), qa.NotificationFilter{Unread: unread, Page: p})
	if err != nil {
		a.fail(c, err)
		return
	}
	loc := a.cat.Pick("", c.GetHeader("Accept-Language"))
	out := notificationsJSON{Total: l.Total, Unread: l.Unread, Items: make([]notificationJSON, len(l.Items))}
	for i, n := range l.Items {
		out.Items[i] = a.notificationOut(loc, n)
	}
	c.Header("Content-Language", loc.Code())
	c.Header("Vary", "Accept-Language")
	c.JSON(http.StatusOK, out)
}

// notificationOut is one notification as the API shows it: its title in
// the reader's language, its link absolute, and created_at the time of its
// latest event (a grouped notification is as new as its last question or
// answer, as the list's order is).
func (a *API) notificationOut(loc *i18n.Localizer, n *qa.Notification) notificationJSON {
	return notificationJSON{ID: n.ID, Kind: n.Kind, Title: loc.Notice(n), URL: a.siteURL(n.URL), CreatedAt: n.UpdatedAt, Read: n.Read()}
}

// siteURL makes a site-relative path absolute with the base URL.
func (a *API) siteURL(path string) string {
	if strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "//") {
		return a.baseURL + path
	}
	return path
}

// markNotificationsRead serves POST /api/v1/notifications/read with
// {"ids":[…]} or {"all":true}: it marks the member's notifications read
// (ids of others' are ignored) and answers how many changed and how many
// stay unread.
func (a *API) markNotificationsRead(c *gin.Context) {
	var req struct {
		IDs []int64 `json:"ids"`
		All bool    `json:"all"`
	}
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	ctx, act := c.Request.Context(), actor(c)
	n, err := a.store.MarkNotificationsRead(ctx, act, req.IDs, req.All)
	if err != nil {
		a.fail(c, err)
		return
	}
	unread, err := a.store.UnreadNotifications(ctx, act)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"marked": n, "unread": unread})
}

// queryBool parses an optional boolean query parameter: true or 1, false
// or 0; absent or empty is false.
func queryBool(c *gin.Context, name string) (bool, error) {
	switch c.Query(name) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, qa.E(qa.KeyBoolean, qa.Args{"Name": name})
}
