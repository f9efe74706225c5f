package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
	"answerbook/qa/i18n"
	"answerbook/search"
)

// Sizes of the queue pages.
const (
	queuePerPage  = 20
	queueSimilar  = 3
	itemSimilar   = 5
	dupPerPage    = 10
	queueExcerpt  = 200
	reasonsBlanks = 2
)

type queueEntry struct {
	*qa.Question
	Excerpt string
	// Similar are the published answers that match the question closely
	// (weak matches left out: see Web.similar).
	Similar []listItem
	// Draft is when the expert last saved a draft for it (zero: none).
	Draft time.Time
}

type queueData struct {
	Items  []queueEntry
	Total  int
	Tag    string
	Newest bool
	// ByDemand: most asked for first.
	ByDemand bool
	Pager    pager
	AllTags  []qa.TagCount
	// Reasons are the canned reasons offered to decline the selected
	// questions; Reason is the expert's own one (shown again on an error).
	Reasons []string
	Reason  string
}

// queue is the expert's list of pending questions, oldest first (or
// newest), narrowed by a tag, each with its most similar published answers.
func (w *Web) queue(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	d, err := w.loadQueue(c, a)
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "queue", http.StatusOK, d)
}

// loadQueue loads the queue page the request's query asks for.
func (w *Web) loadQueue(c *gin.Context, a qa.Actor) (*queueData, error) {
	page, err := pageParam(c)
	if err != nil {
		return nil, err
	}
	ctx := c.Request.Context()
	d := &queueData{Tag: strings.TrimSpace(c.Query("tag")), Newest: c.Query("sort") == "newest", ByDemand: c.Query("sort") == "demand"}
	f := qa.QueueFilter{Newest: d.Newest, ByDemand: d.ByDemand, Page: qa.Page{Page: page, PerPage: queuePerPage}}
	if d.Tag != "" {
		f.Tag = &d.Tag
	}
	qs, total, err := w.store.FindQueue(ctx, a, f)
	if err != nil {
		return nil, err
	}
	drafts, err := w.store.FindDrafts(ctx, a)
	if err != nil {
		return nil, err
	}
	if d.AllTags, err = w.store.FindTags(ctx, a); err != nil {
		return nil, err
	}
	if len(qs) > 0 {
		if d.Reasons, err = w.declineReasons(ctx, a, requestOf(c).l); err != nil {
			return nil, err
		}
	}
	// The similar answers (strong matches only) of every question on the
	// page: one search each, then one query for all the answers.
	hits := make([][]search.Hit, len(qs))
	var all []search.Hit
	for i, q := range qs {
		if hits[i], err = w.similarHits(ctx, a, q.Title, q.Body, queueSimilar); err != nil {
			return nil, err
		}
		all = append(all, hits[i]...)
	}
	byID, err := w.answersByID(ctx, a, all)
	if err != nil {
		return nil, err
	}
	for i, q := range qs {
		e := queueEntry{Question: q, Excerpt: questionExcerpt(q.Body, queueExcerpt), Draft: drafts[q.ID]}
		for _, h := range hits[i] {
			if x := byID[h.ID]; x != nil {
				e.Similar = append(e.Similar, listItem{Answer: x})
			}
		}
		d.Items = append(d.Items, e)
	}
	d.Total = total
	d.Pager = newPager("/queue", c.Request.URL.Query(), page, queuePerPage, total)
	return d, nil
}

// declineSelected declines the questions ticked on the queue page with one
// reason (the canned one picked, or the expert's own words); each goes
// through the store's DeclineQuestion. On an error the queue is shown again
// with it (those declined before the error stay declined).
func (w *Web) declineSelected(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	raw := c.PostFormArray("id")
	if len(raw) > qa.MaxBulkDecline {
		raw = raw[:qa.MaxBulkDecline+1] // enough for qa to refuse; bounds the parsing
	}
	ids := make([]int64, 0, len(raw))
	for _, v := range raw {
		// A malformed id is no question: qa refuses it as not found.
		id, _ := strconv.ParseInt(v, 10, 64)
		ids = append(ids, id)
	}
	reason := strings.TrimSpace(c.PostForm("reason_text"))
	if reason == "" {
		reason = c.PostForm("reason")
	}
	n, err := w.store.DeclineQuestions(c.Request.Context(), a, ids, reason)
	// The first n distinct ids are declined: their drafts go.
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if len(seen) == n {
			break
		}
		if !seen[id] {
			seen[id] = true
			w.dropDraft(c, a, id)
		}
	}
	if err == nil {
		w.redirect(c, "/queue", "declined_many")
		return
	}
	d, lerr := w.loadQueue(c, a)
	if lerr != nil {
		w.fail(c, lerr)
		return
	}
	d.Reason = c.PostForm("reason_text")
	w.formError(c, "queue", d, err)
}

