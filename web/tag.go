package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// tagPerPage is how many answers a tag page shows.
const tagPerPage = 20

type tagsData struct {
	Tags []qa.TagCount
	// Followed are the tags the member follows (none for visitors).
	Followed map[string]bool
	// Query is the filter box's text; All the number of tags before it.
	Query string
	All   int
}

// maxTagFilter bounds the filter box's text (a tag is shorter).
const maxTagFilter = 100

// tags lists every tag with its number of answers, most used first. The
// counts are of what the reader may find (in the storefront, the whole
// archive's). ?q= keeps the tags whose name holds the text (the page's
// script filters as one types). Members follow and unfollow tags here.
func (w *Web) tags(c *gin.Context) {
	q := strings.ToLower(strings.TrimSpace(c.Query("q")))
	if n := utf8.RuneCountInString(q); n > maxTagFilter || !utf8.ValidString(q) {
		w.fail(c, qa.E(qa.KeyTooLong, qa.Args{"Field": "tag", "Max": maxTagFilter, "Got": n}))
		return
	}
	a, err := w.storefront(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	tags, err := w.store.FindTags(c.Request.Context(), a)
	if err != nil {
		w.fail(c, err)
		return
	}
	followed, err := w.followed(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	d := tagsData{Tags: tags, Followed: followed, Query: q, All: len(tags)}
	if q != "" {
		d.Tags = make([]qa.TagCount, 0, len(tags))
		for _, t := range tags {
			if strings.Contains(t.Tag, q) {
				d.Tags = append(d.Tags, t)
			}
		}
	}
	l := requestOf(c).l
	w.renderPublic(c, "tags", d, public{
		Path: "/tags", Description: l.T("tags.description", "Count", len(tags), "Site", requestOf(c).site),
	})
}

// followed returns the tags the request's member follows, as a set.
func (w *Web) followed(c *gin.Context) (map[string]bool, error) {
	out := map[string]bool{}
	a := actor(c)
	if a.Member == nil {
		return out, nil
	}
	tags, err := w.store.FollowedTags(c.Request.Context(), a)
	for _, t := range tags {
		out[t] = true
	}
	return out, err
}

// follow makes the member follow the form's tag: new answers in it reach
// their bell (and the digest), then back to the page they were on.
func (w *Web) follow(c *gin.Context) {
	w.setFollow(c, true)
}

// unfollow stops the member following the form's tag.
func (w *Web) unfollow(c *gin.Context) {
	w.setFollow(c, false)
}

func (w *Web) setFollow(c *gin.Context, on bool) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	tag, flash := c.PostForm("tag"), "unfollowed"
	var err error
	if on {
		err, flash = w.store.FollowTag(c.Request.Context(), a, tag), "followed"
	} else {
		err = w.store.UnfollowTag(c.Request.Context(), a, tag)
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, safeNext(c.PostForm("next")), flash)
}

type tagData struct {
	Tag string
	// Info is the tag's description and synonyms.
	Info *qa.TagInfo
	// Following is true when the member follows the tag.
	Following bool
	Total     int
	Answers   []listItem
	Pager     pager
}

// tag lists a tag's answers, newest first.
func (w *Web) tag(c *gin.Context) {
	page, err := pageParam(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	tag, err := qa.NormalizeTag(c.Param("tag"))
	if err != nil {
		// A name that cannot be a tag (NormalizeTag's EINVALID; it reads no
		// database) has no page.
		w.fail(c, qa.E(qa.KeyNotFound, nil).Wrap(err))
		return
	}
	if tag != c.Param("tag") {
		// One address per tag: "Go" and "go" are the same tag.
		c.Redirect(http.StatusMovedPermanently, tagURL(tag))
		return
	}
	info, ok := w.tagInfo(c, tag)
	if !ok {
		return
	}
	a, err := w.storefront(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	answers, total, err := w.store.FindAnswers(c.Request.Context(), a, qa.AnswerFilter{Tag: &tag, Page: qa.Page{Page: page, PerPage: tagPerPage}})
	if err != nil {
		w.fail(c, err)
		return
	}
	followed, err := w.followed(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	p := public{Path: tagURL(tag), Description: requestOf(c).l.T("tags.answers_in", "Count", total, "Tag", tag)}
	if info != nil && info.Description != "" {
		p.Description = info.Description + " · " + p.Description
	}
	if page > 1 {
		p.Query = url.Values{"page": {strconv.Itoa(page)}}
	}
	w.renderPublic(c, "tag", tagData{
		Tag: tag, Info: info, Following: followed[tag], Total: total, Answers: listItems(answers),
		Pager: newPager(tagURL(tag), c.Request.URL.Query(), page, tagPerPage, total),
	}, p)
}

// tagInfo loads a tag's description and synonyms; a renamed or merged
// tag's old name redirects (301) to the same page of its tag, and false
// says the response is written.
func (w *Web) tagInfo(c *gin.Context, tag string) (*qa.TagInfo, bool) {
	ctx := c.Request.Context()
	info, err := w.store.FindTagInfo(ctx, tag)
	if err != nil {
		w.fail(c, err)
		return nil, false
	}
	if !info.Exists {
		to, err := w.store.TagRedirect(ctx, tag)
		if err != nil {
			w.fail(c, err)
			return nil, false
		}
		if to != "" {
			// The rest of the path ("/edit") after the tag, as decoded
			// (a Chinese tag's URL is escaped, its path is not).
			target := tagURL(to) + strings.TrimPrefix(c.Request.URL.Path, "/tags/"+c.Param("tag"))
			if c.Request.URL.RawQuery != "" {
				target += "?" + c.Request.URL.RawQuery
			}
			c.Redirect(http.StatusMovedPermanently, target)
			return nil, false
		}
	}
	return info, true
}

// tagEditData is the expert's page for one tag.
type tagEditData struct {
	Info *qa.TagInfo
	// Description and Synonyms are the form's text, kept on an error.
	Description, Synonyms string
	// To and Into are the rename and merge forms' text.
	To, Into string
	// Tags are the other tags, for the merge form's list.
	Tags []qa.TagCount
}

// tagEditForm shows the expert a tag's description and synonyms to edit,
// and the forms to rename it or merge it into another.
func (w *Web) tagEditForm(c *gin.Context) {
	w.tagEdit(c, nil, tagEditData{}, nil)
}

// tagEdit renders the edit page; with err, the form's text is kept and
// the error shown.
func (w *Web) tagEdit(c *gin.Context, a *qa.Actor, d tagEditData, err error) {
	if a == nil {
		x, ok := w.expert(c)
		if !ok {
			return
		}
		a = &x
	}
	tag, nerr := qa.NormalizeTag(c.Param("tag"))
	if nerr != nil {
		w.fail(c, qa.E(qa.KeyNotFound, nil).Wrap(nerr))
		return
	}
	info, ok := w.tagInfo(c, tag)
	if !ok {
		return
	}
	if !info.Exists {
		w.fail(c, qa.E(qa.KeyNotFound, qa.Args{"What": "tag"}))
		return
	}
	d.Info = info
	if err == nil {
		d.Description, d.Synonyms = info.Description, strings.Join(info.Synonyms, ", ")
	}
	all, lerr := w.store.FindTags(c.Request.Context(), *a)
	if lerr != nil {
		w.fail(c, lerr)
		return
	}
	for _, t := range all {
		if t.Tag != tag {
			d.Tags = append(d.Tags, t)
		}
	}
	if err != nil {
		w.formError(c, "tag_edit", d, err)
		return
	}
	w.render(c, "tag_edit", http.StatusOK, d)
}

// splitSynonyms reads the synonyms box: commas (either width), 、 or new
// lines between them.
func splitSynonyms(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == '\n' || r == '\r' })
}

// saveTag keeps a tag's description and synonyms.
func (w *Web) saveTag(c *gin.Context) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	d := tagEditData{Description: c.PostForm("description"), Synonyms: c.PostForm("synonyms")}
	info, err := w.store.SetTagDescription(ctx, a, c.Param("tag"), d.Description)
	if err == nil {
		_, err = w.store.SetTagSynonyms(ctx, a, info.Name, splitSynonyms(d.Synonyms))
		w.index.ReloadSynonyms()
	}
	if err != nil {
		w.tagEdit(c, &a, d, err)
		return
	}
	w.redirect(c, tagURL(info.Name), "tag_saved")
}

// renameTag gives the tag the form's new name; mergeTag merges it into
// the form's tag. Both land on the tag's page under its name.
func (w *Web) renameTag(c *gin.Context) { w.moveTag(c, false) }

func (w *Web) mergeTag(c *gin.Context) { w.moveTag(c, true) }

func (w *Web) moveTag(c *gin.Context, merge bool) {
	a, ok := w.expert(c)
	if !ok {
		return
	}
	d := tagEditData{To: c.PostForm("to"), Into: c.PostForm("into")}
	var mv *qa.TagMove
	var err error
	if merge {
		mv, err = w.store.MergeTag(c.Request.Context(), a, c.Param("tag"), d.Into)
	} else {
		mv, err = w.store.RenameTag(c.Request.Context(), a, c.Param("tag"), d.To)
	}
	if err != nil {
		w.tagEdit(c, &a, d, err)
		return
	}
	w.index.ReloadSynonyms()
	// Saved either way: a slow index only delays finding it.
	_ = w.index.WaitVisible(c.Request.Context(), mv.ChangeSeq)
	flash := "tag_renamed"
	if merge {
		flash = "tag_merged"
	}
	w.redirect(c, tagURL(mv.To), flash)
}
