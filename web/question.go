package web

import (
	"crypto/rand"
	"fmt"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/qa/markdown"
)

// similarWhileAsking is how many similar answers the ask page shows.
const similarWhileAsking = 5

type askData struct {
	// Once is the form's one-time token: the form sent twice asks once.
	Once      string
	Title     string
	Body      string
	Tags      string
	Anonymous bool
	// Similar holds the answers that match the question so far closely
	// (weak matches left out), when the member asked to check (without JavaScript; with it, they appear while typing).
	Similar []listItem
	Checked bool
	Preview template.HTML
	// AllTags suggests existing tags.
	AllTags []qa.TagCount
	// AnonymousOff: the owner turned anonymous asking off; no box.
	AnonymousOff bool
	// Quota is where the member stands with the question quota, shown
	// before they write anything.
	Quota *qa.Quota
}

// QuotaOut reports that the member cannot ask now: a read-only plan, or
// none of the period's questions left.
func (d askData) QuotaOut() bool {
	return d.Quota != nil && d.Quota.Remaining != nil && *d.Quota.Remaining == 0
}

// ShowForm: the form is left out when the member cannot ask, unless it
// comes back with what they wrote (nothing typed is ever lost).
func (d askData) ShowForm() bool { return !d.QuotaOut() || d.Title != "" || d.Body != "" }

// askForm is the form to ask the expert. A member whose membership ended
// sees why they cannot ask instead.
func (w *Web) askForm(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	d := askData{Title: c.Query("title"), Once: rand.Text()}
	if err := w.fillAsk(c, a, &d); err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "ask", http.StatusOK, d)
}

func (w *Web) fillAsk(c *gin.Context, a qa.Actor, d *askData) error {
	tags, err := w.store.FindTags(c.Request.Context(), a)
	if err != nil {
		return err
	}
	d.AllTags = tags
	on, err := w.store.AnonymousAsking(c.Request.Context())
	if err != nil {
		return err
	}
	d.AnonymousOff = !on
	d.Quota, err = w.store.FindQuota(c.Request.Context(), a)
	return err
}

// ask records the question; "check" and "preview" show the form again with
// the similar answers or the rendered body, for readers without JavaScript.
func (w *Web) ask(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	d := askData{Once: c.PostForm("once"), Title: c.PostForm("title"), Body: c.PostForm("body"), Tags: c.PostForm("tags"), Anonymous: c.PostForm("anonymous") == "on"}
	if d.Once == "" {
		d.Once = rand.Text() // a post without the form's token: the form shown again gets one
	}
	if err := w.fillAsk(c, a, &d); err != nil {
		w.fail(c, err)
		return
	}
	switch c.PostForm("action") {
	case "check":
		var err error
		if d.Similar, err = w.similar(c.Request.Context(), a, d.Title, d.Body, similarWhileAsking); err != nil {
			w.fail(c, err)
			return
		}
		d.Checked = true
		w.render(c, "ask", http.StatusOK, d)
		return
	case "preview":
		d.Preview = w.previewOf(a, d.Body)
		w.render(c, "ask", http.StatusOK, d)
		return
	}
	_, err := w.store.CreateQuestion(c.Request.Context(), a, qa.QuestionCreate{
		Title: d.Title, Body: d.Body, Tags: splitTags(d.Tags), Anonymous: d.Anonymous, ClientToken: d.Once,
	})
	if err != nil {
		w.formError(c, "ask", d, err)
		return
	}
	w.redirect(c, "/my/questions", "asked")
}

// preview renders Markdown as publishing would, for the editors' live
// preview: a fragment of HTML, or a 4xx with the reason as text.
func (w *Web) preview(c *gin.Context) {
	html, err := w.store.Preview(actor(c), c.PostForm("text"))
	c.Header("Cache-Control", "no-store")
	if err != nil {
		c.String(w.statusFor(c, err), w.errorText(requestOf(c).l, err))
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(html))
}

// myQuestionsPerPage is how many questions a page of "my questions" shows.
const myQuestionsPerPage = 20

type myQuestionsData struct {
	// Asker is the member whose questions the expert looks at
	// (/members/{id}/questions); nil on the member's own list.
	Asker     *qa.Member
	Questions []*qa.Question
	Total     int
	// Targets are the answers that duplicate questions point to, by id.
	Targets map[int64]*qa.Answer
	Pager   pager
}

// myQuestions lists the member's own questions, newest first, each with
// its outcome: the answer, the decline reason, or the answer it duplicates.
// Lapsed members see theirs too.
func (w *Web) myQuestions(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	page, err := pageParam(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	w.questionList(c, a, nil, page, "/my/questions")
}

// memberQuestions lists one member's questions for the expert, newest
// first: what /members links to.
func (w *Web) memberQuestions(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	page, err := pageParam(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	m, err := w.store.FindMemberByID(c.Request.Context(), id)
	if err != nil {
		w.fail(c, err)
		return
	}
	w.questionList(c, a, m, page, fmt.Sprintf("/members/%d/questions", id))
}

// questionList renders the questions of asker (nil: the actor's own).
func (w *Web) questionList(c *gin.Context, a qa.Actor, asker *qa.Member, page int, path string) {
	me := a.MemberID()
	if asker != nil {
		me = asker.ID
	}
	qs, total, err := w.store.FindQuestions(c.Request.Context(), a, qa.QuestionFilter{AskerID: &me, Newest: true, Page: qa.Page{Page: page, PerPage: myQuestionsPerPage}})
	if err != nil {
		w.fail(c, err)
		return
	}
	var ids []int64
	for _, q := range qs {
		if q.DuplicateOfID != nil {
			ids = append(ids, *q.DuplicateOfID)
		}
	}
	targets := map[int64]*qa.Answer{}
	if len(ids) > 0 {
		// A lapsed member may not list member-only answers: the template
		// then links the target without its title.
		found, err := w.store.FindAnswersByIDs(c.Request.Context(), a, ids)
		if err != nil {
			w.fail(c, err)
			return
		}
		for _, x := range found {
			targets[x.ID] = x
		}
	}
	w.render(c, "questions", http.StatusOK, myQuestionsData{
		Asker: asker, Questions: qs, Total: total, Targets: targets,
		Pager: newPager(path, c.Request.URL.Query(), page, myQuestionsPerPage, total),
	})
}

// withdraw takes back one of the member's pending questions.
func (w *Web) withdraw(c *gin.Context) {
	a, id, ok := w.memberAnd(c)
	if !ok {
		return
	}
	if _, err := w.store.WithdrawQuestion(c.Request.Context(), a, id); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/my/questions", "withdrawn")
}

// questionExcerpt is the opening of a question's Markdown as one line of
// text, for lists: as a teaser shows an answer, a table left out and said
// to be (markdown.TableMark), list items kept apart.
func questionExcerpt(body string, n int) string {
	return markdown.Excerpt(body, n)
}
