package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/qa/markdown"
)

// answerJSON is an answer as the API shows it. Teasers (lists, and answers
// the caller may not read in full) leave the bodies out and have full=false.
type answerJSON struct {
	ID           int64         `json:"id"`
	Title        string        `json:"title"`
	Question     questionBrief `json:"question"`
	BodyHTML     *string       `json:"body_html,omitempty"`
	BodyMarkdown *string       `json:"body_markdown,omitempty"`
	Excerpt      string        `json:"excerpt"`
	Tags         []string      `json:"tags"`
	Public       bool          `json:"public"`
	Full         bool          `json:"full"`
	PublishedAt  time.Time     `json:"published_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
	ReviewedAt   *time.Time    `json:"reviewed_at,omitempty"`
	URL          string        `json:"url"`
	SourceID     *string       `json:"source_id"`
}

type questionBrief struct {
	ID       int64   `json:"id"`
	Title    string  `json:"title"`
	Body     *string `json:"body,omitempty"`
	BodyHTML *string `json:"body_html,omitempty"`
}

func (a *API) answerJSON(x *qa.Answer) answerJSON {
	out := answerJSON{
		ID: x.ID, Title: x.Title(), Excerpt: x.Excerpt, Tags: x.Tags, Public: x.Public, Full: x.Full,
		PublishedAt: x.PublishedAt, UpdatedAt: x.UpdatedAt, ReviewedAt: x.ReviewedAt,
		URL: qa.AnswerURL(a.baseURL, x.ID), SourceID: x.SourceID,
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if x.Question != nil {
		out.Question = questionBrief{ID: x.Question.ID, Title: x.Question.Title}
	}
	if x.Full {
		// Links and images with absolute URLs: API clients show the HTML on
		// pages of their own (the Markdown keeps what the expert wrote).
		body := markdown.AbsoluteURLs(x.BodyHTML, out.URL)
		out.BodyHTML, out.BodyMarkdown = &body, &x.BodyMarkdown
		if x.Question != nil {
			qbody := markdown.AbsoluteURLs(x.Question.BodyHTML, out.URL)
			out.Question.Body, out.Question.BodyHTML = &x.Question.Body, &qbody
		}
	}
	return out
}

func (a *API) answersJSON(xs []*qa.Answer) []answerJSON {
	out := make([]answerJSON, len(xs))
	for i, x := range xs {
		out[i] = a.answerJSON(x)
	}
	return out
}

func (a *API) listAnswers(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	as, total, err := a.store.FindAnswers(c.Request.Context(), actor(c), qa.AnswerFilter{Tag: optString(c, "tag"), Page: p})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list[answerJSON]{Total: total, Items: a.answersJSON(as)})
}

func (a *API) getAnswer(c *gin.Context) {
	id, err := pathID(c, "answer")
	if err != nil {
		a.fail(c, err)
		return
	}
	if a.conditional(c, actor(c), id, "json", "") {
		return
	}
	x, err := a.store.FindAnswerByID(c.Request.Context(), actor(c), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	if cacheAnswer(c, x.Version(), "json", "") {
		return
	}
	if err := a.store.RecordRead(c.Request.Context(), actor(c), x); err != nil {
		a.log.Warn("record answer read", "answer", x.ID, "err", err)
	}
	c.JSON(http.StatusOK, a.answerJSON(x))
}

// answerRequest is the body of publishing and editing an answer.
type answerRequest struct {
	Title        *string   `json:"title"`
	QuestionBody *string   `json:"question_body"`
	Body         *string   `json:"body"`
	Tags         *[]string `json:"tags"`
	Public       *bool     `json:"public"`
	Published    *bool     `json:"published"`
	Reviewed     bool      `json:"reviewed"`
}

func (r answerRequest) create() qa.AnswerCreate {
	ac := qa.AnswerCreate{Title: r.Title, QuestionBody: r.QuestionBody}
	if r.Body != nil {
		ac.Body = *r.Body
	}
	if r.Tags != nil {
		ac.Tags = *r.Tags
		if ac.Tags == nil {
			ac.Tags = []string{}
		}
	}
	if r.Public != nil {
		ac.Public = *r.Public
	}
	return ac
}

func (a *API) createAnswer(c *gin.Context) {
	var req answerRequest
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	x, err := a.store.CreateAnswer(c.Request.Context(), actor(c), req.create())
	if err != nil {
		a.fail(c, err)
		return
	}
	// Saved either way: a slow index only delays finding it.
	_ = a.index.WaitVisibleAnswer(c.Request.Context(), x.ChangeSeq, x.ID)
	c.JSON(http.StatusCreated, a.answerJSON(x))
}

func (a *API) answerQuestion(c *gin.Context) {
	id, err := pathID(c, "question")
	if err != nil {
		a.fail(c, err)
		return
	}
	var req answerRequest
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	x, err := a.store.AnswerQuestion(c.Request.Context(), actor(c), id, req.create())
	if err != nil {
		a.fail(c, err)
		return
	}
	// Saved either way: a slow index only delays finding it.
	_ = a.index.WaitVisibleAnswer(c.Request.Context(), x.ChangeSeq, x.ID)
	c.JSON(http.StatusCreated, a.answerJSON(x))
}

func (a *API) updateAnswer(c *gin.Context) {
	id, err := pathID(c, "answer")
	if err != nil {
		a.fail(c, err)
		return
	}
	var req answerRequest
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	x, err := a.store.UpdateAnswer(c.Request.Context(), actor(c), id, qa.AnswerUpdate{
		Title: req.Title, QuestionBody: req.QuestionBody, Body: req.Body, Tags: req.Tags,
		Public: req.Public, Published: req.Published, Reviewed: req.Reviewed,
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	// Saved either way: a slow index only delays finding it.
	_ = a.index.WaitVisibleAnswer(c.Request.Context(), x.ChangeSeq, x.ID)
	c.JSON(http.StatusOK, a.answerJSON(x))
}

type revisionJSON struct {
	ID           int64     `json:"id"`
	EditorID     *int64    `json:"editor_id"`
	Title        string    `json:"title"`
	QuestionBody string    `json:"question_body"`
	BodyMarkdown string    `json:"body_markdown"`
	Tags         []string  `json:"tags"`
	Public       bool      `json:"public"`
	CreatedAt    time.Time `json:"created_at"`
}

func (a *API) listRevisions(c *gin.Context) {
	id, err := pathID(c, "answer")
	if err != nil {
		a.fail(c, err)
		return
	}
	rs, err := a.store.FindAnswerRevisions(c.Request.Context(), actor(c), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	out := make([]revisionJSON, len(rs))
	for i, r := range rs {
		out[i] = revisionJSON{ID: r.ID, EditorID: r.EditorID, Title: r.Title, QuestionBody: r.QuestionBody,
			BodyMarkdown: r.BodyMarkdown, Tags: r.Tags, Public: r.Public, CreatedAt: r.CreatedAt}
	}
	c.JSON(http.StatusOK, list[revisionJSON]{Total: len(out), Items: out})
}

// restoreRevision makes an earlier revision the answer's text again, as a
// new revision (qa.Store.RestoreRevision).
func (a *API) restoreRevision(c *gin.Context) {
	id, err := pathID(c, "answer")
	if err != nil {
		a.fail(c, err)
		return
	}
	rev, err := strconv.ParseInt(c.Param("rev"), 10, 64)
	if err != nil || rev <= 0 {
		a.fail(c, qa.E(qa.KeyNotFound, qa.Args{"What": "revision"}))
		return
	}
	x, err := a.store.RestoreRevision(c.Request.Context(), actor(c), id, rev)
	if err != nil {
		a.fail(c, err)
		return
	}
	// Saved either way: a slow index only delays finding it.
	_ = a.index.WaitVisibleAnswer(c.Request.Context(), x.ChangeSeq, x.ID)
	c.JSON(http.StatusOK, a.answerJSON(x))
}

func (a *API) listTags(c *gin.Context) {
	tags, err := a.store.FindTags(c.Request.Context(), actor(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, tags)
}