// nextInQueue is where the expert goes after closing a question: the next
// pending question (the oldest), or fallback when the queue is empty.
func (w *Web) nextInQueue(c *gin.Context, a qa.Actor, fallback string) string {
	qs, _, err := w.store.FindQueue(c.Request.Context(), a, qa.QueueFilter{Page: qa.Page{Page: 1, PerPage: 1}})
	if err != nil {
		// The question is closed either way; only the next step is lost.
		w.log.Warn("next in queue", "err", err)
		return fallback
	}
	if len(qs) == 0 {
		return fallback
	}
	return fmt.Sprintf("/queue/%d", qs[0].ID)
}

// answersByID loads the answers of hits in one query.
func (w *Web) answersByID(ctx context.Context, a qa.Actor, hits []search.Hit) (map[int64]*qa.Answer, error) {
	items, err := w.loadHits(ctx, a, hits)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*qa.Answer, len(items))
	for _, it := range items {
		out[it.ID] = it.Answer
	}
	return out, nil
}

type queueItemData struct {
	Question *qa.Question
	Body     template.HTML
	Editor   editor
	Similar  []listItem
	Reasons  []string
	// Reason is a decline reason being written (shown again on an error).
	Reason string
	// DupQuery and DupHits are the expert's search for the answer this
	// question duplicates.
	DupQuery string
	DupHits  []listItem
}

// queueItem opens one question: the answer editor (with the expert's draft
// if there is one), decline with a reason, or mark duplicate.
func (w *Web) queueItem(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	d, err := w.loadQueueItem(c, a, id)
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "queue_item", http.StatusOK, d)
}

