package qa_test

import (
	"strings"
	"testing"

	"answerbook/qa"
)

func TestNormalizeTag(t *testing.T) {
	tests := []struct {
		in, want, code string
	}{
		{"Go", "go", ""},
		{"  System Design  ", "system-design", ""},
		{"面试", "面试", ""},
		{"机器 学习", "机器-学习", ""},
		{"C++", "c++", ""},
		{"C#", "c#", ""},
		{"Ünïcode", "ünïcode", ""},
		{"", "", qa.EINVALID},
		{"   ", "", qa.EINVALID},
		{strings.Repeat("a", 32), strings.Repeat("a", 32), ""},
		{strings.Repeat("a", 33), "", qa.EINVALID},
		{strings.Repeat("标", 32), strings.Repeat("标", 32), ""},
		{strings.Repeat("标", 33), "", qa.EINVALID},
		{"a/b", "", qa.EINVALID},
		{"<script>", "", qa.EINVALID},
		{"a\x00b", "", qa.EINVALID},
		{"\xff", "", qa.EINVALID},
	}
	for _, tt := range tests {
		got, err := qa.NormalizeTag(tt.in)
		if qa.ErrorCode(err) != tt.code || got != tt.want {
			t.Errorf("NormalizeTag(%q) = %q, %v; want %q, code %q", tt.in, got, err, tt.want, tt.code)
		}
	}
}

func TestNormalizeTags(t *testing.T) {
	got, err := qa.NormalizeTags([]string{"Go", "go", "面试", " GO "})
	if err != nil || strings.Join(got, ",") != "go,面试" {
		t.Fatalf("NormalizeTags = %v, %v", got, err)
	}
	if _, err := qa.NormalizeTags([]string{"a", "b", "c", "d", "e", "f"}); qa.ErrorCode(err) != qa.EINVALID {
		t.Fatalf("six tags: %v", err)
	}
}

func TestNormalizeTitle(t *testing.T) {
	tests := []struct {
		in, want, code string
	}{
		{"  How do I prepare for a system design interview?  ", "How do I prepare for a system design interview?", ""},
		{"如何准备 system design 面试", "如何准备 system design 面试", ""},
		{"line\nbreak\t\ttab", "line break tab", ""},
		{"", "", qa.EINVALID},
		{" \n ", "", qa.EINVALID},
		{strings.Repeat("题", 200), strings.Repeat("题", 200), ""},
		{strings.Repeat("题", 201), "", qa.EINVALID},
		{"bad \xc3\x28 utf8", "", qa.EINVALID},
	}
	for _, tt := range tests {
		got, err := qa.NormalizeTitle(tt.in)
		if qa.ErrorCode(err) != tt.code || got != tt.want {
			t.Errorf("NormalizeTitle(%q) = %q, %v; want %q, code %q", tt.in, got, err, tt.want, tt.code)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, key, code string
	}{
		{"Ann@Example.COM", "ann@example.com", ""},
		{" li.lei@example.cn ", "li.lei@example.cn", ""},
		{"not an email", "", qa.EINVALID},
		{"Ann <ann@example.com>", "", qa.EINVALID},
		{"", "", qa.EINVALID},
		{"a@b", "", qa.EINVALID},
	}
	for _, tt := range tests {
		_, key, err := qa.NormalizeEmail(tt.in)
		if qa.ErrorCode(err) != tt.code || key != tt.key {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q, code %q", tt.in, key, err, tt.key, tt.code)
		}
	}
}
