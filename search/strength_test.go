package search_test

import (
	"fmt"
	"testing"

	"answerbook/qa"
	"answerbook/search"
)

// TestIndex_MatchStrength: a plain search says how closely its hits match
// (Hit.Coverage, the share of the query's own words a hit's title holds):
// a search whose words an answer's title holds is strong; one that finds
// answers sharing only some of its words (the rarest missing) finds only
// weak matches, in Chinese and English, sorted by relevance or by date; a
// search of tags alone is strong; nothing found is not "only weak".
func TestIndex_MatchStrength(t *testing.T) {
	e := newEnv(t)
	e.publish("How are staking rewards calculated?", "Rewards are paid per epoch, in proportion to the stake delegated.", true, "staking")
	e.publish("质押收益怎么计算？", "每个周期按委托的质押数量分配收益。", true, "staking")
	e.publish("What happens to a validator after slashing?", "The validator is ejected and part of its stake burned.", true)
	e.publish("验证者被罚没后会怎样？", "验证者会被移出，部分质押被销毁。", true)
	e.publish("How long is an epoch?", "An epoch lasts 6.4 minutes: 32 slots of 12 seconds.", true)
	e.publish("一个周期有多长？", "一个周期是 32 个时隙，每个 12 秒。", true)

	for _, tc := range []struct {
		q    string
		tags []string
		weak bool
	}{
		{q: "staking rewards"},
		{q: "How are staking rewards calculated"},
		{q: "质押收益"},
		{q: "质押收益怎么计算"},
		{q: "epoch length", weak: true},      // "length" is in no answer
		{q: "staking insurance", weak: true}, // nor "insurance"
		{q: "质押 保险", weak: true},             // nor 保险
		{q: "validator 保险", weak: true},
		{q: `"proof of stake"`, weak: false}, // a phrase alone: found nothing
		{q: `"staking rewards"`},             // a phrase alone, found: strong
		{q: "", tags: []string{"staking"}},   // tags alone: strong
		{q: "tag:staking"},
	} {
		for _, newest := range []bool{false, true} {
			res := e.search(search.Query{Text: tc.q, Tags: tc.tags, Newest: newest})
			if tc.q == `"proof of stake"` {
				if res.Total != 0 || res.OnlyWeak() || res.Outcome().Weak || res.Outcome().Results != 0 {
					t.Errorf("%q: total %d, only weak %v", tc.q, res.Total, res.OnlyWeak())
				}
				continue
			}
			if res.Total == 0 {
				t.Errorf("%q (newest %v) found nothing", tc.q, newest)
				continue
			}
			best := 0.0
			for _, h := range res.Hits {
				if h.Coverage < 0 || h.Coverage > 1 {
					t.Errorf("%q: coverage %v out of 0–1", tc.q, h.Coverage)
				}
				best = max(best, h.Coverage)
			}
			if res.OnlyWeak() != tc.weak || res.Outcome().Weak != tc.weak || res.Outcome().Results != res.Total {
				t.Errorf("%q (newest %v): only weak %v (best coverage %.2f, threshold %.2f), want %v", tc.q, newest, res.OnlyWeak(), best, search.StrongCoverage, tc.weak)
			}
		}
	}
	// The strong search's best hit covers the whole query.
	res := e.search(search.Query{Text: "staking rewards"})
	if len(res.Hits) == 0 || res.Hits[0].Coverage != 1 || res.Hits[0].Weak() {
		t.Fatalf("staking rewards: %+v", res.Hits)
	}
}

