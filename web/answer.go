package web

import (
	"cmp"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/qa/markdown"
)

// relatedAnswers is how many related answers an answer page shows.
const relatedAnswers = 5

type answerData struct {
	Answer *qa.Answer
	// Question and Body are the stored, sanitised HTML (rendered once, when
	// written): never Markdown rendered on a read.
	Question template.HTML
	Body     template.HTML
	Related  []listItem
	// Updated is true when the answer changed after it was published;
	// Reviewed when it has a review date (imports may have none).
	Updated  bool
	Reviewed bool
	// OEmbed and Canonical are the oEmbed discovery link and the answer's
	// own URL (for consumers that follow discovery).
	OEmbed, Canonical string
}

// answer shows one answer: in full to those who may read it, else its
// teaser with a prompt to join or renew; related answers beside it.
func (w *Web) answer(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		w.fail(c, err)
		return
	}
	a := actor(c)
	ans, err := w.store.FindAnswerByID(c.Request.Context(), a, id)
	if err != nil {
		w.fail(c, err)
		return
	}
	// A read counts whether or not the count could be written: the page
	// matters more than the figure.
	if err := w.store.RecordRead(c.Request.Context(), a, ans); err != nil {
		w.log.Warn("record answer read", "answer", ans.ID, "err", err)
	}
	d := answerData{Answer: ans, Body: template.HTML(ans.BodyHTML), Updated: ans.UpdatedAt.Sub(ans.PublishedAt) > time.Minute}
	d.Canonical = qa.AnswerURL(w.baseURL, ans.ID)
	d.OEmbed = w.baseURL + "/oembed?format=json&url=" + url.QueryEscape(d.Canonical)
	d.Reviewed = ans.ReviewedAt != nil
	body := ""
	if ans.Question != nil {
		d.Question = template.HTML(ans.Question.BodyHTML)
		body = ans.Question.Body
	}
	if d.Related, err = w.related(c.Request.Context(), a, ans, body, relatedAnswers); err != nil {
		w.fail(c, err)
		return
	}
	p, indexed, err := w.answerPublic(c.Request.Context(), requestOf(c).site, ans, body)
	if err != nil {
		w.fail(c, err)
		return
	}
	if !indexed {
		w.render(c, "answer", http.StatusOK, d)
		return
	}
	w.renderPublic(c, "answer", d, p)
}

// answerPublic is what an answer's page tells search engines, and whether
// it is for them at all: a public answer (with its QAPage data), or a
// member-only one's teaser when the storefront shows teasers. Unpublished
// answers, and member-only ones while teasers are off, are not.
func (w *Web) answerPublic(ctx context.Context, siteName string, ans *qa.Answer, question string) (public, bool, error) {
	p := public{Path: qa.AnswerPath(ans.ID), Description: ans.Excerpt, Article: true}
	if !ans.Published {
		return p, false, nil
	}
	if ans.Public {
		// The whole text is the public's: its first sentence describes it
		// (the excerpt may stop short of it).
		body := markdown.PlainText(ans.BodyMarkdown)
		p.Description = body
		p.JSONLD = w.qaPage(siteName, ans, markdown.PlainText(question), body)
		return p, true, nil
	}
	on, err := w.store.TeasersVisible(ctx)
	return p, on, err
}

// editor is the state of the answer editor: on the queue (answering a
// question), editing a published answer, or writing an FAQ entry.
type editor struct {
	// Action is where the form posts; DraftURL, when set, saves drafts.
	Action   string
	DraftURL string
	Title    string
	Question string
	Body     string
	Tags     string
	Public   bool
	// Published is the archive switch of a published answer being edited.
	Published bool
	Editing   bool
	// Preview is the server's rendering of Body, for readers without
	// JavaScript after they saved a draft or asked for a preview.
	Preview template.HTML
	// DraftSaved is when the draft was last saved (zero: no draft).
	DraftSaved time.Time
}

// QuestionOpen reports whether the editor shows the question's fields
// open: writing an FAQ entry or editing an answer, the question is part of
// the work; on the queue it is the member's, edited only for clarity.
func (e editor) QuestionOpen() bool { return !strings.HasPrefix(e.Action, "/queue/") }

// fromDraft fills the editor from a saved draft of it.
func (e *editor) fromDraft(d *qa.EditorDraft) {
	e.Title, e.Question, e.Body, e.Tags, e.Public, e.DraftSaved = d.Title, d.QuestionBody, d.Body, strings.Join(d.Tags, ", "), d.Public, d.UpdatedAt
}

// draftSave is the editor's state as a draft to keep.
func (e editor) draftSave() qa.DraftSave {
	return qa.DraftSave{Title: e.Title, QuestionBody: e.Question, Body: e.Body, Tags: splitTags(e.Tags), Public: e.Public}
}

