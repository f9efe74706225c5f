package web

// SetSitemapPageSize makes sitemaps hold at most n URLs a page, until the
// returned function restores the protocol's limit (tests, which run one at
// a time in this package, use it to see an index).
func SetSitemapPageSize(n int) (restore func()) {
	old := sitemapPageSize
	sitemapPageSize = n
	return func() { sitemapPageSize = old }
}
