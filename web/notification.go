package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// notificationsPerPage is how many notifications the list shows at once.
const notificationsPerPage = 20

// noticeItem is one notification as the list shows it.
type noticeItem struct {
	ID    int64
	Kind  qa.Kind
	Title string
	URL   string
	At    time.Time
	// New is true when it was unread until this page showed it.
	New bool
}

type notificationsData struct {
	Items []noticeItem
	Total int
	Pager pager
	// Mail says the site sends e-mail (else the page says it does not).
	Mail bool
}

// notifications lists the member's notifications, newest first, and marks
// the ones it shows read: opening the list is reading it, as the bell in
// other products works. What was unread until now is marked "new" on this
// showing, so nothing slips by unseen.
func (w *Web) notifications(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	page, err := pageParam(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	l, err := w.store.FindNotifications(ctx, a, qa.NotificationFilter{Page: qa.Page{Page: page, PerPage: notificationsPerPage}})
	if err != nil {
		w.fail(c, err)
		return
	}
	r := requestOf(c)
	d := notificationsData{Total: l.Total, Mail: w.mail, Items: make([]noticeItem, len(l.Items)),
		Pager: newPager("/notifications", c.Request.URL.Query(), page, notificationsPerPage, l.Total)}
	var unread []int64
	for i, n := range l.Items {
		d.Items[i] = noticeItem{ID: n.ID, Kind: n.Kind, Title: r.l.Notice(n), URL: n.URL, At: n.UpdatedAt, New: !n.Read()}
		if !n.Read() {
			unread = append(unread, n.ID)
		}
	}
	if len(unread) > 0 {
		marked, err := w.store.MarkNotificationsRead(ctx, a, unread, false)
		if err != nil {
			w.fail(c, err)
			return
		}
		// The bell on this page counts what is still unread.
		r.unread = max(0, r.unread-marked)
	}
	c.Header("Cache-Control", "no-store")
	w.render(c, "notifications", http.StatusOK, d)
}

// markAllRead marks every one of the member's notifications read.
func (w *Web) markAllRead(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	if _, err := w.store.MarkNotificationsRead(c.Request.Context(), a, nil, true); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/notifications", "notifications_read")
}
