package search

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"answerbook/qa"
)

// Bounds on what a query may hold. A user's text never becomes a regexp,
// wildcard or field query; these caps bound the number of clauses, so a
// search costs milliseconds whatever is typed.
const (
	MaxQueryLen  = 500 // characters
	maxWords     = 32
	maxPhrases   = 8
	maxExcluded  = 8
	maxQueryTags = 5
)

// Parsed is a user's query text taken apart: plain words, "exact phrases",
// -excluded words or phrases, and tag:名字 filters.
type Parsed struct {
	Words    []string
	Phrases  []string
	Excluded []string
	Tags     []string
	// Also are the tags the query's words name through synonyms
	// (expandSynonyms): their answers are found too.
	Also []string
	// TagAlso maps a tag: filter that is a synonym to its tag, which the
	// filter accepts too.
	TagAlso map[string]string
	// cross are the terms the zh↔en lexicon adds (crossTerms).
	cross []string
}

// Empty reports whether the query has nothing to match (it may still filter
// by tags).
func (p Parsed) Empty() bool { return len(p.Words) == 0 && len(p.Phrases) == 0 }

// ParseQuery parses the search syntax. Quotes delimit phrases (an unclosed
// quote runs to the end); a leading "-" excludes a word or phrase; "tag:x"
// filters by tag. Every other character is text, never syntax: there are no
// wildcards, regexps or field names. A query over MaxQueryLen characters,
// invalid UTF-8 or a bad tag is EINVALID; too many terms is EINVALID too.
func ParseQuery(s string) (Parsed, error) {
	var p Parsed
	if !utf8.ValidString(s) {
		return p, qa.E(qa.KeyQueryUTF8, nil)
	}
	if n := utf8.RuneCountInString(s); n > MaxQueryLen {
		return p, qa.E(qa.KeyQueryLong, qa.Args{"Got": n, "Max": MaxQueryLen})
	}
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			i++
			continue
		}
		neg := false
		if r == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) {
			neg = true
			i++
		}
		if i < len(rs) && (rs[i] == '"' || rs[i] == '“' || rs[i] == '”' || rs[i] == '「') {
			j := i + 1
			for j < len(rs) && rs[j] != '"' && rs[j] != '”' && rs[j] != '“' && rs[j] != '」' {
				j++
			}
			phrase := strings.TrimSpace(string(rs[i+1 : min(j, len(rs))]))
			i = j + 1
			if phrase == "" {
				continue
			}
			if neg {
				p.Excluded = append(p.Excluded, phrase)
			} else {
				p.Phrases = append(p.Phrases, phrase)
			}
			continue
		}
		j := i
		for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '"' && rs[j] != '“' {
			j++
		}
		word := string(rs[i:j])
		i = j
		if !neg && len(word) > 4 && strings.EqualFold(word[:4], "tag:") {
			t, err := qa.NormalizeTag(word[4:])
			if err != nil {
				return p, err
			}
			p.Tags = append(p.Tags, t)
			continue
		}
		if strings.Trim(word, "-") == "" {
			continue
		}
		if neg {
			p.Excluded = append(p.Excluded, word)
		} else {
			p.Words = append(p.Words, word)
		}
	}
	switch {
	case len(p.Words) > maxWords:
		return p, qa.E(qa.KeyQueryWords, qa.Args{"Max": maxWords})
	case len(p.Phrases) > maxPhrases:
		return p, qa.E(qa.KeyQueryPhrases, qa.Args{"Max": maxPhrases})
	case len(p.Excluded) > maxExcluded:
		return p, qa.E(qa.KeyQueryExcluded, qa.Args{"Max": maxExcluded})
	case len(p.Tags) > maxQueryTags:
		return p, qa.E(qa.KeyQueryTags, qa.Args{"Max": maxQueryTags})
	}
	return p, nil
}

// maxAlso bounds the tags a query's synonyms add.
const maxAlso = 8

// expandSynonyms applies the expert's synonyms (synonym → tag) to a parsed
// query: a word equal to a synonym ("Stake" for stake), or a Chinese word
// holding a Chinese synonym ("质押怎么算" or 質押怎麼算 holds 质押), also finds the
// synonym's tag, as a tag and as a word; a tag: filter naming a synonym
// accepts its tag too. Nothing is taken away: the query still matches what
// it matched before.
func (p *Parsed) expandSynonyms(syn map[string]string) {
	if len(syn) == 0 {
		return
	}
	seen := map[string]bool{}
	add := func(tag string) {
		if !seen[tag] && len(p.Also) < maxAlso {
			seen[tag] = true
			p.Also = append(p.Also, tag)
		}
	}
	var han []string // the Chinese synonyms, found inside words
	for s := range syn {
		if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
			han = append(han, s)
		}
	}
	sort.Strings(han)
	for _, w := range p.Words {
		lw := strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
		if t, ok := syn[lw]; ok {
			add(t)
			continue
		}
		// In either script: 質押怎麼算 holds 质押.
		lw = toSimplified(lw)
		for _, s := range han {
			if strings.Contains(lw, toSimplified(s)) {
				add(syn[s])
			}
		}
	}
	for _, t := range p.Tags {
		if c, ok := syn[t]; ok {
			if p.TagAlso == nil {
				p.TagAlso = map[string]string{}
			}
			p.TagAlso[t] = c
		}
	}
}
