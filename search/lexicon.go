package search

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Cross-language expansion: a query's Chinese words add their English
// equivalents and its English words their Chinese ones, through a small
// lexicon derived from CC-CEDICT (cedict/zh-en.tsv, CC BY-SA 4.0, made by
// cedict/derive.py). The added terms weigh crossWeight of the query's own:
// they find answers in the other language, and rank below an answer that
// has the query's own words.

//go:embed cedict/zh-en.tsv
var lexiconTSV string

// crossWeight weighs a term the lexicon adds.
const crossWeight = 0.3

// maxCross bounds the words the lexicon adds to one query.
const maxCross = 12

// lexicon maps Simplified words to English glosses and the analysed form of
// English glosses (stems, space-separated) to Simplified words.
type lexicon struct {
	zhEn   map[string][]string
	enZh   map[string][]string
	maxEnW int // words in the longest gloss
}

// theLexicon is the lexicon, read at the first use (see
// TestLexicon_StartCost for its cost).
var theLexicon = sync.OnceValue(loadLexicon)

func loadLexicon() *lexicon {
	l := &lexicon{zhEn: map[string][]string{}, enZh: map[string][]string{}}
	for line := range strings.SplitSeq(lexiconTSV, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		zh, en, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		l.zhEn[zh] = append(l.zhEn[zh], en)
		key := stemKey(en)
		if key == "" {
			continue
		}
		l.enZh[key] = append(l.enZh[key], zh)
		l.maxEnW = max(l.maxEnW, strings.Count(key, " ")+1)
	}
	return l
}

// stemKey is the analysed form of English text: its terms joined by spaces.
func stemKey(en string) string {
	var b strings.Builder
	for _, tok := range analyze(en) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.Write(tok.Term)
	}
	return b.String()
}

// crossText returns the other language's words for the words of a query:
// Chinese words (the longest lexicon word at each position of a run of Han
// characters) give their English glosses, English words and two-word
// phrases their Chinese words; at most maxCross, space-separated.
func crossText(words []string) string {
	l := theLexicon()
	var out []string
	seen := map[string]bool{}
	add := func(ws []string) {
		for _, w := range ws {
			if len(out) < maxCross && !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	var latin []string
	flush := func() {
		// English: two-word phrases first, then single words.
		for n := min(l.maxEnW, 2); n >= 1; n-- {
			for i := 0; i+n <= len(latin); i++ {
				add(l.enZh[strings.Join(latin[i:i+n], " ")])
			}
		}
		latin = latin[:0]
	}
	for _, w := range words {
		w = toSimplified(w)
		rs := []rune(w)
		for i := 0; i < len(rs); {
			if !unicode.Is(unicode.Han, rs[i]) {
				i++
				continue
			}
			j := i
			for j < len(rs) && unicode.Is(unicode.Han, rs[j]) {
				j++
			}
			// The longest lexicon word at each position of the run.
			for k := i; k < j; {
				n := min(4, j-k)
				for ; n >= 2; n-- {
					if en, ok := l.zhEn[string(rs[k:k+n])]; ok {
						add(en)
						break
					}
				}
				if n < 2 {
					n = 1
				}
				k += n
			}
			i = j
		}
		if strings.IndexFunc(w, func(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) }) >= 0 {
			for _, tok := range analyze(w) {
				if !isHan(tok.Term) {
					latin = append(latin, string(tok.Term))
				}
			}
		} else {
			flush()
		}
	}
	flush()
	return strings.Join(out, " ")
}

// crossTerms are the index terms of crossText(words) that own (the query's
// own terms) does not have; single Han characters are left out (the
// lexicon's words are what it adds).
func crossTerms(words, own []string) []string {
	text := crossText(words)
	if text == "" {
		return nil
	}
	var out []string
	for _, t := range without(analyzeTerms(text, 4*maxCross), own) {
		if !isHanChar(t) {
			out = append(out, t)
		}
	}
	return out
}
