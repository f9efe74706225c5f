package api

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

// The expert's care of tags: a tag's description and synonyms, renaming
// and merging (qa/tagadmin.go).

// tagMoveJSON is what a rename or a merge did.
type tagMoveJSON struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Answers   int    `json:"answers"`
	Questions int    `json:"questions"`
}

// getTag answers a tag's description and synonyms (empty for a name no
// answer carries); a renamed or merged tag's old name redirects (301) to
// the tag it went to.
func (a *API) getTag(c *gin.Context) {
	ctx := c.Request.Context()
	info, err := a.store.FindTagInfo(ctx, c.Param("tag"))
	if err != nil {
		a.fail(c, err)
		return
	}
	if !info.Exists {
		to, err := a.store.TagRedirect(ctx, info.Name)
		if err != nil {
			a.fail(c, err)
			return
		}
		if to != "" {
			c.Redirect(http.StatusMovedPermanently, "/api/v1/tags/"+url.PathEscape(to))
			return
		}
	}
	// Any tag name has an (empty) answer, as any has a page: whether a
	// tag exists would tell of member-only answers.
	c.JSON(http.StatusOK, info)
}

// updateTag sets a tag's description (PUT /api/v1/tags/{tag}).
func (a *API) updateTag(c *gin.Context) {
	var req struct {
		Description string `json:"description"`
	}
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	info, err := a.store.SetTagDescription(c.Request.Context(), actor(c), c.Param("tag"), req.Description)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, info)
}

// tagSynonyms lists a tag's synonyms (GET /api/v1/tags/{tag}/synonyms).
func (a *API) tagSynonyms(c *gin.Context) {
	info, err := a.store.FindTagInfo(c.Request.Context(), c.Param("tag"))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"tag": info.Name, "synonyms": info.Synonyms})
}

// setTagSynonyms replaces a tag's synonyms (PUT /api/v1/tags/{tag}/synonyms).
func (a *API) setTagSynonyms(c *gin.Context) {
	var req struct {
		Synonyms []string `json:"synonyms"`
	}
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	kept, err := a.store.SetTagSynonyms(c.Request.Context(), actor(c), c.Param("tag"), req.Synonyms)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.index.ReloadSynonyms()
	tag, _ := qa.NormalizeTag(c.Param("tag"))
	c.JSON(http.StatusOK, gin.H{"tag": tag, "synonyms": kept})
}

// renameTag gives a tag a new name (POST /api/v1/tags/{tag}/rename {to}).
func (a *API) renameTag(c *gin.Context) {
	var req struct {
		To string `json:"to"`
	}
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	mv, err := a.store.RenameTag(c.Request.Context(), actor(c), c.Param("tag"), req.To)
	a.tagMoved(c, mv, err)
}

// mergeTag merges a tag into another (POST /api/v1/tags/{tag}/merge {into}).
func (a *API) mergeTag(c *gin.Context) {
	var req struct {
		Into string `json:"into"`
	}
	if err := decode(c, &req); err != nil {
		a.fail(c, err)
		return
	}
	mv, err := a.store.MergeTag(c.Request.Context(), actor(c), c.Param("tag"), req.Into)
	a.tagMoved(c, mv, err)
}

// tagMoved answers a rename or merge once search shows it (bounded).
func (a *API) tagMoved(c *gin.Context, mv *qa.TagMove, err error) {
	if err != nil {
		a.fail(c, err)
		return
	}
	a.index.ReloadSynonyms()
	// Saved either way: a slow index only delays finding it.
	_ = a.index.WaitVisible(c.Request.Context(), mv.ChangeSeq)
	c.JSON(http.StatusOK, tagMoveJSON{From: mv.From, To: mv.To, Answers: mv.Answers, Questions: mv.Questions})
}
