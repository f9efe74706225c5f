package qa

import "strconv"

// Paging bounds: the one place that says how far lists and searches page.
// The store's lists check them (NewPage), searches too (NewSearchPage), and
// the adapters read a request's paging with ParsePage.
const (
	// DefaultPerPage is the page size when none is asked for.
	DefaultPerPage = 20
	// MaxPerPage is the largest page of any list or search.
	MaxPerPage = 100
	// MaxPage is the last page number of any list.
	MaxPage = 10000
	// MaxSearchHits is how deep a search pages: its pages end with the page
	// that holds hit number MaxSearchHits. A search engine ranks every hit
	// before the page asked for, which a database's ordered index does not.
	MaxSearchHits = 10000
)

// Page is a page request of a list: Page from 1, PerPage 1–MaxPerPage. The
// zero value asks for the first page of DefaultPerPage.
type Page struct {
	Page    int
	PerPage int
}

// withDefaults fills 0 (not asked for) with the defaults.
func (p Page) withDefaults() Page {
	if p.Page == 0 {
		p.Page = 1
	}
	if p.PerPage == 0 {
		p.PerPage = DefaultPerPage
	}
	return p
}

// NewPage returns the page of a list for page and perPage (0 means the
// default: the first page, DefaultPerPage). A page outside 1–MaxPage is
// EINVALID (KeyPage), a size outside 1–MaxPerPage too (KeyPerPage).
func NewPage(page, perPage int) (Page, error) {
	p := Page{Page: page, PerPage: perPage}.withDefaults()
	if p.Page < 1 || p.Page > MaxPage {
		return p, E(KeyPage, Args{"Max": MaxPage})
	}
	if p.PerPage < 1 || p.PerPage > MaxPerPage {
		return p, E(KeyPerPage, Args{"Max": MaxPerPage})
	}
	return p, nil
}

// NewSearchPage is NewPage for a search, whose pages end at MaxSearchHits:
// a size outside 1–MaxPerPage is EINVALID (KeyPerPage), and so is a page
// that starts after hit MaxSearchHits (KeyPage, with the last page for this
// size).
func NewSearchPage(page, perPage int) (Page, error) {
	p := Page{Page: page, PerPage: perPage}.withDefaults()
	if p.PerPage < 1 || p.PerPage > MaxPerPage {
		return p, E(KeyPerPage, Args{"Max": MaxPerPage})
	}
	if last := (MaxSearchHits + p.PerPage - 1) / p.PerPage; p.Page < 1 || p.Page > last {
		return p, E(KeyPage, Args{"Max": last})
	}
	return p, nil
}

// ParsePage reads the paging of a request, page and per_page as the request
// gives them ("" when absent: the default). A value that is not a whole
// number is EINVALID (KeyWholeNumber), one below 1 too (KeyPageStart). The
// bounds are checked where the page is used: NewPage by the store's lists,
// NewSearchPage by searches.
func ParsePage(page, perPage string) (Page, error) {
	var p Page
	var err error
	if p.Page, err = pageNumber("page", page); err != nil {
		return Page{}, err
	}
	if p.PerPage, err = pageNumber("per_page", perPage); err != nil {
		return Page{}, err
	}
	if page != "" && p.Page < 1 || perPage != "" && p.PerPage < 1 {
		return Page{}, E(KeyPageStart, nil)
	}
	return p, nil
}

// pageNumber reads one paging parameter: 0 when absent.
func pageNumber(name, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || len(s) > 9 {
		return 0, E(KeyWholeNumber, Args{"Name": name})
	}
	return n, nil
}

// normalize checks p as a page of a list (NewPage).
func (p Page) normalize() (Page, error) { return NewPage(p.Page, p.PerPage) }

// offset is how many items come before the page.
func (p Page) offset() int { return (p.Page - 1) * p.PerPage }
