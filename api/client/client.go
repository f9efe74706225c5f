// Package client is a small typed Go client for the answerbook JSON API
// (/api/v1). It depends on nothing but the standard library.
//
//	c := client.New("https://answers.example.com", os.Getenv("ANSWERBOOK_TOKEN"))
//	res, err := c.Search(ctx, client.SearchParams{Q: "如何准备面试"})
//	for _, h := range res.Hits { fmt.Println(h.Title, h.URL) }
//
// Errors from the server are *Error values carrying the API's code.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls one answerbook site with one token.
type Client struct {
	base  string
	token string
	// HTTP is the underlying client; New sets one with a 30 s timeout.
	HTTP *http.Client
}

// New returns a client for the site at baseURL (e.g. "https://answers.example.com")
// authenticating with token ("" for a visitor).
func New(baseURL, token string) *Client {
	return &Client{base: strings.TrimRight(baseURL, "/"), token: token, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// Error is an error answered by the API.
type Error struct {
	Status  int    // HTTP status
	Code    string `json:"code"`    // invalid, unauthorized, forbidden, not_found, conflict, too_large, rate_limited, internal
	Message string `json:"message"` // in English
	// Key is the message's stable key (e.g. "err.too_long") and Args its
	// values, for showing the error in another language.
	Key  string         `json:"key"`
	Args map[string]any `json:"args"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("answerbook: %d %s: %s", e.Status, e.Code, e.Message)
}

// IsCode reports whether err is an API error with the code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// Answer is a published answer. Body fields are empty when only the teaser
// may be shown (Full false).
type Answer struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Question struct {
		ID       int64  `json:"id"`
		Title    string `json:"title"`
		Body     string `json:"body"`
		BodyHTML string `json:"body_html"`
	} `json:"question"`
	BodyHTML     string     `json:"body_html"`
	BodyMarkdown string     `json:"body_markdown"`
	Excerpt      string     `json:"excerpt"`
	Tags         []string   `json:"tags"`
	Public       bool       `json:"public"`
	Full         bool       `json:"full"`
	PublishedAt  time.Time  `json:"published_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	ReviewedAt   *time.Time `json:"reviewed_at"`
	URL          string     `json:"url"`
	SourceID     *string    `json:"source_id"`
}

// Ref points to an answer.
type Ref struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
}

// Question is a question as its asker and the expert see it.
type Question struct {
	ID            int64     `json:"id"`
	Title         string    `json:"title"`
	Body          string    `json:"body"`
	BodyHTML      string    `json:"body_html"`
	Tags          []string  `json:"tags"`
	Anonymous     bool      `json:"anonymous"`
	Status        string    `json:"status"`
	DeclineReason string    `json:"decline_reason"`
	DuplicateOf   *Ref      `json:"duplicate_of"`
	Answer        *Ref      `json:"answer"`
	AskedAt       time.Time `json:"asked_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// TagCount is a tag with its number of answers.
type TagCount struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

// Hit is a search result; Snippet is HTML whose only tags are <mark>.
type Hit struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Snippet     string    `json:"snippet"`
	Tags        []string  `json:"tags"`
	PublishedAt time.Time `json:"published_at"`
	URL         string    `json:"url"`
	Score       float64   `json:"score"`
	SourceID    *string   `json:"source_id"`
}

// SearchResult is a page of hits.
type SearchResult struct {
	Total  int   `json:"total"`
	Hits   []Hit `json:"hits"`
	Facets struct {
		Tags []TagCount `json:"tags"`
	} `json:"facets"`
}

// List is a page of items with the total.
type List[T any] struct {
	Total int `json:"total"`
	Items []T `json:"items"`
}

// Me describes whom the token stands for.
type Me struct {
	ID          int64   `json:"id"`
	Email       string  `json:"email"`
	Name        string  `json:"name"`
	Role        string  `json:"role"`
	ActiveUntil *string `json:"active_until"`
	Active      bool    `json:"active"`
	Scope       string  `json:"scope"`
}

// SearchParams are a search's parameters.
type SearchParams struct {
	Q       string
	Tags    []string
	Newest  bool
	Page    int
	PerPage int
}

// Ask is a new question.
type Ask struct {
	Title     string   `json:"title"`
	Body      string   `json:"body,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	Anonymous bool     `json:"anonymous,omitempty"`
}

// AnswerWrite publishes or edits an answer; nil fields are left alone.
type AnswerWrite struct {
	Title        *string   `json:"title,omitempty"`
	QuestionBody *string   `json:"question_body,omitempty"`
	Body         *string   `json:"body,omitempty"`
	Tags         *[]string `json:"tags,omitempty"`
	Public       *bool     `json:"public,omitempty"`
	Published    *bool     `json:"published,omitempty"`
}

// Me returns whom the token stands for.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	var out Me
	return &out, c.do(ctx, http.MethodGet, "/me", nil, nil, &out)
}

// Search searches the archive.
func (c *Client) Search(ctx context.Context, p SearchParams) (*SearchResult, error) {
	q := url.Values{}
	if p.Q != "" {
		q.Set("q", p.Q)
	}
	for _, t := range p.Tags {
		q.Add("tag", t)
	}
	if p.Newest {
		q.Set("sort", "newest")
	}
	setPage(q, p.Page, p.PerPage)
	var out SearchResult
	return &out, c.do(ctx, http.MethodGet, "/search", q, nil, &out)
}

