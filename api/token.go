package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

type tokenJSON struct {
	ID         int64      `json:"id"`
	Label      string     `json:"label"`
	Scope      qa.Scope   `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	// Token is the secret, present only in the response that created it.
	Token string `json:"token,omitempty"`
}

func tokenOut(t *qa.Token, secret string) tokenJSON {
	return tokenJSON{ID: t.ID, Label: t.Label, Scope: t.Scope, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, Token: secret}
}

func (a *API) listTokens(c *gin.Context) {
	act := actor(c)
	ts, err := a.store.FindTokens(c.Request.Context(), act, act.MemberID())
	if err != nil {
		a.fail(c, err)
		return
	}
	out := make([]tokenJSON, len(ts))
	for i, t := range ts {
		out[i] = tokenOut(t, "")
	}
	c.JSON(http.StatusOK, list[tokenJSON]{Total: len(out), Items: out})
}

func (a *API) createToken(c *gin.Context) {
	var req struct {
		Label string `json:"label"`
		Scope string `json:"scope"`
	}
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	act := actor(c)
	secret, t, err := a.store.CreateToken(c.Request.Context(), act, act.MemberID(), qa.TokenCreate{Label: req.Label, Scope: qa.Scope(req.Scope)})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, tokenOut(t, secret))
}

func (a *API) revokeToken(c *gin.Context) {
	id, err := pathID(c, "token")
	if err != nil {
		a.fail(c, err)
		return
	}
	if err := a.store.RevokeToken(c.Request.Context(), actor(c), id); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type meJSON struct {
	ID          int64     `json:"id"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	Role        qa.Role   `json:"role"`
	ActiveUntil *string   `json:"active_until"`
	Active      bool      `json:"active"`
	Scope       qa.Scope  `json:"scope"`
	CreatedAt   time.Time `json:"created_at"`
	// UnreadNotifications is the bell's count.
	UnreadNotifications int `json:"unread_notifications"`
	// Quota is where the member stands with the question quota.
	Quota quotaJSON `json:"quota"`
	// Referral is the member's referral link and balance; null for those
	// without one (the expert, a lapsed membership).
	Referral *referralJSON `json:"referral"`
}

// quotaJSON is qa.Quota; limit and remaining are null when unlimited.
type quotaJSON struct {
	Limit     *int       `json:"limit"`
	Used      int        `json:"used"`
	Remaining *int       `json:"remaining"`
	ResetsAt  *time.Time `json:"resets_at"`
}

// me tells a client who its credentials stand for.
func (a *API) me(c *gin.Context) {
	act := actor(c)
	if act.Member == nil {
		a.fail(c, qa.E(qa.KeySignInFirst, nil))
		return
	}
	m := act.Member
	out := meJSON{ID: m.ID, Email: m.Email, Name: m.Name, Role: m.Role, Active: m.Active(a.store.Now()), Scope: act.Scope, CreatedAt: m.CreatedAt}
	if m.ActiveUntil != nil {
		d := m.ActiveUntil.Format(time.DateOnly)
		out.ActiveUntil = &d
	}
	var err error
	if out.UnreadNotifications, err = a.store.UnreadNotifications(c.Request.Context(), act); err != nil {
		a.fail(c, err)
		return
	}
	q, err := a.store.FindQuota(c.Request.Context(), act)
	if err != nil {
		a.fail(c, err)
		return
	}
	out.Quota = quotaJSON{Limit: q.Limit, Used: q.Used, Remaining: q.Remaining, ResetsAt: q.ResetsAt}
	if out.Referral, err = a.referralOut(c, act); err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
