package api

import (
	"strings"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

const actorKey = "answerbook.actor"

// authenticate resolves the request's actor: a bearer token if one is given
// (a bad one is 401, never a silent visitor), else the session cookie, else a
// visitor.
func (a *API) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			a.fail(c, qa.E(qa.KeyAuthHeader, nil))
			return
		}
		actor, err := a.store.ActorForToken(ctx, strings.TrimSpace(tok))
		if err != nil {
			a.fail(c, err)
			return
		}
		c.Set(actorKey, actor)
		c.Next()
		return
	}
	actor := qa.Visitor()
	// The session cookie counts on the site's own pages only: another site's
	// page calling the API (CORS, embeds) gets a visitor unless it sends a
	// token.
	if a.cookie != "" && !a.crossOrigin(c) {
		if raw, err := c.Cookie(a.cookie); err == nil && raw != "" {
			if got, err := a.store.ActorForSession(ctx, raw); err == nil {
				actor = got
			} else if qa.ErrorCode(err) != qa.EUNAUTHORIZED {
				a.fail(c, err)
				return
			}
		}
	}
	c.Set(actorKey, actor)
	c.Next()
}

// actor returns the request's actor set by authenticate.
func actor(c *gin.Context) qa.Actor {
	if v, ok := c.Get(actorKey); ok {
		return v.(qa.Actor)
	}
	return qa.Visitor()
}
