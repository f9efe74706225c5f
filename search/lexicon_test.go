package search_test

import (
	"testing"

	"answerbook/search"
)

// TestSearch_CrossLanguage: a Chinese question finds an English answer and
// an English question a Chinese one, through the zh↔en lexicon; an answer
// in the query's own language and words still comes first.
func TestSearch_CrossLanguage(t *testing.T) {
	e := newEnv(t)
	en := e.publish("How are staking rewards calculated?", "Rewards depend on the pool's stake and its margin.", true)
	zh := e.publish("高血压患者能吃党参吗", "一般可以少量食用，请先咨询医生。", true)
	e.publish("感冒发烧怎么办", "多喝水，注意休息。", true)
	if res := e.search(search.Query{Text: "奖励怎么计算"}); res.Total == 0 || res.Hits[0].ID != en.ID {
		t.Errorf("奖励怎么计算: %v", ids(res))
	}
	if res := e.search(search.Query{Text: "hypertension"}); res.Total == 0 || res.Hits[0].ID != zh.ID {
		t.Errorf("hypertension: %v", ids(res))
	}
	sim, err := e.ix.Similar(e.ctx, search.SimilarQuery{Title: "質押獎勵是怎麼計算的"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sim.Hits) == 0 || sim.Hits[0].ID != en.ID {
		t.Errorf("similar 質押獎勵是怎麼計算的: %+v", sim.Hits)
	}
	own := e.publish("质押奖励怎么计算", "按池子的质押量和费率计算。", true)
	if res := e.search(search.Query{Text: "奖励怎么计算"}); res.Total < 2 || res.Hits[0].ID != own.ID || res.Hits[1].ID != en.ID {
		t.Errorf("奖励怎么计算 with a Chinese answer: %v (want %d, %d)", ids(res), own.ID, en.ID)
	}
}