// editorForm reads the editor's fields from a posted form.
func editorForm(c *gin.Context) editor {
	return editor{
		Title: c.PostForm("title"), Question: c.PostForm("question_body"), Body: c.PostForm("body"),
		Tags: c.PostForm("tags"), Public: c.PostForm("public") == "on", Published: c.PostForm("published") == "on",
	}
}

// previewOf renders the editor's body for writers without JavaScript (who
// asked for a preview); a body that cannot be rendered simply has no
// preview (publishing will say why).
func (w *Web) previewOf(a qa.Actor, body string) template.HTML {
	html, err := w.store.Preview(a, body)
	if err != nil {
		return ""
	}
	return template.HTML(html)
}

type editData struct {
	Answer    *qa.Answer
	Editor    editor
	Revisions []*qa.AnswerRevision
}

// editAnswerForm is the expert's editor for a published answer, with its
// revision history.
func (w *Web) editAnswerForm(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	d, err := w.loadEdit(c.Request.Context(), a, id)
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "edit", http.StatusOK, d)
}

// loadEdit loads an answer for its editor, with the editor filled from it.
func (w *Web) loadEdit(ctx context.Context, a qa.Actor, id int64) (*editData, error) {
	ans, err := w.store.FindAnswerByID(ctx, a, id)
	if err != nil {
		return nil, err
	}
	revs, err := w.store.FindAnswerRevisions(ctx, a, id)
	if err != nil {
		return nil, err
	}
	d := &editData{Answer: ans, Revisions: revs, Editor: editor{
		Action: qa.AnswerPath(id) + "/edit", DraftURL: qa.AnswerPath(id) + "/draft", Title: ans.Title(), Body: ans.BodyMarkdown,
		Tags: strings.Join(ans.Tags, ", "), Public: ans.Public, Published: ans.Published, Editing: true,
	}}
	if ans.Question != nil {
		d.Editor.Question = ans.Question.Body
	}
	// An unfinished edit comes back as it was left.
	draft, err := w.store.FindEditorDraft(ctx, a, id)
	switch {
	case err == nil:
		d.Editor.fromDraft(draft)
	case qa.ErrorCode(err) != qa.ENOTFOUND:
		return nil, err
	}
	return d, nil
}

// editAnswer saves the expert's edit (a revision is kept), waits until
// search holds it, and shows the answer.
func (w *Web) editAnswer(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	d, err := w.loadEdit(c.Request.Context(), a, id)
	if err != nil {
		w.fail(c, err)
		return
	}
	e := editorForm(c)
	e.Action, e.DraftURL, e.DraftSaved, e.Editing = d.Editor.Action, d.Editor.DraftURL, d.Editor.DraftSaved, true
	d.Editor = e
	if c.PostForm("action") == "preview" {
		d.Editor.Preview = w.previewOf(a, e.Body)
		w.render(c, "edit", http.StatusOK, d)
		return
	}
	tags := splitTags(e.Tags)
	ans, err := w.store.UpdateAnswer(c.Request.Context(), a, d.Answer.ID, qa.AnswerUpdate{
		Title: &e.Title, QuestionBody: &e.Question, Body: &e.Body, Tags: &tags, Public: &e.Public, Published: &e.Published,
		Reviewed: c.PostForm("reviewed") == "on",
	})
	if err != nil {
		w.formError(c, "edit", d, err)
		return
	}
	// Saved either way: a slow index only delays finding it.
	_ = w.index.WaitVisibleAnswer(c.Request.Context(), ans.ChangeSeq, ans.ID)
	w.redirect(c, qa.AnswerPath(ans.ID), "saved")
}

type newAnswerData struct {
	Editor editor
}

// newAnswerForm is the editor for an FAQ entry: an answer the expert
// publishes with no member's question behind it.
func (w *Web) newAnswerForm(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	// ?title= starts the entry from a search that found nothing (the
	// dashboard's "what to write next"); it is only a suggestion, cut to
	// the search log's length, and checked like any title on publishing.
	title := []rune(c.Query("title"))
	title = title[:min(len(title), qa.SearchLogMaxText)]
	e, err := w.newEditor(c.Request.Context(), a)
	if err != nil {
		w.fail(c, err)
		return
	}
	// An unfinished entry comes back as it was left; a suggested title
	// only fills an empty one.
	if e.Title == "" {
		e.Title = string(title)
	}
	w.render(c, "new", http.StatusOK, newAnswerData{Editor: e})
}

// newEditor is the FAQ entry's editor, filled from the expert's draft if
// there is one.
func (w *Web) newEditor(ctx context.Context, a qa.Actor) (editor, error) {
	e := editor{Action: "/answers/new", DraftURL: "/answers/new/draft", Published: true}
	draft, err := w.store.FindEditorDraft(ctx, a, 0)
	switch {
	case err == nil:
		e.fromDraft(draft)
	case qa.ErrorCode(err) != qa.ENOTFOUND:
		return e, err
	}
	return e, nil
}

