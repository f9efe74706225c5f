package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// settingsJSON is qa.Settings as the API shows and takes it. A PUT may
// send any part of it: what is left out keeps its value; quota null is
// unlimited; fixed is read-only (ignored when sent).
type settingsJSON struct {
	SiteName        string           `json:"site_name"`
	Description     string           `json:"description"`
	DefaultLang     string           `json:"default_lang"`
	Quota           *int             `json:"quota"`
	ExpireDays      int              `json:"expire_days"`
	Teasers         bool             `json:"teasers"`
	AnonymousAsking bool             `json:"anonymous_asking"`
	Referral        qa.ReferralTerms `json:"referral"`
	Fixed           []string         `json:"fixed"`
}

func settingsOut(st qa.Settings) settingsJSON {
	return settingsJSON{SiteName: st.SiteName, Description: st.Description, DefaultLang: st.DefaultLang, Quota: st.Quota,
		ExpireDays: st.ExpireDays, Teasers: st.Teasers, AnonymousAsking: st.AnonymousAsking,
		Referral: st.Referral, Fixed: st.Fixed}
}

func (j settingsJSON) in() qa.Settings {
	return qa.Settings{SiteName: j.SiteName, Description: j.Description, DefaultLang: j.DefaultLang, Quota: j.Quota,
		ExpireDays: j.ExpireDays, Teasers: j.Teasers, AnonymousAsking: j.AnonymousAsking, Referral: j.Referral}
}

// getSettings serves GET /api/v1/settings (expert).
func (a *API) getSettings(c *gin.Context) {
	st, err := a.store.FindSettings(c.Request.Context(), actor(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, settingsOut(st))
}

// putSettings serves PUT /api/v1/settings (expert): the body is laid over
// the settings in force, so a part of them may be sent.
func (a *API) putSettings(c *gin.Context) {
	ctx := c.Request.Context()
	cur, err := a.store.FindSettings(ctx, actor(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	j := settingsOut(cur)
	if err := decode(c, &j); err != nil {
		a.fail(c, err)
		return
	}
	st, err := a.store.UpdateSettings(ctx, actor(c), j.in())
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, settingsOut(st))
}

// planJSON is a plan: amount in the currency's minor unit (cents, fen),
// questions per 30 days null for unlimited, 0 for a read-only plan.
type planJSON struct {
	ID int64 `json:"id"`
	planBody
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func planOut(p *qa.Plan) planJSON {
	return planJSON{ID: p.ID, planBody: planBody(p.Input()), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// planBody is what POST and PUT take of a plan (and what a plan shows of
// it); a PUT lays it over the plan as it is.
type planBody struct {
	NameEN     string `json:"name_en"`
	NameZH     string `json:"name_zh"`
	Amount     int64  `json:"amount"`
	Currency   string `json:"currency"`
	PeriodDays int    `json:"period_days"`
	Questions  *int   `json:"questions"`
	TrialDays  int    `json:"trial_days"`
	Active     bool   `json:"active"`
}

func (b planBody) in() qa.PlanInput { return qa.PlanInput(b) }

// listPlans serves GET /api/v1/plans: the plans on sale (anyone), or with
// ?all=1 every plan (expert).
func (a *API) listPlans(c *gin.Context) {
	ps, err := a.store.FindPlansFor(c.Request.Context(), actor(c), c.Query("all") == "1")
	if err != nil {
		a.fail(c, err)
		return
	}
	items := make([]planJSON, len(ps))
	for i, p := range ps {
		items[i] = planOut(p)
	}
	c.JSON(http.StatusOK, list[planJSON]{Total: len(items), Items: items})
}

// createPlan serves POST /api/v1/plans (expert); active defaults to true.
func (a *API) createPlan(c *gin.Context) {
	b := planBody{Active: true}
	if err := decode(c, &b); err != nil {
		a.fail(c, err)
		return
	}
	p, err := a.store.CreatePlan(c.Request.Context(), actor(c), b.in())
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, planOut(p))
}

// updatePlan serves PUT /api/v1/plans/{id} (expert): the fields sent
// replace the plan's; {"active": false} retires it.
func (a *API) updatePlan(c *gin.Context) {
	id, err := pathID(c, "plan")
	if err != nil {
		a.fail(c, err)
		return
	}
	p, err := a.store.PatchPlan(c.Request.Context(), actor(c), id, func(in *qa.PlanInput) error {
		b := planBody(*in)
		if err := decode(c, &b); err != nil {
			return err
		}
		*in = b.in()
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, planOut(p))
}
