package search

import (
	"context"

	"answerbook/qa"
)

// Found is a hit with its answer, as the actor may see it (a list item: a
// teaser, no bodies).
type Found struct {
	Hit
	Answer *qa.Answer
}

// LoadHits loads the answers of hits from the store in one query and
// returns them in the hits' (rank) order, each with its hit: the index
// finds, the database says what is shown (ARCHITECTURE.md, Reads). A hit
// whose answer the store does not show the actor, because it was
// unpublished or deleted after the index saw it or is member-only for a
// visitor, is left out; a member-only hit the storefront shows a visitor
// has no snippet. No hits is an empty list, not an error.
func LoadHits(ctx context.Context, store *qa.Store, actor qa.Actor, hits []Hit) ([]Found, error) {
	if len(hits) == 0 {
		return []Found{}, nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	answers, err := store.FindAnswersByIDs(ctx, actor, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*qa.Answer, len(answers))
	for _, a := range answers {
		byID[a.ID] = a
	}
	out := make([]Found, 0, len(answers))
	for _, h := range hits {
		if a := byID[h.ID]; a != nil {
			if !store.MayRead(actor, a) {
				// A storefront teaser (qa.Actor.Teasers): its passage is
				// text the actor may not read.
				h.Snippet = ""
			}
			out = append(out, Found{Hit: h, Answer: a})
		}
	}
	return out, nil
}
