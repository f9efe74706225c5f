package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// tagPerPage is how many answers a tag page shows.
const tagPerPage = 20

type tagsData struct {
	Tags []qa.TagCount
	// Followed are the tags the member follows (none for visitors).
	Followed map[string]bool
}

// tags lists every tag with its number of answers, most used first. The
// counts are of what the reader may find (in the storefront, the whole
// archive's). Members follow and unfollow
// tags here.
func (w *Web) tags(c *gin.Context) {
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
	l := requestOf(c).l
	w.renderPublic(c, "tags", tagsData{Tags: tags, Followed: followed}, public{
		Path: "/tags", Description: l.T("tags.description", "Count", len(tags), "Site", w.site),
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
	if page > 1 {
		p.Query = url.Values{"page": {strconv.Itoa(page)}}
	}
	w.renderPublic(c, "tag", tagData{
		Tag: tag, Following: followed[tag], Total: total, Answers: listItems(answers),
		Pager: newPager(tagURL(tag), c.Request.URL.Query(), page, tagPerPage, total),
	}, p)
}
