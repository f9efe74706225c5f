package web

import (
	"net/http"

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
}

// home is the start page: the search box, the newest answers and the most
// used tags. Visitors (and lapsed members) see only what is public, and a
// word about what membership gives.
func (w *Web) home(c *gin.Context) {
	a := actor(c)
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
	w.render(c, "home", http.StatusOK, homeData{Recent: listItems(answers), Total: total, Tags: tags})
}
