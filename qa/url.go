package qa

import (
	"strconv"
	"strings"
)

// AnswerPath is the site's path of an answer's page, "/answers/{id}": the
// one spelling of an answer's address, for links, redirects, feeds,
// webhooks, oEmbed and search hits.
func AnswerPath(id int64) string { return "/answers/" + strconv.FormatInt(id, 10) }

// AnswerURL is the absolute URL of an answer's page on the site at base
// (its public address, "https://answers.example.com"; a trailing slash is
// dropped).
func AnswerURL(base string, id int64) string { return strings.TrimRight(base, "/") + AnswerPath(id) }
