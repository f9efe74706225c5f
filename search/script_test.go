package search_test

import (
	"strings"
	"testing"

	"answerbook/search"
)

// TestSearch_TraditionalAndSimplified: a question asked in Traditional
// characters finds the answer written in Simplified ones and back, in
// search and in similar, and the snippet marks the words as written.
func TestSearch_TraditionalAndSimplified(t *testing.T) {
	e := newEnv(t)
	bp := e.publish("高血压患者能吃党参吗", "一般情况下可以少量食用，but ask your doctor about blood pressure first.", true)
	dm := e.publish("糖尿病人應該怎麼控制飲食", "少吃精製澱粉，多吃蔬菜。Eat fewer refined starches.", true)
	e.publish("感冒发烧怎么办", "多喝水，注意休息。Rest and drink water.", true)
	for _, c := range []struct {
		q    string
		want int64
		mark string
	}{
		{"高血壓 黨參", bp.ID, "<mark>高血压</mark>"},
		{"党参", bp.ID, "<mark>党参</mark>"},
		{"糖尿病 控制饮食", dm.ID, "<mark>控制飲食</mark>"},
		{"精制淀粉", dm.ID, "<mark>精製澱粉</mark>"},
	} {
		res := e.search(search.Query{Text: c.q})
		if res.Total != 1 || res.Hits[0].ID != c.want {
			t.Errorf("search %q: %+v", c.q, res.Hits)
			continue
		}
		if !strings.Contains(res.Hits[0].Snippet, c.mark) {
			t.Errorf("search %q: snippet %q does not mark %s", c.q, res.Hits[0].Snippet, c.mark)
		}
	}
	for q, want := range map[string]int64{"高血壓患者能吃黨參嗎": bp.ID, "糖尿病人应该怎么控制饮食": dm.ID} {
		sim, err := e.ix.Similar(e.ctx, search.SimilarQuery{Title: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(sim.Hits) == 0 || sim.Hits[0].ID != want {
			t.Errorf("similar %q: %+v", q, sim.Hits)
		}
	}
}
