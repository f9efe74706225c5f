package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// MaxCodesPerRequest is how many codes one POST /api/v1/codes makes.
const MaxCodesPerRequest = 100

// codeJSON is a membership code as the expert sees it; Code and JoinURL
// only in the response that made it (the database keeps the hash).
type codeJSON struct {
	ID        int64      `json:"id"`
	Code      string     `json:"code,omitempty"`
	JoinURL   string     `json:"join_url,omitempty"`
	Label     string     `json:"label"`
	Days      int        `json:"days"`
	MaxUses   int        `json:"max_uses"`
	Uses      int        `json:"uses"`
	ExpiresAt *time.Time `json:"expires_at"`
	State     string     `json:"state"`
	PlanID    *int64     `json:"plan_id"`
	CreatedAt time.Time  `json:"created_at"`
}

func (a *API) codeOut(mc *qa.MembershipCode, raw string) codeJSON {
	out := codeJSON{ID: mc.ID, Label: mc.Label, Days: mc.Days, MaxUses: mc.MaxUses, Uses: mc.Uses, ExpiresAt: mc.ExpiresAt,
		State: mc.State(a.store.Now()), PlanID: mc.PlanID, CreatedAt: mc.CreatedAt}
	if raw != "" {
		out.Code, out.JoinURL = raw, a.baseURL+"/join?code="+url.QueryEscape(raw)
	}
	return out
}

// listCodes serves GET /api/v1/codes: the newest membership codes with
// their state (expert).
func (a *API) listCodes(c *gin.Context) {
	cs, err := a.store.FindMembershipCodes(c.Request.Context(), actor(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	items := make([]codeJSON, len(cs))
	for i, mc := range cs {
		items[i] = a.codeOut(mc, "")
	}
	c.JSON(http.StatusOK, list[codeJSON]{Total: len(items), Items: items})
}

// createCodes serves POST /api/v1/codes: count codes (default 1) for days
// of membership and max_uses uses each, shown in this response only.
func (a *API) createCodes(c *gin.Context) {
	var req struct {
		Label     string     `json:"label"`
		Days      int        `json:"days"`
		MaxUses   int        `json:"max_uses"`
		ExpiresAt *time.Time `json:"expires_at"`
		Count     *int       `json:"count"`
		PlanID    *int64     `json:"plan_id"`
	}
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	n := 1
	if req.Count != nil {
		n = *req.Count
	}
	if n < 1 || n > MaxCodesPerRequest {
		a.fail(c, qa.E(qa.KeyCodeCount, qa.Args{"Max": MaxCodesPerRequest}))
		return
	}
	items := make([]codeJSON, 0, n)
	for range n {
		raw, mc, err := a.store.CreateMembershipCode(c.Request.Context(), actor(c),
			qa.CodeCreate{Label: req.Label, Days: req.Days, MaxUses: req.MaxUses, ExpiresAt: req.ExpiresAt, PlanID: req.PlanID})
		if err != nil {
			a.fail(c, err)
			return
		}
		items = append(items, a.codeOut(mc, raw))
	}
	c.JSON(http.StatusCreated, list[codeJSON]{Total: len(items), Items: items})
}

// revokeCode serves DELETE /api/v1/codes/{id} (expert).
func (a *API) revokeCode(c *gin.Context) {
	id, err := pathID(c, "code")
	if err != nil {
		a.fail(c, err)
		return
	}
	if err := a.store.RevokeMembershipCode(c.Request.Context(), actor(c), id); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
