package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// tagPerPage is how many answers a tag page shows.
const tagPerPage = 20

type tagsData struct {
	Tags []qa.TagCount
}

// tags lists every tag with its number of answers, most used first. The
// counts are of what the reader may find.
func (w *Web) tags(c *gin.Context) {
	tags, err := w.store.FindTags(c.Request.Context(), actor(c))
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "tags", http.StatusOK, tagsData{Tags: tags})
}

type tagData struct {
	Tag     string
	Total   int
	Answers []listItem
	Pager   pager
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
	answers, total, err := w.store.FindAnswers(c.Request.Context(), actor(c), qa.AnswerFilter{Tag: &tag, Page: qa.Page{Page: page, PerPage: tagPerPage}})
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "tag", http.StatusOK, tagData{
		Tag: tag, Total: total, Answers: listItems(answers),
		Pager: newPager(tagURL(tag), c.Request.URL.Query(), page, tagPerPage, total),
	})
}
