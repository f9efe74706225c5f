package search

import (
	"html"
	"sort"
	"strings"
	"unicode/utf8"

	bsearch "github.com/blevesearch/bleve/v2/search"
)

// span is a matched range of a stored text, in bytes.
type span struct {
	start, end int
	term       string
}

// snippetOf makes the snippet of a hit: the passage of about snippetRunes
// characters with the most distinct matched terms, from the answer body, else
// the question, else the title; everything HTML-escaped and the matches in
// <mark>. With no match (a tag-only search) it is the start of the body.
func snippetOf(h *bsearch.DocumentMatch) string {
	bestField := snippetField(h)
	if bestField == "" {
		for _, f := range []string{fieldBody, fieldQuestion, fieldTitle} {
			if text, _ := h.Fields[f].(string); text != "" {
				return cut(text, 0, snippetRunes)
			}
		}
		return ""
	}
	text, _ := h.Fields[bestField].(string)
	// Single Han characters are indexed for recall; when a character pair
	// matched, marking every lone 血 or 高 in the text is noise.
	pairs := false
	for term := range h.Locations[bestField] {
		if utf8.RuneCountInString(term) == 2 && isHan([]byte(term)) {
			pairs = true
			break
		}
	}
	var spans []span
	for term, locs := range h.Locations[bestField] {
		if pairs && isHanChar(term) {
			continue
		}
		for _, l := range locs {
			if int(l.End) <= len(text) && l.Start < l.End {
				spans = append(spans, span{int(l.Start), int(l.End), term})
			}
		}
	}
	return markSnippet(text, spans, snippetRunes)
}

// snippetField is the text field a hit's snippet comes from: the one with
// the most distinct matched terms, the body first among equals; "" when no
// term matched.
func snippetField(h *bsearch.DocumentMatch) string {
	bestField, bestDistinct := "", 0
	for _, f := range []string{fieldBody, fieldQuestion, fieldTitle} {
		if n := len(h.Locations[f]); n > bestDistinct {
			bestField, bestDistinct = f, n
		}
	}
	return bestField
}

// markSnippet picks the window of about n runes holding the most distinct
// terms and renders it with <mark>.
func markSnippet(text string, spans []span, n int) string {
	if len(spans) == 0 {
		return cut(text, 0, n)
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	// Merge overlapping spans (Han bigrams and their characters overlap).
	merged := spans[:1]
	for _, s := range spans[1:] {
		last := &merged[len(merged)-1]
		if s.start <= last.end {
			if s.end > last.end {
				last.end = s.end
			}
			if !strings.Contains(last.term, s.term) {
				last.term += "\x00" + s.term
			}
			continue
		}
		merged = append(merged, s)
	}
	maxBytes := 3 * n // a rough byte budget; the cut below counts runes
	bestStart, bestScore := 0, -1
	for i := range merged {
		seen := map[string]bool{}
		for j := i; j < len(merged) && merged[j].end-merged[i].start <= maxBytes; j++ {
			for _, t := range strings.Split(merged[j].term, "\x00") {
				seen[t] = true
			}
		}
		if len(seen) > bestScore {
			bestStart, bestScore = i, len(seen)
		}
	}
	// Begin a little before the first match, at a rune boundary.
	from := merged[bestStart].start
	back := 0
	for from > 0 && back < 30 {
		_, size := utf8.DecodeLastRuneInString(text[:from])
		from -= size
		back++
	}
	return cutMarked(text, from, n, merged[bestStart:])
}

// cut renders n runes of text from byte from, escaped, with ellipses.
func cut(text string, from, n int) string { return cutMarked(text, from, n, nil) }

func cutMarked(text string, from, n int, marks []span) string {
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	pos, runes := from, 0
	for _, m := range marks {
		if m.start < pos {
			continue
		}
		for pos < m.start && runes < n {
			_, size := utf8.DecodeRuneInString(text[pos:])
			pos += size
			runes++
		}
		if runes >= n {
			break
		}
		b.WriteString(html.EscapeString(text[from:pos]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[m.start:m.end]))
		b.WriteString("</mark>")
		runes += utf8.RuneCountInString(text[m.start:m.end])
		pos, from = m.end, m.end
	}
	for pos < len(text) && runes < n {
		_, size := utf8.DecodeRuneInString(text[pos:])
		pos += size
		runes++
	}
	b.WriteString(html.EscapeString(text[from:pos]))
	if pos < len(text) {
		b.WriteString("…")
	}
	return b.String()
}
