package search

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// Analyzer names registered with bleve. An index stores the names in its
// mapping, so a name is never reused for a different chain: a changed chain
// gets a new name and the index is rebuilt (see mappingVersion).
const (
	// textAnalyzer is for every text field: Chinese and English, also mixed
	// in one text. Words are split on Unicode word boundaries; full-width
	// forms are folded; English possessives and stop words are dropped and
	// English words stemmed (Snowball); runs of Han characters become
	// overlapping bigrams plus their single characters ("准备面试" → 准备 备面
	// 面试 and 准 备 面 试), so a query finds both words and single-character
	// terms. Traditional Chinese is read as Simplified first (OpenCC t2s,
	// script.go): 高血壓 and 高血压 are the same terms.
	textAnalyzer = "answerbook_text_v2"
)

func init() {
	register(textAnalyzer, true)
}

func register(name string, unigrams bool) {
	err := registry.RegisterAnalyzer(name, func(config map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
		tok, err := cache.TokenizerNamed(unicode.Name)
		if err != nil {
			return nil, err
		}
		t2s, err := t2s()
		if err != nil {
			return nil, err
		}
		var filters []analysis.TokenFilter
		for _, n := range []string{cjk.WidthName, en.PossessiveName, lowercase.Name, en.StopName} {
			f, err := cache.TokenFilterNamed(n)
			if err != nil {
				return nil, err
			}
			filters = append(filters, f)
		}
		filters = append(filters, cjk.NewCJKBigramFilter(unigrams))
		stem, err := cache.TokenFilterNamed(en.SnowballStemmerName)
		if err != nil {
			return nil, err
		}
		filters = append(filters, stem)
		return &analysis.DefaultAnalyzer{CharFilters: []analysis.CharFilter{simplifiedFilter{t2s}}, Tokenizer: tok, TokenFilters: filters}, nil
	})
	if err != nil {
		panic(err)
	}
}
