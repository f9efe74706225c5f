package search_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"answerbook/qa"
	"answerbook/search"
)

// FuzzParseQuery: the query parser never panics, accepts or refuses with
// invalid, and what it accepts stays within the bounds (no syntax of
// unbounded cost reaches the index).
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{
		`如何准备 "system design" 面试 -java tag:面试`, `"unclosed phrase`, `-"x y"`, `tag:`, `TAG:Go`,
		`*`, `a*b?c`, `/regex.*/`, `field:value`, `a~2`, `(a OR b) AND c`, `+a -b`, `""""`, `“中文引号”`,
		strings.Repeat("词 ", 40), strings.Repeat("a", 501), "\xff\xfe", "tag:a/b", "- - -",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, q string) {
		p, err := search.ParseQuery(q)
		if err != nil {
			if qa.ErrorCode(err) != qa.EINVALID {
				t.Fatalf("ParseQuery(%q) = %v", q, err)
			}
			return
		}
		if !utf8.ValidString(q) || utf8.RuneCountInString(q) > search.MaxQueryLen {
			t.Fatalf("ParseQuery(%q) accepted an invalid or over-long query", q)
		}
		if len(p.Words) > 32 || len(p.Phrases) > 8 || len(p.Excluded) > 8 || len(p.Tags) > 5 {
			t.Fatalf("ParseQuery(%q) = %+v: over the bounds", q, p)
		}
		for _, tag := range p.Tags {
			if n, err := qa.NormalizeTag(tag); err != nil || n != tag {
				t.Fatalf("ParseQuery(%q): tag %q not normalised", q, tag)
			}
		}
	})
}
