package search

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/longbridgeapp/opencc"
)

// TestT2S_AsOpenCC: the tables convert as the library's own Convert does,
// on Traditional text written here and, when ../shared/data is there, on
// the Chinese medical archive's titles made Traditional by the library's
// s2t (and on those titles as they are).
func TestT2S_AsOpenCC(t *testing.T) {
	tab, err := t2s()
	if err != nil {
		t.Fatal(err)
	}
	cc, err := opencc.New("t2s")
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"高血壓患者能吃黨參嗎", "糖尿病人應該怎麼控制飲食？", "區塊鏈的質押獎勵怎麼計算",
		"我們一目瞭然地瞭解到這個問題", "反覆咳嗽，請回覆", "How are 質押 rewards calculated?",
		"頭髮乾燥，幹活很累", "already 简体 text", "",
	}
	if data := sharedData(); data != "" {
		s2t, err := opencc.New("s2t")
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(data, "zh-medical-qa", "medical-qa.utf8.csv"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for n := 0; sc.Scan() && n < 1500; n++ {
			line := sc.Text()
			if n%3 != 0 {
				continue
			}
			line = line[:min(len(line), 300)]
			line = strings.ToValidUTF8(line, "")
			tr, err := s2t.Convert(line)
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, line, tr)
		}
	}
	changed := 0
	for _, s := range texts {
		want, err := cc.Convert(s)
		if err != nil {
			t.Fatal(err)
		}
		got := string(tab.convert([]byte(s)))
		if len(want) != len(s) {
			continue // an entry of another length (left out, see script.go)
		}
		if got != want {
			t.Errorf("convert %q:\n got %q\nwant %q", s, got, want)
		}
		if got != s {
			changed++
		}
	}
	if changed < 5 {
		t.Errorf("only %d of %d texts changed", changed, len(texts))
	}
}

// TestT2S_SimplifiedIsFree: text with no Traditional character (most text:
// Simplified Chinese, English) is returned as it is, without a copy.
func TestT2S_SimplifiedIsFree(t *testing.T) {
	tab, err := t2s()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"高血压患者能吃党参吗，一般情况下可以少量食用", "How are staking rewards calculated? 质押奖励怎么计算"} {
		b := []byte(s)
		if got := tab.convert(b); &got[0] != &b[0] {
			t.Errorf("%q was copied", s)
		}
		if n := testing.AllocsPerRun(100, func() { tab.convert(b) }); n != 0 {
			t.Errorf("%q: %v allocations", s, n)
		}
	}
	if got := string(tab.convert([]byte("黨參 and 質押"))); got != "党参 and 质押" {
		t.Errorf("got %q", got)
	}
}

// TestAnalyzer_TraditionalIsSimplified: both scripts give the same terms, at
// the offsets of the text as written (snippets mark the words).
func TestAnalyzer_TraditionalIsSimplified(t *testing.T) {
	tr, si := "高血壓患者能吃黨參嗎 Blood pressure", "高血压患者能吃党参吗 Blood pressure"
	a, b := analyze(tr), analyze(si)
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%d and %d terms", len(a), len(b))
	}
	for i := range a {
		if string(a[i].Term) != string(b[i].Term) || a[i].Start != b[i].Start || a[i].End != b[i].End {
			t.Errorf("term %d: %s %d–%d vs %s %d–%d", i, a[i].Term, a[i].Start, a[i].End, b[i].Term, b[i].Start, b[i].End)
		}
		if i < 3 {
			t.Logf("%s → %s", tr[a[i].Start:a[i].End], a[i].Term)
		}
	}
}

// TestT2S_StartCost logs what the tables cost: the time to read OpenCC's
// dictionaries and build them, and the heap they keep.
func TestT2S_StartCost(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	tab, err := loadT2S()
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	kept := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("t2s tables: %d characters, %d phrase heads; built in %v; heap kept %.0f KiB (the library's dictionaries are dropped)",
		len(tab.chars), len(tab.phrases), took, float64(kept)/1024)
	runtime.KeepAlive(tab)
	if len(tab.chars) < 3000 || len(tab.phrases) < 50 {
		t.Errorf("tables too small: %d, %d", len(tab.chars), len(tab.phrases))
	}
}

func BenchmarkT2S(b *testing.B) {
	tab, err := t2s()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, text string }{
		{"simplified", strings.Repeat("高血压患者能吃党参吗，一般情况下可以少量食用。", 20)},
		{"traditional", strings.Repeat("高血壓患者能吃黨參嗎，一般情況下可以少量食用。", 20)},
		{"english", strings.Repeat("How are staking rewards calculated on Cardano? ", 20)},
	} {
		in := []byte(c.text)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				tab.convert(in)
			}
		})
		b.Run(c.name+"/opencc", func(b *testing.B) {
			cc, _ := opencc.New("t2s")
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				cc.Convert(c.text)
			}
		})
	}
}