// loadQueueItem loads everything the question's page shows; the editor is
// filled from the draft, or else from the question.
func (w *Web) loadQueueItem(c *gin.Context, a qa.Actor, id int64) (*queueItemData, error) {
	ctx := c.Request.Context()
	q, err := w.store.FindQuestionByID(ctx, a, id)
	if err != nil {
		return nil, err
	}
	d := &queueItemData{Question: q, Body: template.HTML(q.BodyHTML), DupQuery: strings.TrimSpace(c.Query("dq"))}
	d.Editor = editor{
		Action: fmt.Sprintf("/queue/%d/answer", id), DraftURL: fmt.Sprintf("/queue/%d/draft", id),
		Title: q.Title, Question: q.Body, Tags: strings.Join(q.Tags, ", "),
	}
	draft, err := w.store.FindDraft(ctx, a, id)
	switch {
	case err == nil:
		d.Editor.Title, d.Editor.Question, d.Editor.Body = draft.Title, draft.QuestionBody, draft.Body
		d.Editor.Tags, d.Editor.Public, d.Editor.DraftSaved = strings.Join(draft.Tags, ", "), draft.Public, draft.UpdatedAt
		if d.Editor.Title == "" {
			d.Editor.Title = q.Title
		}
	case qa.ErrorCode(err) != qa.ENOTFOUND:
		return nil, err
	}
	if d.Similar, err = w.similar(ctx, a, q.Title, q.Body, itemSimilar); err != nil {
		return nil, err
	}
	if d.Reasons, err = w.declineReasons(ctx, a, requestOf(c).l); err != nil {
		return nil, err
	}
	if d.DupQuery != "" && w.index != nil {
		start := time.Now()
		res, err := w.index.Search(ctx, search.Query{Text: d.DupQuery, PerPage: dupPerPage})
		w.observed("search", start, err)
		if err != nil {
			return nil, err
		}
		if d.DupHits, err = w.loadHits(ctx, a, res.Hits); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// declineReasons are the expert's canned reasons, or (until the expert
// edits them) a few suggestions in the expert's language.
func (w *Web) declineReasons(ctx context.Context, a qa.Actor, l *i18n.Localizer) ([]string, error) {
	rs, err := w.store.DeclineReasons(ctx, a)
	if err != nil || rs != nil {
		return rs, err
	}
	return []string{l.T("reasons.default_scope"), l.T("reasons.default_broad"), l.T("reasons.default_answered"), l.T("reasons.default_unclear")}, nil
}

// wantsJSON reports whether the page's script (rather than a plain form)
// sent the request.
func wantsJSON(c *gin.Context) bool {
	return strings.Contains(c.GetHeader("Accept"), "application/json")
}

// saveDraft keeps the editor's state on the server: the script saves as
// the expert types (and gets JSON back), the "Save draft" button does the
// same without JavaScript.
func (w *Web) saveDraft(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	e := editorForm(c)
	d, err := w.store.SaveDraft(c.Request.Context(), a, id, e.draftSave())
	if err != nil {
		if wantsJSON(c) {
			w.fail(c, err)
			return
		}
		w.queueItemError(c, a, id, e, "", err)
		return
	}
	w.draftSaved(c, d.UpdatedAt, fmt.Sprintf("/queue/%d#answer", id))
}

// draftSaved answers a saved draft: the script gets the status line as
// JSON, a plain form goes back to its editor with a flash.
func (w *Web) draftSaved(c *gin.Context, at time.Time, editorURL string) {
	if wantsJSON(c) {
		l := requestOf(c).l
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusOK, gin.H{"message": l.T("queue.draft_saved_at", "Time", l.DateTime(at))})
		return
	}
	w.redirect(c, editorURL, "draft_saved")
}

// queueItemError shows the question's page again with the expert's input
// and the error.
func (w *Web) queueItemError(c *gin.Context, a qa.Actor, id int64, e editor, reason string, err error) {
	d, lerr := w.loadQueueItem(c, a, id)
	if lerr != nil {
		w.fail(c, lerr)
		return
	}
	e.Action, e.DraftURL, e.DraftSaved = d.Editor.Action, d.Editor.DraftURL, d.Editor.DraftSaved
	d.Editor, d.Reason = e, reason
	w.formError(c, "queue_item", d, err)
}

// publish answers the question: the answer enters the archive, the draft
// goes, and once search holds it the expert lands on the next pending
// question (or, with none left, on the published answer).
func (w *Web) publish(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	e := editorForm(c)
	if c.PostForm("action") == "preview" {
		d, err := w.loadQueueItem(c, a, id)
		if err != nil {
			w.fail(c, err)
			return
		}
		e.Action, e.DraftURL, e.DraftSaved, e.Preview = d.Editor.Action, d.Editor.DraftURL, d.Editor.DraftSaved, w.previewOf(a, e.Body)
		d.Editor = e
		w.render(c, "queue_item", http.StatusOK, d)
		return
	}
	ans, err := w.store.AnswerQuestion(c.Request.Context(), a, id, qa.AnswerCreate{
		Body: e.Body, Tags: splitTags(e.Tags), Title: &e.Title, QuestionBody: &e.Question, Public: e.Public,
	})
	if err != nil {
		w.queueItemError(c, a, id, e, "", err)
		return
	}
	w.dropDraft(c, a, id)
	// Saved either way: a slow index only delays finding it.
	_ = w.index.WaitVisibleAnswer(c.Request.Context(), ans.ChangeSeq, ans.ID)
	w.redirect(c, w.nextInQueue(c, a, qa.AnswerPath(ans.ID)), "published")
}

// dropDraft deletes the draft of a question that is closed now; a failure
// only leaves a stale draft (swept later), so it is logged, not shown.
func (w *Web) dropDraft(c *gin.Context, a qa.Actor, id int64) {
	if err := w.store.DeleteDraft(c.Request.Context(), a, id); err != nil {
		w.log.Warn("delete draft", "question", id, "err", err)
	}
}

// decline closes the question with a reason the asker will read: the one
// the expert wrote, else the canned one they picked.
func (w *Web) decline(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	reason := strings.TrimSpace(c.PostForm("reason_text"))
	if reason == "" {
		reason = c.PostForm("reason")
	}
	if _, err := w.store.DeclineQuestion(c.Request.Context(), a, id, reason); err != nil {
		w.queueItemError(c, a, id, editor{}, c.PostForm("reason_text"), err)
		return
	}
	w.dropDraft(c, a, id)
	w.redirect(c, w.nextInQueue(c, a, "/queue"), "declined")
}

// duplicate closes the question as a duplicate of a published answer.
func (w *Web) duplicate(c *gin.Context) {
	a, id, ok := w.expertAnd(c)
	if !ok {
		return
	}
	// A missing or malformed id is no answer: qa refuses it as such.
	answerID, _ := strconv.ParseInt(c.PostForm("answer_id"), 10, 64)
	if _, err := w.store.MarkDuplicate(c.Request.Context(), a, id, answerID); err != nil {
		w.queueItemError(c, a, id, editor{}, "", err)
		return
	}
	w.dropDraft(c, a, id)
	w.redirect(c, w.nextInQueue(c, a, "/queue"), "duplicate")
}

type reasonsData struct {
	Reasons []string
	// AnonymousAsking is the owner's setting, edited on the same page.
	AnonymousAsking bool
}

// reasonsForm edits the canned decline reasons: one box per reason, and a
// few empty ones to add more.
func (w *Web) reasonsForm(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	rs, err := w.declineReasons(c.Request.Context(), a, requestOf(c).l)
	if err != nil {
		w.fail(c, err)
		return
	}
	anon, err := w.store.AnonymousAsking(c.Request.Context())
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "reasons", http.StatusOK, reasonsData{Reasons: append(rs, make([]string, reasonsBlanks)...), AnonymousAsking: anon})
}

// saveReasons keeps the canned reasons (empty boxes are dropped).
func (w *Web) saveReasons(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	rs := c.PostFormArray("reason")
	if _, err := w.store.SetDeclineReasons(c.Request.Context(), a, rs); err != nil {
		anon, _ := w.store.AnonymousAsking(c.Request.Context())
		w.formError(c, "reasons", reasonsData{Reasons: rs, AnonymousAsking: anon}, err)
		return
	}
	w.redirect(c, "/queue/reasons", "reasons_saved")
}

// saveSettings keeps the owner's asking settings, shown on the reasons page.
func (w *Web) saveSettings(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	if err := w.store.SetAnonymousAsking(c.Request.Context(), a, c.PostForm("anonymous_asking") == "on"); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/queue/reasons", "settings_saved")
}