// TestSimilar_Strength: Similar's strength for a Chinese title comes from
// the re-ranker's model (the titles compared character by character), so a
// paraphrase that words the question differently (怎么 for 如何, a word
// added, the order changed) is a strong match, and a question on another
// subject that shares a word or two is weak; in English the title's
// coverage decides, as in search.
func TestSimilar_Strength(t *testing.T) {
	e := newEnv(t)
	design, staking := strengthArchive(e)
	for _, tc := range []struct {
		title string
		want  int64 // the strong first hit; 0: no strong hit
	}{
		{"系统设计面试怎么准备", design.ID},
		{"系统设计面试应该怎么准备", design.ID},
		{"如何准备系统设计面试", design.ID},
		{"量子纠缠是什么", 0},
		{"高血压能治愈吗", 0},
		{"How are staking rewards calculated", staking.ID},
		{"How do I design a database schema", 0},
	} {
		res, err := e.ix.Similar(e.ctx, search.SimilarQuery{Title: tc.title})
		if err != nil {
			t.Fatal(err)
		}
		var strong []search.Hit
		for _, h := range res.Hits {
			if h.Strength < 0 || h.Strength > 1 {
				t.Errorf("%q: strength %v out of 0–1", tc.title, h.Strength)
			}
			if !h.Weak() {
				strong = append(strong, h)
			}
		}
		switch {
		case tc.want == 0 && len(strong) > 0:
			t.Errorf("%q: strong hits %+v, want none", tc.title, strong)
		case tc.want != 0 && (len(strong) == 0 || strong[0].ID != tc.want || res.Hits[0].ID != tc.want):
			t.Errorf("%q: hits %+v, want %d first and strong", tc.title, res.Hits, tc.want)
		}
		// StrongOnly: the same strong hits, in the same order, and no other.
		only, err := e.ix.Similar(e.ctx, search.SimilarQuery{Title: tc.title, StrongOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(only)) != fmt.Sprint(idsOf(strong)) || only.Total != len(only.Hits) {
			t.Errorf("%q: strong only %v (total %d), want %v", tc.title, ids(only), only.Total, idsOf(strong))
		}
	}
}

func idsOf(hits []search.Hit) []int64 {
	out := []int64{}
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

// TestSearch_Question: a search typed as a Chinese question is ranked as
// Similar ranks a question being asked, and judged alike: the answer whose
// title asks the same in other words comes first and strong; keyword
// searches keep their order by score.
func TestSearch_Question(t *testing.T) {
	e := newEnv(t)
	design, _ := strengthArchive(e)
	e.publish("系统设计有哪些常见模式？", "分层、缓存、消息队列。面试中常被问到。", true)
	for _, q := range []string{"系统设计面试怎么准备", "系统设计面试应该怎么准备？"} {
		res := e.search(search.Query{Text: q})
		if len(res.Hits) == 0 || res.Hits[0].ID != design.ID || res.Hits[0].Weak() || res.OnlyWeak() {
			t.Errorf("%q: %+v, want %d first and strong", q, res.Hits, design.ID)
		}
		sim, err := e.ix.Similar(e.ctx, search.SimilarQuery{Title: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(sim.Hits) == 0 || sim.Hits[0].ID != res.Hits[0].ID || sim.Hits[0].Strength != res.Hits[0].Strength {
			t.Errorf("%q: similar %+v and search %+v judge the first hit differently", q, sim.Hits, res.Hits)
		}
	}
	if res := e.search(search.Query{Text: "量子纠缠是什么东西"}); res.Total > 0 && !res.OnlyWeak() {
		t.Errorf("量子纠缠是什么东西: %+v, want only weak", res.Hits)
	}
}

// strengthArchive publishes a small archive in both languages: an answer
// on preparing for a system design interview, one on staking rewards, and
// others that share a word or two with them.
func strengthArchive(e *env) (design, staking *qa.Answer) {
	design = e.publish("如何准备系统设计面试？", "先练习需求澄清、容量估算，再画出高层架构。", true)
	e.publish("面试前需要准备哪些材料？", "简历、作品集和身份证件。系统设计面试也要带笔。", true)
	e.publish("高血压患者能吃党参吗", "一般可以少量食用，请先咨询医生。", true)
	e.publish("糖尿病人应该怎么控制饮食", "少吃精制碳水，按时进餐。", true)
	e.publish("感冒发烧怎么办", "多喝水，注意休息。", true)
	staking = e.publish("How are staking rewards calculated?", "Rewards depend on the pool's stake and its margin.", true)
	e.publish("How long is an epoch?", "An epoch lasts five days.", true)
	return design, staking
}
