package qa_test

import (
	"testing"

	"answerbook/qa"
)

// TestStorefront_Teasers: teasers are on until the expert turns them off;
// a storefront visitor (and a lapsed member) then finds the member-only
// answers in lists, counts, by id and in the sitemap's entries, as titles,
// tags and dates only (no excerpt), never their text; a member's lists
// are unchanged; with teasers off the visitor finds the public ones only.
func TestStorefront_Teasers(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		expert := e.member(t, "Expert", qa.RoleExpert)
		lapsed := e.expired(t, "Lapsed")
		title := "心血管科：高血压怎么控制"
		pub, err := e.CreateAnswer(e.ctx, qa.System(), qa.AnswerCreate{Title: &title, Body: "低盐饮食，按时服药。", Tags: []string{"心血管科"}, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		title2 := "How much salt a day?"
		priv, err := e.CreateAnswer(e.ctx, qa.System(), qa.AnswerCreate{Title: &title2, Body: "Less than five grams. SALTSECRET", Tags: []string{"心血管科", "diet"}})
		if err != nil {
			t.Fatal(err)
		}

		on, err := e.TeasersVisible(e.ctx)
		if err != nil || !on {
			t.Fatalf("teasers by default: %v %v", on, err)
		}
		if err := e.SetTeasersVisible(e.ctx, qa.Visitor(), false); qa.ErrorCode(err) != qa.EUNAUTHORIZED {
			t.Errorf("a visitor sets teasers: %v", err)
		}
		if err := e.SetTeasersVisible(e.ctx, as(lapsed), false); qa.ErrorCode(err) != qa.EFORBIDDEN {
			t.Errorf("a member sets teasers: %v", err)
		}

		for _, who := range []qa.Actor{qa.Visitor(), as(lapsed)} {
			plain := who
			front, err := e.Storefront(e.ctx, who)
			if err != nil || !front.Teasers {
				t.Fatalf("storefront actor: %+v %v", front, err)
			}
			if _, n, _ := e.FindAnswers(e.ctx, plain, qa.AnswerFilter{}); n != 1 {
				t.Errorf("outside the storefront a visitor lists %d answers", n)
			}
			as, n, err := e.FindAnswers(e.ctx, front, qa.AnswerFilter{})
			if err != nil || n != 2 || len(as) != 2 {
				t.Fatalf("storefront lists %d (%d): %v", n, len(as), err)
			}
			for _, a := range as {
				if a.ID == priv.ID && (a.Excerpt != "" || a.BodyMarkdown != "" || a.Full || len(a.Tags) != 2 || a.Title() != title2) {
					t.Errorf("teaser in a list: %+v", a)
				}
				if a.ID == pub.ID && a.Excerpt == "" {
					t.Error("the public answer lost its excerpt")
				}
			}
			byID, err := e.FindAnswersByIDs(e.ctx, front, []int64{priv.ID})
			if err != nil || len(byID) != 1 || byID[0].Excerpt != "" {
				t.Errorf("teaser by id: %+v %v", byID, err)
			}
			if e.MayRead(front, priv) || !e.MayRead(front, pub) || e.PublicOnly(front) || !e.PublicOnly(plain) {
				t.Error("MayRead or PublicOnly of the storefront actor")
			}
			tags, _ := e.FindTags(e.ctx, front)
			if len(tags) != 2 || tags[0] != (qa.TagCount{Tag: "心血管科", Count: 2}) {
				t.Errorf("storefront tags %v", tags)
			}
			if n, _ := e.CountArchive(e.ctx, front); n != 2 {
				t.Errorf("storefront archive count %d", n)
			}
			// The whole text stays closed.
			full, err := e.FindAnswerByID(e.ctx, front, priv.ID)
			if err != nil || full.Full || full.BodyMarkdown != "" {
				t.Errorf("storefront reads the member-only answer: %+v %v", full, err)
			}
		}
		// A member's view is not the storefront's.
		if m, _ := e.Storefront(e.ctx, as(expert)); m.Teasers {
			t.Error("the expert is a storefront visitor")
		}

		es, err := e.ArchiveEntries(e.ctx, mustFront(t, e), 1, 10)
		if err != nil || len(es) != 1 || es[0].ID != priv.ID || es[0].Public || es[0].UpdatedAt.IsZero() {
			t.Errorf("archive entries after 1: %+v %v", es, err)
		}
		if _, err := e.ArchiveEntries(e.ctx, qa.Visitor(), 0, qa.MaxArchiveEntries+1); qa.ErrorKey(err) != qa.KeyPerPage {
			t.Errorf("too many entries: %v", err)
		}
		if _, err := e.ArchiveEntries(e.ctx, qa.Visitor(), -1, 1); qa.ErrorKey(err) != qa.KeyPage {
			t.Errorf("negative offset: %v", err)
		}

		if err := e.SetTeasersVisible(e.ctx, as(expert), false); err != nil {
			t.Fatal(err)
		}
		front := mustFront(t, e)
		if front.Teasers {
			t.Error("teasers off, still a storefront actor")
		}
		if _, n, _ := e.FindAnswers(e.ctx, front, qa.AnswerFilter{}); n != 1 {
			t.Errorf("teasers off: the visitor lists %d answers", n)
		}
		if es, _ := e.ArchiveEntries(e.ctx, front, 0, 10); len(es) != 1 || es[0].ID != pub.ID {
			t.Errorf("teasers off: entries %+v", es)
		}
	})
}

func mustFront(t *testing.T, e *env) qa.Actor {
	t.Helper()
	a, err := e.Storefront(e.ctx, qa.Visitor())
	if err != nil {
		t.Fatal(err)
	}
	return a
}
