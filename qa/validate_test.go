package qa_test

import (
	"errors"
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

// TestValidate_Keys: validation errors carry their key and a field key as
// Field, with the English text they always had.
func TestValidate_Keys(t *testing.T) {
	long := strings.Repeat("x", qa.MaxTitleLen+1)
	for _, c := range []struct {
		name  string
		err   error
		key   qa.Key
		field string
		msg   string
	}{
		{"title required", second(qa.NormalizeTitle("  ")), qa.KeyRequired, "title", "title is required"},
		{"title long", second(qa.NormalizeTitle(long)), qa.KeyTooLong, "title", "title must be at most 200 characters (got 201)"},
		{"name NUL", second(qa.NormalizeName("a\x00b")), qa.KeyNUL, "name", "name contains a NUL character"},
		{"name UTF-8", second(qa.NormalizeName("\xff")), qa.KeyNotUTF8, "name", "name is not valid UTF-8"},
		{"email required", third(qa.NormalizeEmail(" ")), qa.KeyRequired, "email", "email is required"},
		{"email long", third(qa.NormalizeEmail(strings.Repeat("a", 250) + "@b.com")), qa.KeyEmailLong, "", "email must be at most 254 bytes"},
		{"email invalid", third(qa.NormalizeEmail("nobody")), qa.KeyEmailInvalid, "", `email "nobody" is not a valid address`},
		{"tag empty", second(qa.NormalizeTag(" ")), qa.KeyTagEmpty, "", "tags must not be empty"},
		{"tag long", second(qa.NormalizeTag(strings.Repeat("a", 33))), qa.KeyTagLong, "", `tag "` + strings.Repeat("a", 33) + `" is longer than 32 characters`},
		{"tag chars", second(qa.NormalizeTag("a/b")), qa.KeyTagChars, "", `tag "a/b" contains "/"; tags may hold letters, digits and - _ . + #`},
		{"tags many", second(qa.NormalizeTags([]string{"a", "b", "c", "d", "e", "f"})), qa.KeyTagsMany, "", "at most 5 tags (got 6)"},
		{"tags far too many", second(qa.NormalizeTags(make([]string, 21))), qa.KeyTagsMany, "", "at most 5 tags"},
	} {
		if !errors.Is(c.err, qa.E(c.key, nil)) || qa.ErrorMessage(c.err) != c.msg {
			t.Errorf("%s: %v, want %s %q", c.name, c.err, c.key, c.msg)
			continue
		}
		if c.field != "" && qa.ErrorArgs(c.err)["Field"] != c.field {
			t.Errorf("%s: Field %v, want %q", c.name, qa.ErrorArgs(c.err)["Field"], c.field)
		}
	}
}

// The body of a question is the field key question_body, said "question
// body" in English.
func TestValidate_FieldKey(t *testing.T) {
	e := openSQLite(t, qa.Config{QuestionQuota: -1})
	expert := e.member(t, "Expert", qa.RoleExpert)
	title, qbody := "t", strings.Repeat("x", qa.MaxBodyLen+1)
	_, err := e.CreateAnswer(e.ctx, as(expert), qa.AnswerCreate{Title: &title, QuestionBody: &qbody, Body: "b", Tags: []string{}})
	if !errors.Is(err, qa.E(qa.KeyTooLong, nil)) || qa.ErrorArgs(err)["Field"] != "question_body" ||
		qa.ErrorMessage(err) != "question body must be at most 20000 characters (got 20001)" {
		t.Fatalf("%v (args %v)", err, qa.ErrorArgs(err))
	}
}

func second[T any](_ T, err error) error { return err }

func third[T, U any](_ T, _ U, err error) error { return err }
