package qa_test

import (
	"errors"
	"testing"

	"answerbook/qa"
)

// wantKey fails unless err is an error of key whose English text is msg
// ("" for no error).
func wantKey(t *testing.T, what string, err error, key qa.Key, msg string) {
	t.Helper()
	if key == "" {
		if err != nil {
			t.Errorf("%s: %v, want no error", what, err)
		}
		return
	}
	if !errors.Is(err, qa.E(key, nil)) || qa.ErrorMessage(err) != msg {
		t.Errorf("%s: %v, want %s %q", what, err, key, msg)
	}
}

func TestNewPage(t *testing.T) {
	for _, c := range []struct {
		page, perPage int
		want          qa.Page
		key           qa.Key
		msg           string
	}{
		{0, 0, qa.Page{Page: 1, PerPage: qa.DefaultPerPage}, "", ""},
		{3, 50, qa.Page{Page: 3, PerPage: 50}, "", ""},
		{qa.MaxPage, qa.MaxPerPage, qa.Page{Page: qa.MaxPage, PerPage: qa.MaxPerPage}, "", ""},
		{qa.MaxPage + 1, 0, qa.Page{}, qa.KeyPage, "page must be between 1 and 10000"},
		{-1, 0, qa.Page{}, qa.KeyPage, "page must be between 1 and 10000"},
		{1, qa.MaxPerPage + 1, qa.Page{}, qa.KeyPerPage, "per_page must be between 1 and 100"},
		{1, -5, qa.Page{}, qa.KeyPerPage, "per_page must be between 1 and 100"},
	} {
		p, err := qa.NewPage(c.page, c.perPage)
		wantKey(t, "NewPage", err, c.key, c.msg)
		if c.key == "" && p != c.want {
			t.Errorf("NewPage(%d, %d) = %+v, want %+v", c.page, c.perPage, p, c.want)
		}
	}
}

func TestNewSearchPage(t *testing.T) {
	for _, c := range []struct {
		page, perPage int
		want          qa.Page
		key           qa.Key
		msg           string
	}{
		{0, 0, qa.Page{Page: 1, PerPage: qa.DefaultPerPage}, "", ""},
		{500, 20, qa.Page{Page: 500, PerPage: 20}, "", ""},
		{501, 20, qa.Page{}, qa.KeyPage, "page must be between 1 and 500"},
		{100, 100, qa.Page{Page: 100, PerPage: 100}, "", ""},
		{101, 100, qa.Page{}, qa.KeyPage, "page must be between 1 and 100"},
		// 30 a page: page 334 still starts within the first 10000 hits.
		{334, 30, qa.Page{Page: 334, PerPage: 30}, "", ""},
		{335, 30, qa.Page{}, qa.KeyPage, "page must be between 1 and 334"},
		{-1, 20, qa.Page{}, qa.KeyPage, "page must be between 1 and 500"},
		{1, 101, qa.Page{}, qa.KeyPerPage, "per_page must be between 1 and 100"},
		{qa.MaxPage + 1, 101, qa.Page{}, qa.KeyPerPage, "per_page must be between 1 and 100"},
	} {
		p, err := qa.NewSearchPage(c.page, c.perPage)
		wantKey(t, "NewSearchPage", err, c.key, c.msg)
		if c.key == "" && p != c.want {
			t.Errorf("NewSearchPage(%d, %d) = %+v, want %+v", c.page, c.perPage, p, c.want)
		}
	}
}

func TestParsePage(t *testing.T) {
	for _, c := range []struct {
		page, perPage string
		want          qa.Page
		key           qa.Key
		msg           string
	}{
		{"", "", qa.Page{}, "", ""},
		{"2", "50", qa.Page{Page: 2, PerPage: 50}, "", ""},
		// Bounds are the user's (NewPage, NewSearchPage), not the parser's.
		{"20000", "1000", qa.Page{Page: 20000, PerPage: 1000}, "", ""},
		{"abc", "", qa.Page{}, qa.KeyWholeNumber, "page must be a whole number"},
		{"1", "1.5", qa.Page{}, qa.KeyWholeNumber, "per_page must be a whole number"},
		{"1234567890", "", qa.Page{}, qa.KeyWholeNumber, "page must be a whole number"},
		{"0", "", qa.Page{}, qa.KeyPageStart, "page and per_page start at 1"},
		{"", "-3", qa.Page{}, qa.KeyPageStart, "page and per_page start at 1"},
	} {
		p, err := qa.ParsePage(c.page, c.perPage)
		wantKey(t, "ParsePage("+c.page+", "+c.perPage+")", err, c.key, c.msg)
		if c.key == "" && p != c.want {
			t.Errorf("ParsePage(%q, %q) = %+v, want %+v", c.page, c.perPage, p, c.want)
		}
	}
}
