package web

import (
	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// homeRecent and homeTags are how many answers and tags the home page shows.
const (
	homeRecent = 8
	homeTags   = 16
)

type homeData struct {
	Recent []listItem
	Total  int
	Tags   []qa.TagCount
	// Teasers is true when a reader who may not read the member-only
	// answers is shown them as teasers (the storefront): the lists and
	// counts are the whole archive's.
	Teasers bool
}

// home is the start page: the search box, the newest answers and the most
// used tags. Visitors (and lapsed members) see what is public and, when the
// owner allows it, the member-only archive as teasers, with a word about
// what membership gives.
func (w *Web) home(c *gin.Context) {
	a, err := w.storefront(c)
	if err != nil {
		w.fail(c, err)
		return
	}
	answers, total, err := w.store.FindAnswers(c.Request.Context(), a, qa.AnswerFilter{Page: qa.Page{PerPage: homeRecent}})
	if err != nil {
		w.fail(c, err)
		return
	}
	tags, err := w.store.FindTags(c.Request.Context(), a)
	if err != nil {
		w.fail(c, err)
		return
	}
	if len(tags) > homeTags {
		tags = tags[:homeTags]
	}
	w.renderPublic(c, "home", homeData{Recent: listItems(answers), Total: total, Tags: tags, Teasers: a.Teasers}, public{Path: "/"})
}

// storefront is the request's actor as the storefront's lists show it the
// archive (qa.Store.Storefront): a visitor finds the member-only answers
// as teasers when the owner allows it.
func (w *Web) storefront(c *gin.Context) (qa.Actor, error) {
	return w.store.Storefront(c.Request.Context(), actor(c))
}
