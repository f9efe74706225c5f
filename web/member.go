package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// membersPerPage is how many members a page of the list shows.
const membersPerPage = 50

type membersData struct {
	Members []*qa.Member
	Total   int
	Pager   pager
	// Form is the "add a member" form as last submitted (on an error).
	Form memberForm
	// ResetLink is a password link just made for ResetFor (with e-mail
	// off): shown this once, never kept.
	ResetLink string
	ResetFor  *qa.Member
	// MailEnabled tells whether a reset link is mailed or shown.
	MailEnabled bool
}

type memberForm struct {
	Email, Name, Until, Role string
}

// members lists the community's members for the expert, newest first,
// with the form to add one.
func (w *Web) members(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	d, err := w.loadMembers(c, a)
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "members", http.StatusOK, d)
}

func (w *Web) loadMembers(c *gin.Context, a qa.Actor) (*membersData, error) {
	page, err := pageParam(c)
	if err != nil {
		return nil, err
	}
	ms, total, err := w.store.FindMembers(c.Request.Context(), a, qa.MemberFilter{Page: qa.Page{Page: page, PerPage: membersPerPage}})
	if err != nil {
		return nil, err
	}
	return &membersData{Members: ms, Total: total, MailEnabled: w.mail, Pager: newPager("/members", c.Request.URL.Query(), page, membersPerPage, total)}, nil
}

// addMember creates a member with a first password, which the expert
// hands over; the member changes it on their account page.
func (w *Web) addMember(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	f := memberForm{Email: c.PostForm("email"), Name: c.PostForm("name"), Until: c.PostForm("active_until"), Role: c.PostForm("role")}
	mc := qa.MemberCreate{Email: f.Email, Name: f.Name, Role: qa.Role(f.Role), Password: c.PostForm("password")}
	until, err := optionalDate(f.Until)
	if err == nil {
		mc.ActiveUntil = until
		_, err = w.store.CreateMember(c.Request.Context(), a, mc)
	}
	if err != nil {
		d, lerr := w.loadMembers(c, a)
		if lerr != nil {
			w.fail(c, lerr)
			return
		}
		d.Form = f
		w.formError(c, "members", d, err)
		return
	}
	w.redirect(c, "/members", "member_added")
}

// updateMember changes when a membership ends (or removes the end).
func (w *Web) updateMember(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	u := qa.MemberUpdate{}
	until, err := optionalDate(c.PostForm("active_until"))
	if err == nil {
		if until == nil {
			u.ClearActiveUntil = true
		} else {
			u.ActiveUntil = until
		}
		_, err = w.store.UpdateMember(c.Request.Context(), a, id, u)
	}
	if err != nil {
		d, lerr := w.loadMembers(c, a)
		if lerr != nil {
			w.fail(c, lerr)
			return
		}
		w.formError(c, "members", d, err)
		return
	}
	w.redirect(c, "/members", "member_saved")
}

// optionalDate reads a date field: empty is none.
func optionalDate(s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := qa.ParseDate(s)
	if err != nil {
		return nil, err
	}
	return &t, nil
}
