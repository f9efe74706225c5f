package search

import (
	"sync"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// Traditional → Simplified Chinese. Every text is analysed in Simplified
// characters (documents and queries alike), so that 高血壓 finds 高血压 and
// back. The conversion is OpenCC's t2s (github.com/longbridgeapp/opencc,
// its TSPhrases and TSCharacters dictionaries), done here with tables read
// once from the library's dictionaries: the library's own Convert allocates
// per character, which would double the cost of indexing, while most text
// has no Traditional character at all and must cost one pass over its
// bytes.
//
// The conversion keeps every character's UTF-8 length, so the offsets of
// the terms stay those of the stored text (snippets mark the right words):
// the few entries whose two sides differ in length (rare characters whose
// Simplified form is outside the Basic Multilingual Plane, 二噁英) are left
// out.

// maxPhraseRunes is the longest phrase looked up (as the library does).
const maxPhraseRunes = 10

// t2sTable is the conversion read from OpenCC's t2s dictionaries.
type t2sTable struct {
	// chars maps a Traditional character to its Simplified one.
	chars map[rune]rune
	// phrases maps a phrase's first character to its phrases (longest
	// first), each with its Simplified form.
	phrases map[rune][]t2sPhrase
	// mark has a bit for every rune that starts a conversion (a key of
	// chars or the first character of a phrase): text without a marked
	// rune is returned as it is.
	mark []uint64
}

type t2sPhrase struct{ from, to string }

func (t *t2sTable) marked(r rune) bool {
	i := int(r) >> 6
	return i < len(t.mark) && t.mark[i]&(1<<(uint(r)&63)) != 0
}

func (t *t2sTable) setMark(r rune) {
	i := int(r) >> 6
	for len(t.mark) <= i {
		t.mark = append(t.mark, 0)
	}
	t.mark[i] |= 1 << (uint(r) & 63)
}

// t2s is the table, built at the first use (see BenchmarkT2SStart for its
// cost).
var t2s = sync.OnceValues(loadT2S)

func loadT2S() (*t2sTable, error) {
	cc, err := opencc.New("t2s")
	if err != nil {
		return nil, err
	}
	t := &t2sTable{chars: map[rune]rune{}, phrases: map[rune][]t2sPhrase{}}
	// t2s is one group: TSPhrases, then TSCharacters.
	for _, g := range cc.DictChains {
		for _, d := range g.Dicts {
			for _, id := range d.Trie.PrefixPredict(nil, 0) {
				k, err := d.Trie.Key(id)
				if err != nil {
					return nil, err
				}
				v, err := d.Trie.Value(id)
				if err != nil {
					return nil, err
				}
				if v < 0 || v >= len(d.Values) || len(d.Values[v]) == 0 {
					continue
				}
				from, to := string(k), d.Values[v][0]
				if from == to || len(from) != len(to) || !sameRuneSizes(from, to) {
					continue
				}
				first, n := utf8.DecodeRuneInString(from)
				if n == len(from) {
					if _, ok := t.chars[first]; !ok {
						t.chars[first], _ = utf8.DecodeRuneInString(to)
					}
				} else if utf8.RuneCountInString(from) <= maxPhraseRunes {
					t.phrases[first] = append(t.phrases[first], t2sPhrase{from, to})
				}
				t.setMark(first)
			}
		}
	}
	for _, ps := range t.phrases {
		// Longest first: the longest phrase at a position wins.
		for i := 1; i < len(ps); i++ {
			for j := i; j > 0 && len(ps[j].from) > len(ps[j-1].from); j-- {
				ps[j], ps[j-1] = ps[j-1], ps[j]
			}
		}
	}
	return t, nil
}

// sameRuneSizes reports whether a and b have the same number of runes, each
// of the same UTF-8 length.
func sameRuneSizes(a, b string) bool {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if na != nb || ra == utf8.RuneError || rb == utf8.RuneError {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return a == "" && b == ""
}

// convert returns in with its Traditional characters and phrases made
// Simplified, of the same length; in itself (not a copy) when nothing
// changes.
func (t *t2sTable) convert(in []byte) []byte {
	var out []byte // allocated at the first change
	for i := 0; i < len(in); {
		r, n := utf8.DecodeRune(in[i:])
		if !t.marked(r) {
			i += n
			continue
		}
		from, to := "", ""
		for _, p := range t.phrases[r] {
			if len(in)-i >= len(p.from) && string(in[i:i+len(p.from)]) == p.from {
				from, to = p.from, p.to
				break
			}
		}
		if from == "" {
			if s, ok := t.chars[r]; ok {
				from, to = string(r), string(s)
			}
		}
		if from == "" {
			i += n
			continue
		}
		if out == nil {
			out = append(make([]byte, 0, len(in)), in...)
		}
		copy(out[i:], to)
		i += len(from)
	}
	if out == nil {
		return in
	}
	return out
}

// simplifiedFilter is the analyzer's character filter: Traditional text
// becomes Simplified before it is split into terms.
type simplifiedFilter struct{ t *t2sTable }

func (f simplifiedFilter) Filter(in []byte) []byte { return f.t.convert(in) }

// toSimplified converts a string (for matching outside the analyzer, as
// the synonyms of a query's words).
func toSimplified(s string) string {
	t, err := t2s()
	if err != nil {
		return s
	}
	return string(t.convert([]byte(s)))
}
