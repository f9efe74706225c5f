package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// questionJSON is a question as its asker and the expert see it.
type questionJSON struct {
	ID            int64      `json:"id"`
	Title         string     `json:"title"`
	Body          string     `json:"body"`
	BodyHTML      string     `json:"body_html"`
	Tags          []string   `json:"tags"`
	Anonymous     bool       `json:"anonymous"`
	Status        qa.Status  `json:"status"`
	DeclineReason string     `json:"decline_reason,omitempty"`
	DuplicateOf   *answerRef `json:"duplicate_of,omitempty"`
	Answer        *answerRef `json:"answer,omitempty"`
	Asker         *personRef `json:"asker,omitempty"`
	AskedAt       time.Time  `json:"asked_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	SourceID      *string    `json:"source_id,omitempty"`
}

type answerRef struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
}

type personRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func (a *API) questionJSON(q *qa.Question) questionJSON {
	out := questionJSON{
		ID: q.ID, Title: q.Title, Body: q.Body, BodyHTML: q.BodyHTML, Tags: q.Tags, Anonymous: q.Anonymous,
		Status: q.Status, DeclineReason: q.DeclineReason, AskedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt,
		ClosedAt: q.ClosedAt, SourceID: q.SourceID,
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if q.DuplicateOfID != nil {
		out.DuplicateOf = &answerRef{ID: *q.DuplicateOfID, URL: qa.AnswerURL(a.baseURL, *q.DuplicateOfID)}
	}
	if q.AnswerID != nil {
		out.Answer = &answerRef{ID: *q.AnswerID, URL: qa.AnswerURL(a.baseURL, *q.AnswerID)}
	}
	if q.Asker != nil {
		out.Asker = &personRef{ID: q.Asker.ID, Name: q.Asker.Name}
	}
	return out
}

func (a *API) questionsJSON(qs []*qa.Question) []questionJSON {
	out := make([]questionJSON, len(qs))
	for i, q := range qs {
		out[i] = a.questionJSON(q)
	}
	return out
}

// questionRequest is the body of asking.
type questionRequest struct {
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	Tags      []string `json:"tags"`
	Anonymous bool     `json:"anonymous"`
}

func (a *API) createQuestion(c *gin.Context) {
	var req questionRequest
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	// Idempotency-Key: a client that retries (a timeout, a lost answer)
	// with the same key gets the question the first request made.
	q, err := a.store.CreateQuestion(c.Request.Context(), actor(c), qa.QuestionCreate{
		Title: req.Title, Body: req.Body, Tags: req.Tags, Anonymous: req.Anonymous,
		ClientToken: c.GetHeader("Idempotency-Key"),
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/questions/"+itoa(q.ID))
	c.JSON(http.StatusCreated, a.questionJSON(q))
}

func (a *API) listQuestions(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	f := qa.QuestionFilter{Tag: optString(c, "tag"), Newest: true, Page: p}
	if s := c.Query("status"); s != "" {
		st, err := qa.ParseStatus(s)
		if err != nil {
			a.fail(c, err)
			return
		}
		f.Status = &st
	}
	if s := c.Query("sort"); s != "" {
		if f.Newest, err = parseSort(s); err != nil {
			a.fail(c, err)
			return
		}
	}
	qs, total, err := a.store.FindQuestions(c.Request.Context(), actor(c), f)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list[questionJSON]{Total: total, Items: a.questionsJSON(qs)})
}

// parseSort reads sort=oldest|newest; true means newest first.
func parseSort(s string) (bool, error) {
	switch s {
	case "", "oldest":
		return false, nil
	case "newest":
		return true, nil
	}
	return false, qa.E(qa.KeySort, qa.Args{"Allowed": "oldest or newest"})
}

func (a *API) getQuestion(c *gin.Context) {
	id, err := pathID(c, "question")
	if err != nil {
		a.fail(c, err)
		return
	}
	q, err := a.store.FindQuestionByID(c.Request.Context(), actor(c), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a.questionJSON(q))
}

func (a *API) queue(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	newest, err := parseSort(c.Query("sort"))
	if err != nil {
		a.fail(c, err)
		return
	}
	qs, total, err := a.store.FindQueue(c.Request.Context(), actor(c), qa.QueueFilter{Tag: optString(c, "tag"), Newest: newest, Page: p})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list[questionJSON]{Total: total, Items: a.questionsJSON(qs)})
}

func (a *API) declineQuestion(c *gin.Context) {
	var req struct {
		Reason string `json:"reason"`
	}
	a.changeQuestion(c, &req, func(id int64) (*qa.Question, error) {
		return a.store.DeclineQuestion(c.Request.Context(), actor(c), id, req.Reason)
	})
}

func (a *API) markDuplicate(c *gin.Context) {
	var req struct {
		AnswerID int64 `json:"answer_id"`
	}
	a.changeQuestion(c, &req, func(id int64) (*qa.Question, error) {
		// The store checks the caller's rights before the answer (0 when
		// absent is not a published answer).
		return a.store.MarkDuplicate(c.Request.Context(), actor(c), id, req.AnswerID)
	})
}

func (a *API) withdrawQuestion(c *gin.Context) {
	a.changeQuestion(c, nil, func(id int64) (*qa.Question, error) {
		return a.store.WithdrawQuestion(c.Request.Context(), actor(c), id)
	})
}

// changeQuestion is the shape of every state change of a question: the id,
// the body (when req is not nil), the change, the question as it is now.
func (a *API) changeQuestion(c *gin.Context, req any, change func(id int64) (*qa.Question, error)) {
	id, err := pathID(c, "question")
	if err != nil {
		a.fail(c, err)
		return
	}
	if req != nil {
		if err := decode(c, req); err != nil {
			a.fail(c, err)
			return
		}
	}
	q, err := change(id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a.questionJSON(q))
}
