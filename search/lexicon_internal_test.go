package search

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCrossText: Chinese words give their English glosses and English
// words (stemmed, two-word phrases first) their Chinese words, in either
// script.
func TestCrossText(t *testing.T) {
	for _, c := range []struct {
		words []string
		want  []string
	}{
		{[]string{"高血压患者能吃党参吗"}, []string{"hypertension"}},
		{[]string{"高血壓患者"}, []string{"hypertension"}},
		{[]string{"量子计算机的模拟器"}, []string{"quantum", "computer", "emulator"}},
		{[]string{"blood", "pressure", "medicine"}, []string{"血压"}},
		{[]string{"How", "are", "rewards", "calculated?"}, []string{"奖励", "计算"}},
		{[]string{"Grover", "算法"}, []string{"algorithm"}},
	} {
		got := strings.Fields(crossText(c.words))
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: %v lacks %q", c.words, got, w)
			}
		}
		if len(got) > maxCross {
			t.Errorf("%q: %d words", c.words, len(got))
		}
	}
	if got := crossText([]string{"xyzzy", "12345"}); got != "" {
		t.Errorf("unknown words gave %q", got)
	}
}

// TestLexicon_StartCost logs what the lexicon costs: its pairs, the time to
// read and index them, and the heap it keeps.
func TestLexicon_StartCost(t *testing.T) {
	analyze("warm up the analyzer")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	l := loadLexicon()
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	pairs := 0
	for _, en := range l.zhEn {
		pairs += len(en)
	}
	runtime.KeepAlive(l)
	t.Logf("lexicon: %d pairs, %d Chinese words, %d English glosses; built in %v; heap kept %.0f KiB (file %d KiB, embedded)",
		pairs, len(l.zhEn), len(l.enZh), took, float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/1024, len(lexiconTSV)/1024)
	if pairs < 10000 || pairs > 30000 {
		t.Errorf("%d pairs", pairs)
	}
}