// Similar returns answers similar to a question being written.
func (c *Client) Similar(ctx context.Context, title, body string, n int) (*SearchResult, error) {
	q := url.Values{"q": {title}}
	if body != "" {
		q.Set("body", body)
	}
	if n > 0 {
		q.Set("per_page", strconv.Itoa(n))
	}
	var out SearchResult
	return &out, c.do(ctx, http.MethodGet, "/similar", q, nil, &out)
}

// Answers lists published answers, newest first (teasers).
func (c *Client) Answers(ctx context.Context, tag string, page, perPage int) (*List[Answer], error) {
	q := url.Values{}
	if tag != "" {
		q.Set("tag", tag)
	}
	setPage(q, page, perPage)
	var out List[Answer]
	return &out, c.do(ctx, http.MethodGet, "/answers", q, nil, &out)
}

// Answer returns one answer.
func (c *Client) Answer(ctx context.Context, id int64) (*Answer, error) {
	var out Answer
	return &out, c.do(ctx, http.MethodGet, "/answers/"+strconv.FormatInt(id, 10), nil, nil, &out)
}

// Tags returns the tags with their counts.
func (c *Client) Tags(ctx context.Context) ([]TagCount, error) {
	var out []TagCount
	return out, c.do(ctx, http.MethodGet, "/tags", nil, nil, &out)
}

// Ask asks a question.
func (c *Client) Ask(ctx context.Context, a Ask) (*Question, error) {
	var out Question
	return &out, c.do(ctx, http.MethodPost, "/questions", nil, a, &out)
}

// Questions lists the caller's questions (the expert's: everyone's).
func (c *Client) Questions(ctx context.Context, status string, page, perPage int) (*List[Question], error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	setPage(q, page, perPage)
	var out List[Question]
	return &out, c.do(ctx, http.MethodGet, "/questions", q, nil, &out)
}

// Question returns one question.
func (c *Client) Question(ctx context.Context, id int64) (*Question, error) {
	var out Question
	return &out, c.do(ctx, http.MethodGet, "/questions/"+strconv.FormatInt(id, 10), nil, nil, &out)
}

// Queue lists pending questions (expert).
func (c *Client) Queue(ctx context.Context, tag string, newest bool, page, perPage int) (*List[Question], error) {
	q := url.Values{}
	if tag != "" {
		q.Set("tag", tag)
	}
	if newest {
		q.Set("sort", "newest")
	}
	setPage(q, page, perPage)
	var out List[Question]
	return &out, c.do(ctx, http.MethodGet, "/queue", q, nil, &out)
}

// AnswerQuestion publishes the expert's answer to a pending question.
func (c *Client) AnswerQuestion(ctx context.Context, id int64, w AnswerWrite) (*Answer, error) {
	var out Answer
	return &out, c.do(ctx, http.MethodPost, "/questions/"+strconv.FormatInt(id, 10)+"/answer", nil, w, &out)
}

// Decline declines a pending question with a reason (expert).
func (c *Client) Decline(ctx context.Context, id int64, reason string) (*Question, error) {
	var out Question
	return &out, c.do(ctx, http.MethodPost, "/questions/"+strconv.FormatInt(id, 10)+"/decline", nil, map[string]string{"reason": reason}, &out)
}

// MarkDuplicate closes a pending question as a duplicate of an answer (expert).
func (c *Client) MarkDuplicate(ctx context.Context, id, answerID int64) (*Question, error) {
	var out Question
	return &out, c.do(ctx, http.MethodPost, "/questions/"+strconv.FormatInt(id, 10)+"/duplicate", nil, map[string]int64{"answer_id": answerID}, &out)
}

// Withdraw takes back the caller's pending question.
func (c *Client) Withdraw(ctx context.Context, id int64) (*Question, error) {
	var out Question
	return &out, c.do(ctx, http.MethodPost, "/questions/"+strconv.FormatInt(id, 10)+"/withdraw", nil, nil, &out)
}

// UpdateAnswer edits a published answer (expert).
func (c *Client) UpdateAnswer(ctx context.Context, id int64, w AnswerWrite) (*Answer, error) {
	var out Answer
	return &out, c.do(ctx, http.MethodPut, "/answers/"+strconv.FormatInt(id, 10), nil, w, &out)
}

// Raw calls any API route (path below /api/v1) with a JSON body and decodes
// the JSON answer into out: for routes without a typed method.
func (c *Client) Raw(ctx context.Context, method, path string, in, out any) error {
	return c.do(ctx, method, path, nil, in, out)
}

func setPage(q url.Values, page, perPage int) {
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if perPage > 0 {
		q.Set("per_page", strconv.Itoa(perPage))
	}
}

// do sends one request and decodes the JSON answer into out.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	u := c.base + "/api/v1" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return err
	}
	if res.StatusCode >= 400 {
		var e struct {
			Error Error `json:"error"`
		}
		if json.Unmarshal(raw, &e) != nil || e.Error.Code == "" {
			return &Error{Status: res.StatusCode, Code: "internal", Message: strings.TrimSpace(string(raw))}
		}
		e.Error.Status = res.StatusCode
		return &e.Error
	}
	if out == nil || len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, out)
}
