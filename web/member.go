package web

import (
	"net/http"
	"strconv"
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
	// Query and Standing are the list's search and filter ("": none);
	// Standings are the filter's choices.
	Query     string
	Standing  string
	Standings []qa.Standing
	// Plan is the plan filter ("": any; "none": no plan; else an id);
	// Plans its choices.
	Plan  string
	Plans []*qa.Plan
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
	d := &membersData{Query: strings.TrimSpace(c.Query("q")), Standing: c.Query("standing"), Standings: qa.Standings(), MailEnabled: w.mail}
	f := qa.MemberFilter{Query: d.Query, Page: qa.Page{Page: page, PerPage: membersPerPage}}
	if d.Standing != "" {
		st, err := qa.ParseStanding(d.Standing)
		if err != nil {
			return nil, err
		}
		f.Standing = &st
	}
	if d.Plans, err = w.store.FindPlans(c.Request.Context(), true); err != nil {
		return nil, err
	}
	switch d.Plan = c.Query("plan"); {
	case d.Plan == "":
	case d.Plan == "none":
		none := int64(0)
		f.PlanID = &none
	default:
		id, err := strconv.ParseInt(d.Plan, 10, 64)
		if err != nil || id <= 0 || len(d.Plan) > 20 {
			return nil, qa.E(qa.KeyNotFound, qa.Args{"What": "plan"})
		}
		f.PlanID = &id
	}
	if d.Members, d.Total, err = w.store.FindMembers(c.Request.Context(), a, f); err != nil {
		return nil, err
	}
	d.Pager = newPager("/members", c.Request.URL.Query(), page, membersPerPage, d.Total)
	return d, nil
}

// disableMember disables an account: its sessions and tokens stop at once
// (the store's rule); enableMember gives it back.
func (w *Web) disableMember(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	if _, err := w.store.DisableMember(c.Request.Context(), a, id); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, membersReturn(c), "member_disabled")
}

func (w *Web) enableMember(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	if _, err := w.store.EnableMember(c.Request.Context(), a, id); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, membersReturn(c), "member_enabled")
}

// membersReturn is the members list the form came from (its search and
// filter kept), read from the form's "back" field: only /members with a
// query, never another address.
func membersReturn(c *gin.Context) string {
	back := c.PostForm("back")
	if back == "/members" || strings.HasPrefix(back, "/members?") && !strings.ContainsAny(back, "\\\r\n") && len(back) <= 300 {
		return back
	}
	return "/members"
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
