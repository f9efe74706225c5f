package search_test

import (
	"testing"

	"answerbook/search"
)

// Synonyms: a query word equal to a synonym also finds the answers of its
// tag, in English and Chinese; a tag: filter naming a synonym accepts the
// tag; a rename reindexes the answers through the change log; nothing that
// matched before stops matching.
func TestIndex_Synonyms(t *testing.T) {
	e := newEnv(t)
	staking := e.publish("How are validator rewards paid out", "Rewards accrue each epoch to delegators.", true, "staking")
	harbour := e.publish("港口引航员的薪资", "引航员按船舶吨位计费。", true, "港口")
	other := e.publish("Stake in a company", "Owning a stake in a company means shares.", true, "finance")

	before := e.search(search.Query{Text: "质押"})
	if has(before, staking.ID) {
		t.Fatal("质押 finds the staking answer before any synonym")
	}
	if _, err := e.store.SetTagSynonyms(e.ctx, e.expert, "staking", []string{"质押", "Stake"}); err != nil {
		t.Fatal(err)
	}
	e.ix.ReloadSynonyms()
	for _, q := range []string{"质押", "质押收益怎么算", "STAKE", "stake?"} {
		if r := e.search(search.Query{Text: q}); !has(r, staking.ID) {
			t.Errorf("%q: hits %v, want the staking answer %d", q, ids(r), staking.ID)
		}
	}
	// What matched before still matches: the word itself.
	if r := e.search(search.Query{Text: "stake"}); !has(r, other.ID) {
		t.Errorf("stake: hits %v, want the answer that says stake (%d) too", ids(r), other.ID)
	}
	if r := e.search(search.Query{Text: "港口"}); !has(r, harbour.ID) || has(r, staking.ID) {
		t.Errorf("港口: hits %v", ids(r))
	}
	// A tag filter on a synonym accepts the tag.
	if r := e.search(search.Query{Text: "tag:质押"}); !has(r, staking.ID) || has(r, harbour.ID) {
		t.Errorf("tag:质押: hits %v, want only %d", ids(r), staking.ID)
	}
	if r := e.search(search.Query{Tags: []string{"stake"}}); !has(r, staking.ID) || has(r, other.ID) {
		t.Errorf("tag stake: hits %v, want only %d", ids(r), staking.ID)
	}

	// A merge moves the answers in the index too; the old name becomes a
	// synonym, so tag:finance keeps finding them.
	mv, err := e.store.MergeTag(e.ctx, e.expert, "finance", "staking")
	if err != nil {
		t.Fatal(err)
	}
	e.wait(mv.ChangeSeq)
	e.ix.ReloadSynonyms()
	if r := e.search(search.Query{Tags: []string{"staking"}}); !has(r, other.ID) || !has(r, staking.ID) {
		t.Errorf("tag staking after the merge: hits %v, want %d and %d", ids(r), staking.ID, other.ID)
	}
	if r := e.search(search.Query{Tags: []string{"finance"}}); !has(r, other.ID) {
		t.Errorf("tag finance after the merge: hits %v, want %d", ids(r), other.ID)
	}
	if r := e.search(search.Query{Text: "shares"}); len(r.Facets) != 1 || r.Facets[0].Tag != "staking" {
		t.Errorf("facets after the merge = %v, want staking only", r.Facets)
	}
}