// newAnswer publishes an FAQ entry.
func (w *Web) newAnswer(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	e := editorForm(c)
	e.Action, e.DraftURL = "/answers/new", "/answers/new/draft"
	if c.PostForm("action") == "preview" {
		e.Preview = w.previewOf(a, e.Body)
		w.render(c, "new", http.StatusOK, newAnswerData{Editor: e})
		return
	}
	ans, err := w.store.CreateAnswer(c.Request.Context(), a, qa.AnswerCreate{
		Title: &e.Title, QuestionBody: &e.Question, Body: e.Body, Tags: splitTags(e.Tags), Public: e.Public,
	})
	if err != nil {
		w.formError(c, "new", newAnswerData{Editor: e}, err)
		return
	}
	// Saved either way: a slow index only delays finding it.
	_ = w.index.WaitVisibleAnswer(c.Request.Context(), ans.ChangeSeq, ans.ID)
	w.redirect(c, qa.AnswerPath(ans.ID), "published")
}

type revisionsData struct {
	Answer *qa.Answer
	Diff   *qa.RevisionDiff
	// Choices are the answer's revisions, newest first, numbered from the
	// first (No. 1, the publish); FromN and ToN the numbers compared.
	Choices    []revisionChoice
	FromN, ToN int
}

type revisionChoice struct {
	ID   int64
	N    int
	Time time.Time
}

// revisions compares two revisions of an answer (?from=&to=, revision ids;
// by default the newest with the one before), with a button to restore
// the older one.
func (w *Web) revisions(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	from, err1 := optionalID(c.Query("from"), "revision")
	to, err2 := optionalID(c.Query("to"), "revision")
	if err := cmp.Or(err1, err2); err != nil {
		w.fail(c, err)
		return
	}
	ans, err := w.store.FindAnswerByID(c.Request.Context(), a, id)
	if err != nil {
		w.fail(c, err)
		return
	}
	d, err := w.store.CompareRevisions(c.Request.Context(), a, id, from, to)
	if err != nil {
		w.fail(c, err)
		return
	}
	data := revisionsData{Answer: ans, Diff: d, Choices: make([]revisionChoice, len(d.Revisions))}
	for i, r := range d.Revisions {
		n := len(d.Revisions) - i
		data.Choices[i] = revisionChoice{ID: r.ID, N: n, Time: r.CreatedAt}
		if r.ID == d.From.ID {
			data.FromN = n
		}
		if r.ID == d.To.ID {
			data.ToN = n
		}
	}
	w.render(c, "revisions", http.StatusOK, data)
}

// optionalID reads an optional numeric id from a query: 0 when empty; any
// other value that is not a positive number is not found.
func optionalID(s, what string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, qa.E(qa.KeyNotFound, qa.Args{"What": what})
	}
	return id, nil
}

// restoreRevision makes an earlier revision the answer's text again, as a
// new revision, waits until search holds it, and shows the answer.
func (w *Web) restoreRevision(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	rev, err := idParam(c, "rev")
	if err != nil {
		w.fail(c, err)
		return
	}
	ans, err := w.store.RestoreRevision(c.Request.Context(), a, id, rev)
	if err != nil {
		w.fail(c, err)
		return
	}
	// Saved either way: a slow index only delays finding it.
	_ = w.index.WaitVisibleAnswer(c.Request.Context(), ans.ChangeSeq, ans.ID)
	w.redirect(c, qa.AnswerPath(ans.ID), "restored")
}

// saveEditDraft keeps the editor's state of an answer being edited: the
// script saves as the expert types, the "Save draft" button does the same
// without JavaScript.
func (w *Web) saveEditDraft(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	e := editorForm(c)
	d, err := w.store.SaveEditorDraft(c.Request.Context(), a, id, e.draftSave())
	if err != nil {
		if wantsJSON(c) || qa.ErrorCode(err) == qa.ENOTFOUND {
			w.fail(c, err)
			return
		}
		data, lerr := w.loadEdit(c.Request.Context(), a, id)
		if lerr != nil {
			w.fail(c, lerr)
			return
		}
		e.Action, e.DraftURL, e.DraftSaved, e.Editing = data.Editor.Action, data.Editor.DraftURL, data.Editor.DraftSaved, true
		data.Editor = e
		w.formError(c, "edit", data, err)
		return
	}
	w.draftSaved(c, d.UpdatedAt, qa.AnswerPath(id)+"/edit")
}

// saveNewDraft keeps the editor's state of a new FAQ entry.
func (w *Web) saveNewDraft(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	e := editorForm(c)
	d, err := w.store.SaveEditorDraft(c.Request.Context(), a, 0, e.draftSave())
	if err != nil {
		if wantsJSON(c) {
			w.fail(c, err)
			return
		}
		e.Action, e.DraftURL = "/answers/new", "/answers/new/draft"
		w.formError(c, "new", newAnswerData{Editor: e}, err)
		return
	}
	w.draftSaved(c, d.UpdatedAt, "/answers/new")
}
