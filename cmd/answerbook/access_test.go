package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

	"answerbook/internal/imagetest"
	"answerbook/internal/server"
	"answerbook/qa"
)

// Who sees what: every route the router serves × every kind of caller, with
// the status each must get and the member-only text each may (or must not)
// see. The routes come from the router itself, so a new route without a
// rule here fails the test, and so does a rule for a route that is gone.

// The callers of the matrix.
const (
	accVisitor = iota // nobody signed in
	accExpired        // a member whose membership ended (session)
	accMember         // member A, the asker of the pending question (session)
	accOther          // member B, active, not the asker (session)
	accExpert         // the expert (session)
	accRead           // member A's read token
	accWrite          // member A's write token
	accRevoked        // member A's revoked token
	accRoles
)

var accRoleNames = [accRoles]string{"visitor", "expired member", "member", "another member", "expert", "read token", "write token", "revoked token"}

// Member-only text. The answer markers sit in the member-only answer's body
// (past its teaser) and its question's body; the question markers in member
// A's pending question (title, body, tag). accTeaser is the member-only
// answer's title word and tag: shown on that answer's own teaser, but never
// in a list, count, facet or feed of someone who may not read it.
const (
	accAnsEN  = "zebracorn"
	accAnsZH  = "机密标记"
	accQEN    = "quaggaplum"
	accQZH    = "待答私问"
	accTeaser = "ocelotteaser"
)

var (
	accAnswerMarkers   = []string{accAnsEN, accAnsZH}
	accQuestionMarkers = []string{accQEN, accQZH}
	accTeaserMarkers   = []string{accTeaser}
)

// accSet is a set of callers.
type accSet uint16

func accOf(roles ...int) accSet {
	var s accSet
	for _, r := range roles {
		s |= 1 << r
	}
	return s
}

func (s accSet) has(role int) bool { return s&(1<<role) != 0 }

var (
	accEveryone = accSet(1<<accRoles - 1)
	// Those who may read the whole archive through the API, and through the
	// pages (which ignore bearer tokens: a token caller is a visitor there).
	accAPIReaders = accOf(accMember, accOther, accExpert, accRead, accWrite)
	accWebReaders = accOf(accMember, accOther, accExpert)
	// Those who may see member A's pending question through the API.
	accAPIAsker = accOf(accMember, accExpert, accRead, accWrite)
)

// accLogin as a wanted status means: 303 to the sign-in page.
const accLogin = -303

// accWant lists the wanted status of each caller, in accRoles order.
type accWant [accRoles]int

func accAll(s int) accWant { return accWant{s, s, s, s, s, s, s, s} }

// accAPI is an API route: a revoked token is always 401.
func accAPI(visitor, expired, member, other, expert, read, write int) accWant {
	return accWant{visitor, expired, member, other, expert, read, write, http.StatusUnauthorized}
}

// accAPIAll is an API route every caller with valid credentials may use.
func accAPIAll(s int) accWant { return accAPI(s, s, s, s, s, s, s) }

// accWeb is a page: pages ignore bearer tokens, so token callers are
// visitors there.
func accWeb(visitor, expired, member, other, expert int) accWant {
	return accWant{visitor, expired, member, other, expert, visitor, visitor, visitor}
}

// accCheck is an extra check of a cell's response.
type accCheck func(w *accWorld, role int, body string) error

// accProbe is one request a rule makes as every caller.
type accProbe struct {
	// path, with {pub}, {priv}, {missing}, {pending}, {hook}, {expired},
	// {static} for the fixture's ids, and {newq} (a fresh pending question
	// of member A), {newtok} (a fresh token of the expert), {newhook} (a
	// fresh webhook) made anew for each cell, for routes that use them up.
	path string
	// body is JSON for the API, a form (url-encoded) for the pages.
	body string
	form bool
	// bodyFor, when set, makes each caller's body instead.
	bodyFor func(role int) string
	// feed appends the caller's feed token (?token=).
	feed bool
	// freshSession signs the caller in anew for this cell (sign-out).
	freshSession bool
	want         accWant
	// Markers: the callers in must see them (on a 2xx), those in may
	// might, everyone else must not, whatever the status.
	ans, ansMay       accSet
	q, qMay           accSet
	teaser, teaserMay accSet
	// echo is text of the request the page shows back (a search's words):
	// it is cut out before markers are looked for.
	echo   string
	checks []accCheck
}

// accWorld is the running program with its callers and data.
type accWorld struct {
	m     *Main
	ctx   context.Context
	store *qa.Store
	http  *http.Client

	expert, member, other, expired *qa.Member
	pub, priv                      *qa.Answer
	pending                        *qa.Question
	hook                           int64
	static                         string
	// Images: one the public answer shows, one only the member-only
	// answer shows, one no answer uses yet (URLs).
	pubImg, privImg, unusedImg string

	session [accRoles]string
	bearer  [accRoles]string
	feed    [accRoles]string
	fresh   int
}

// accSeed starts the program with the expert, members A, B and an expired
// one, a public answer, a member-only one, and A's pending question.
func accSeed(t *testing.T) *accWorld {
	t.Helper()
	m, _ := startMain(t, t.TempDir())
	w := &accWorld{m: m, ctx: context.Background(), store: m.Store, http: &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	sys := qa.System()
	until := time.Now().AddDate(1, 0, 0)
	past := time.Date(2020, 1, 31, 0, 0, 0, 0, time.UTC)
	var err error
	mk := func(email, name string, role qa.Role, until *time.Time) *qa.Member {
		t.Helper()
		mb, err := w.store.CreateMember(w.ctx, sys, qa.MemberCreate{Email: email, Name: name, Role: role, ActiveUntil: until})
		if err != nil {
			t.Fatal(err)
		}
		return mb
	}
	w.expert = mk("acc-expert@example.com", "专家", qa.RoleExpert, nil)
	w.member = mk("acc-member@example.com", "Member A", qa.RoleMember, &until)
	w.other = mk("acc-other@example.com", "Member B", qa.RoleMember, &until)
	w.expired = mk("acc-expired@example.com", "Lapsed", qa.RoleMember, &past)

	xa := qa.Actor{Member: w.expert, Scope: qa.ScopeWrite}
	for _, im := range []struct {
		url  *string
		data []byte
	}{{&w.pubImg, imagetest.PNG(12, 8, 1)}, {&w.privImg, imagetest.PNG(12, 8, 2)}, {&w.unusedImg, imagetest.WebP}} {
		img, err := w.store.SaveImage(w.ctx, xa, im.data)
		if err != nil {
			t.Fatal(err)
		}
		*im.url = img.URL()
	}
	pubTitle := "How to renew a harbour permit 港口许可证如何续签"
	w.pub, err = w.store.CreateAnswer(w.ctx, xa, qa.AnswerCreate{
		Title: &pubTitle, Tags: []string{"港口"}, Public: true,
		Body: "Bring your passport to the harbour office. 带上护照去港口办公室办理续签，一般需要两周。" +
			strings.Repeat("The harbour office opens at nine. ", 4) + "\n\n![](" + w.pubImg + ")",
	})
	if err != nil {
		t.Fatal(err)
	}
	privTitle := "Harbour pilot salary negotiation " + accTeaser + " 港口引航员薪资谈判"
	qbody := "Asked by a member: " + accAnsEN + " " + accAnsZH + "."
	// The markers close a long body: the teaser (its opening, at most half
	// of it) never reaches them.
	privBody := strings.Repeat("A harbour pilot negotiates salary with care; 引航员谈判薪资要谨慎。 ", 8) +
		"\n\nThe member-only clause: " + accAnsEN + ". 会员专属条款：" + accAnsZH + "。\n\n![](" + w.privImg + ")"
	w.priv, err = w.store.CreateAnswer(w.ctx, xa, qa.AnswerCreate{
		Title: &privTitle, QuestionBody: &qbody, Body: privBody, Tags: []string{"港口", accTeaser}, Public: false,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, mk := range accAnswerMarkers {
		if strings.Contains(w.priv.Excerpt, mk) {
			t.Fatalf("fixture: the teaser holds the marker %q: %q", mk, w.priv.Excerpt)
		}
	}
	w.pending, err = w.store.CreateQuestion(w.ctx, qa.Actor{Member: w.member, Scope: qa.ScopeWrite}, qa.QuestionCreate{
		Title: "My contract " + accQEN + " " + accQZH, Body: "Private details: " + accQEN + "，" + accQZH + "。", Tags: []string{accQEN},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.m.Index.WaitFor(w.ctx, w.priv.ChangeSeq); err != nil {
		t.Fatal(err)
	}
	hook, err := w.store.CreateWebhook(w.ctx, sys, qa.WebhookCreate{URL: "http://127.0.0.1:9/acc-hook", Events: []string{qa.EventAnswerUpdated}})
	if err != nil {
		t.Fatal(err)
	}
	w.hook = hook.ID

	// Credentials.
	for role, mb := range map[int]*qa.Member{accExpired: w.expired, accMember: w.member, accOther: w.other, accExpert: w.expert} {
		if w.session[role], err = w.store.CreateSession(w.ctx, mb.ID); err != nil {
			t.Fatal(err)
		}
		if w.feed[role], err = w.store.CreateFeedToken(w.ctx, qa.Actor{Member: mb, Scope: qa.ScopeWrite}); err != nil {
			t.Fatal(err)
		}
	}
	tok := func(scope qa.Scope) (string, int64) {
		t.Helper()
		raw, tk, err := w.store.CreateToken(w.ctx, sys, w.member.ID, qa.TokenCreate{Label: "acc " + string(scope), Scope: scope})
		if err != nil {
			t.Fatal(err)
		}
		return raw, tk.ID
	}
	w.bearer[accRead], _ = tok(qa.ScopeRead)
	w.bearer[accWrite], _ = tok(qa.ScopeWrite)
	var revoked int64
	w.bearer[accRevoked], revoked = tok(qa.ScopeWrite)
	if err := w.store.RevokeToken(w.ctx, sys, revoked); err != nil {
		t.Fatal(err)
	}
	// An API token is no feed token; member A's replaced feed token is dead.
	w.feed[accRead], w.feed[accWrite] = w.bearer[accRead], w.bearer[accWrite]
	w.feed[accRevoked] = w.feed[accMember]
	if w.feed[accMember], err = w.store.CreateFeedToken(w.ctx, qa.Actor{Member: w.member, Scope: qa.ScopeWrite}); err != nil {
		t.Fatal(err)
	}

	// The hashed name of a static file, from the home page.
	_, _, home := w.send(t, accVisitor, "GET", "/", "", false, nil)
	sm := regexp.MustCompile(`href="/static/([^"]+\.css)"`).FindStringSubmatch(home)
	if sm == nil {
		t.Fatal("no stylesheet on the home page")
	}
	w.static = sm[1]
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, _, _ := w.send(t, accVisitor, "GET", "/readyz", "", false, nil)
		if st == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz: %d", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return w
}

// send makes a request as a caller: its session cookie or bearer token.
func (w *accWorld) send(t *testing.T, role int, method, path, body string, form bool, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	return w.sendAs(t, w.session[role], w.bearer[role], method, path, body, form, hdr)
}

// sendAs makes a request with the given session cookie and bearer token.
func (w *accWorld) sendAs(t *testing.T, cookie, bearer, method, path, body string, form bool, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, w.m.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		if form {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: cookie})
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := w.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return res.StatusCode, res.Header, string(raw)
}

// expand fills a probe's path for one cell, making fresh resources where
// the path asks for them.
func (w *accWorld) expand(t *testing.T, path string) string {
	t.Helper()
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	r := strings.NewReplacer("{base}", w.m.URL(), "{pub}", id(w.pub.ID), "{priv}", id(w.priv.ID), "{missing}", "987654321",
		"{pending}", id(w.pending.ID), "{hook}", id(w.hook), "{expired}", id(w.expired.ID), "{static}", w.static,
		"{pubimg}", w.pubImg, "{privimg}", w.privImg, "{unusedimg}", w.unusedImg)
	path = r.Replace(path)
	w.fresh++
	if strings.Contains(path, "{newq}") {
		q, err := w.store.CreateQuestion(w.ctx, qa.Actor{Member: w.member, Scope: qa.ScopeWrite},
			qa.QuestionCreate{Title: fmt.Sprintf("Throwaway question %d", w.fresh)})
		if err != nil {
			t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "{newq}", id(q.ID))
	}
	if strings.Contains(path, "{newtok}") {
		_, tk, err := w.store.CreateToken(w.ctx, qa.System(), w.expert.ID, qa.TokenCreate{Label: fmt.Sprintf("throwaway %d", w.fresh)})
		if err != nil {
			t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "{newtok}", id(tk.ID))
	}
	if strings.Contains(path, "{newhook}") {
		h, err := w.store.CreateWebhook(w.ctx, qa.System(), qa.WebhookCreate{URL: "http://127.0.0.1:9/throwaway", Events: []string{qa.EventAnswerUpdated}})
		if err != nil {
			t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "{newhook}", id(h.ID))
	}
	return path
}

// run makes a probe's request as one caller and checks the response.
func (w *accWorld) run(t *testing.T, route string, p accProbe, role int) {
	t.Helper()
	path := w.expand(t, p.path)
	if p.feed && w.feed[role] != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "token=" + url.QueryEscape(w.feed[role])
	}
	method, _, _ := strings.Cut(route, " ")
	cookie, bearer := w.session[role], w.bearer[role]
	if p.freshSession && cookie != "" {
		var mb *qa.Member
		switch role {
		case accExpired:
			mb = w.expired
		case accMember:
			mb = w.member
		case accOther:
			mb = w.other
		case accExpert:
			mb = w.expert
		}
		var err error
		if cookie, err = w.store.CreateSession(w.ctx, mb.ID); err != nil {
			t.Fatal(err)
		}
	}
	body := p.body
	if p.bodyFor != nil {
		body = p.bodyFor(role)
	}
	status, hdr, got := w.sendAs(t, cookie, bearer, method, path, body, p.form, nil)
	name := fmt.Sprintf("%s %s as %s", method, path, accRoleNames[role])
	want := p.want[role]
	switch {
	case want == accLogin:
		if status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/login") {
			t.Errorf("%s: %d to %q, want 303 to the sign-in page", name, status, hdr.Get("Location"))
		}
	case status != want:
		t.Errorf("%s: status %d, want %d; body %.300q", name, status, want, got)
	}
	ok := status >= 200 && status < 300
	text := accCutEcho(got, p.echo)
	for _, g := range []struct {
		what      string
		markers   []string
		must, may accSet
	}{
		{"member-only answer text", accAnswerMarkers, p.ans, p.ansMay},
		{"pending question text", accQuestionMarkers, p.q, p.qMay},
		{"member-only answer's title or tag", accTeaserMarkers, p.teaser, p.teaserMay},
	} {
		for _, mk := range g.markers {
			has := strings.Contains(text, mk)
			switch {
			case ok && g.must.has(role):
				if !has {
					t.Errorf("%s: %s %q missing, though this caller may see it", name, g.what, mk)
				}
			case g.must.has(role) || g.may.has(role):
				// An error page may show the caller's own form again.
			case has:
				t.Errorf("%s (status %d): %s %q shown to a caller who may not see it: %s", name, status, g.what, mk, accAround(text, mk))
			}
		}
	}
	if ok && status == want {
		for _, c := range p.checks {
			if err := c(w, role, got); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}

// accSelfLinks are a page's links and fields that hold a path of the site:
// the page's own address (sign-in next=, the language switch) among them.
var accSelfLinks = regexp.MustCompile(`(?:href|value)="/[^"]*"`)

// accCutEcho removes from a page the forms in which it shows back the
// request's own words: in its links to itself, its search box, its title.
func accCutEcho(body, echo string) string {
	if echo == "" {
		return body
	}
	body = accSelfLinks.ReplaceAllString(body, "")
	q := url.QueryEscape(echo)
	for _, f := range []string{q, strings.ReplaceAll(q, "+", "%20"), strings.ReplaceAll(q, "+", "&#43;"), url.PathEscape(echo), html.EscapeString(echo), echo} {
		body = strings.ReplaceAll(body, f, "")
	}
	return body
}

// accAround quotes the text around a marker, for failure messages.
func accAround(s, mk string) string {
	i := strings.Index(s, mk)
	lo, hi := max(0, i-120), min(len(s), i+len(mk)+60)
	for lo > 0 && !utf8.RuneStart(s[lo]) {
		lo--
	}
	for hi < len(s) && !utf8.RuneStart(s[hi]) {
		hi++
	}
	return strconv.Quote(s[lo:hi])
}

// accTotal checks a JSON list's or search's total: in for readers, out for
// everyone else.
func accTotal(readers accSet, in, out int) accCheck {
	return func(_ *accWorld, role int, body string) error {
		var v struct{ Total *int }
		if err := json.Unmarshal([]byte(body), &v); err != nil || v.Total == nil {
			return fmt.Errorf("no total in %.200q", body)
		}
		want := out
		if readers.has(role) {
			want = in
		}
		if *v.Total != want {
			return fmt.Errorf("total %d, want %d (the count must be of what this caller may see)", *v.Total, want)
		}
		return nil
	}
}

// accListsPriv checks whether a JSON list (key "hits" or "items") holds the
// member-only answer: it must for readers and must not for anyone else.
func accListsPriv(readers accSet, key string) accCheck {
	return func(w *accWorld, role int, body string) error {
		var v map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			return fmt.Errorf("not JSON: %.200q", body)
		}
		var items []struct{ ID int64 }
		if err := json.Unmarshal(v[key], &items); err != nil {
			return fmt.Errorf("no %s in %.200q", key, body)
		}
		found := false
		for _, it := range items {
			found = found || it.ID == w.priv.ID
		}
		if found != readers.has(role) {
			return fmt.Errorf("member-only answer listed: %v, want %v", found, readers.has(role))
		}
		return nil
	}
}

// accSnippet checks that readers' search hits show word in a snippet.
func accSnippet(readers accSet, word string) accCheck {
	return func(w *accWorld, role int, body string) error {
		if !readers.has(role) {
			return nil
		}
		var v struct{ Hits []struct{ Snippet string } }
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			return err
		}
		for _, h := range v.Hits {
			if strings.Contains(h.Snippet, word) {
				return nil
			}
		}
		return fmt.Errorf("no snippet shows %q: %.300q", word, body)
	}
}

// accFull checks the "full" flag of an answer: true for readers only.
func accFull(readers accSet) accCheck {
	return func(_ *accWorld, role int, body string) error {
		var v struct{ Full bool }
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			return err
		}
		if v.Full != readers.has(role) {
			return fmt.Errorf("full = %v, want %v", v.Full, readers.has(role))
		}
		return nil
	}
}

// accLinksPriv checks whether a page links the member-only answer in a
// list: readers must see the link, nobody else.
func accLinksPriv(readers accSet) accCheck {
	return func(w *accWorld, role int, body string) error {
		has := strings.Contains(body, fmt.Sprintf(`href="/answers/%d"`, w.priv.ID))
		if has != readers.has(role) {
			return fmt.Errorf("page links the member-only answer: %v, want %v", has, readers.has(role))
		}
		return nil
	}
}

// accPageCount checks the count a search page states.
func accPageCount(readers accSet, echo string, in, out int) accCheck {
	return func(_ *accWorld, role int, body string) error {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		if err != nil {
			return err
		}
		h := accCutEcho(doc.Find("#results-h").Text(), echo)
		n := regexp.MustCompile(`[0-9]+`).FindString(h)
		want := out
		if readers.has(role) {
			want = in
		}
		if n != strconv.Itoa(want) {
			return fmt.Errorf("the page says %q, want a count of %d", h, want)
		}
		return nil
	}
}

// accSitemapPriv checks that a sitemap lists the member-only answer's page
// (its teaser, while teasers are on) beside the public one.
func accSitemapPriv(w *accWorld, _ int, body string) error {
	if !strings.Contains(body, fmt.Sprintf("/answers/%d</loc>", w.priv.ID)) || !strings.Contains(body, fmt.Sprintf("/answers/%d</loc>", w.pub.ID)) {
		return fmt.Errorf("sitemap lacks an answer: %.300q", body)
	}
	return nil
}

// accEntries checks how many entries a feed holds.
func accEntries(readers accSet, in, out int) accCheck {
	return func(_ *accWorld, role int, body string) error {
		n := strings.Count(body, "<entry>") + strings.Count(body, "<entry ") // entries carry xml:lang
		want := out
		if readers.has(role) {
			want = in
		}
		if n != want {
			return fmt.Errorf("%d feed entries, want %d", n, want)
		}
		return nil
	}
}

// accRules is the rule table: for every route ("METHOD /pattern" as the
// router names it), the probes every caller makes.
func accRules() map[string][]accProbe {
	const (
		u  = http.StatusUnauthorized
		f  = http.StatusForbidden
		nf = http.StatusNotFound
		bd = http.StatusBadRequest
		ok = http.StatusOK
		cr = http.StatusCreated
		nc = http.StatusNoContent
		so = http.StatusSeeOther
		lg = accLogin
	)
	expertAPI := func(s int) accWant { return accAPI(u, f, f, f, s, f, f) }
	expertWeb := func(visitor, s int) accWant { return accWeb(visitor, f, f, f, s) }
	signedWeb := func(visitor, s int) accWant { return accWeb(visitor, s, s, s, s) }
	form := func(v url.Values) string { return v.Encode() }
	searchWords := accTeaser + " " + accAnsEN + " " + accAnsZH
	return map[string][]accProbe{
		// The JSON API.
		"OPTIONS /api/v1/*path": {{path: "/api/v1/answers", want: accAPIAll(nc)}},
		"GET /api/v1/me":        {{path: "/api/v1/me", want: accAPI(u, ok, ok, ok, ok, ok, ok)}},
		"GET /api/v1/answers": {
			{path: "/api/v1/answers", want: accAPIAll(ok), teaser: accAPIReaders,
				checks: []accCheck{accTotal(accAPIReaders, 2, 1), accListsPriv(accAPIReaders, "items")}},
			{path: "/api/v1/answers?tag=" + accTeaser, want: accAPIAll(ok), teaser: accAPIReaders,
				checks: []accCheck{accTotal(accAPIReaders, 1, 0)}},
		},
		"POST /api/v1/answers": {{path: "/api/v1/answers", body: `{}`, want: expertAPI(bd)}},
		"GET /api/v1/answers/:id": {
			{path: "/api/v1/answers/{pub}", want: accAPIAll(ok)},
			{path: "/api/v1/answers/{priv}", want: accAPIAll(ok), ans: accAPIReaders, teaser: accAPIReaders, teaserMay: accEveryone,
				checks: []accCheck{accFull(accAPIReaders)}},
			{path: "/api/v1/answers/{missing}", want: accAPIAll(nf)},
		},
		"PUT /api/v1/answers/:id":           {{path: "/api/v1/answers/{priv}", body: `{"body":""}`, want: expertAPI(bd)}},
		"POST /api/v1/answers/:id/reviewed": {{path: "/api/v1/answers/{missing}/reviewed", want: expertAPI(nf)}},
		"GET /api/v1/answers/:id/revisions": {{path: "/api/v1/answers/{priv}/revisions", want: expertAPI(ok), ans: accOf(accExpert), teaser: accOf(accExpert)}},
		"GET /api/v1/tags":                  {{path: "/api/v1/tags", want: accAPIAll(ok), teaser: accAPIReaders}},
		// Restoring a revision (of an answer that is not there: nothing changes).
		"POST /api/v1/answers/:id/revisions/:rev/restore": {{path: "/api/v1/answers/{missing}/revisions/1/restore", want: expertAPI(nf)}},
		// Images: only the expert uploads (JSON is no image: 400); an image
		// is as visible as the answers that show it (API credentials or the
		// session), one no answer uses is the expert's alone.
		"POST /api/v1/images": {{path: "/api/v1/images", body: `{}`, want: expertAPI(bd)}},
		"GET /images/:file": {
			{path: "{pubimg}", want: accAPIAll(ok)},
			{path: "{privimg}", want: accAPI(f, f, ok, ok, ok, ok, ok)},
			{path: "{unusedimg}", want: accAPI(nf, nf, nf, nf, ok, nf, nf)},
			{path: "/images/" + strings.Repeat("ab", 32) + ".png", want: accAPIAll(nf)},
		},
		// The expert's care of tags: descriptions and synonyms anyone may
		// read (for any name, so nothing tells a member-only tag exists);
		// only the expert's write changes them.
		"GET /api/v1/tags/:tag":          {{path: "/api/v1/tags/" + url.PathEscape("港口"), want: accAPIAll(ok)}, {path: "/api/v1/tags/" + accTeaser, want: accAPIAll(ok), echo: accTeaser}, {path: "/api/v1/tags/nosuchtag", want: accAPIAll(ok)}},
		"PUT /api/v1/tags/:tag":          {{path: "/api/v1/tags/" + url.PathEscape("港口"), body: `{"description":"` + strings.Repeat("x", qa.MaxTagDescription+1) + `"}`, want: expertAPI(bd)}},
		"GET /api/v1/tags/:tag/synonyms": {{path: "/api/v1/tags/" + url.PathEscape("港口") + "/synonyms", want: accAPIAll(ok)}},
		"PUT /api/v1/tags/:tag/synonyms": {{path: "/api/v1/tags/" + url.PathEscape("港口") + "/synonyms", body: `{"synonyms":["a/b"]}`, want: expertAPI(bd)}},
		"POST /api/v1/tags/:tag/rename":  {{path: "/api/v1/tags/" + url.PathEscape("港口") + "/rename", body: `{"to":"港口"}`, want: expertAPI(bd)}},
		"POST /api/v1/tags/:tag/merge":   {{path: "/api/v1/tags/" + url.PathEscape("港口") + "/merge", body: `{"into":"港口"}`, want: expertAPI(bd)}},
		"GET /api/v1/search": {
			{path: "/api/v1/search?q=" + accAnsEN, want: accAPIAll(ok), ansMay: accAPIReaders, teaserMay: accAPIReaders,
				checks: []accCheck{accTotal(accAPIReaders, 1, 0), accListsPriv(accAPIReaders, "hits"), accSnippet(accAPIReaders, accAnsEN)}},
			{path: "/api/v1/search?q=" + url.QueryEscape(accAnsZH), want: accAPIAll(ok), ansMay: accAPIReaders, teaserMay: accAPIReaders,
				checks: []accCheck{accTotal(accAPIReaders, 1, 0), accListsPriv(accAPIReaders, "hits"), accSnippet(accAPIReaders, accAnsZH)}},
			{path: "/api/v1/search?q=harbour", want: accAPIAll(ok), ansMay: accAPIReaders, teaser: accAPIReaders,
				checks: []accCheck{accTotal(accAPIReaders, 2, 1), accListsPriv(accAPIReaders, "hits")}},
			{path: "/api/v1/search?q=" + url.QueryEscape("港口"), want: accAPIAll(ok), ansMay: accAPIReaders, teaser: accAPIReaders,
				checks: []accCheck{accTotal(accAPIReaders, 2, 1)}},
			{path: "/api/v1/search?q=" + accTeaser, want: accAPIAll(ok), ansMay: accAPIReaders, teaser: accAPIReaders,
				checks: []accCheck{accTotal(accAPIReaders, 1, 0)}},
			{path: "/api/v1/search?tag=" + accTeaser, want: accAPIAll(ok), ansMay: accAPIReaders, teaser: accAPIReaders,
				checks: []accCheck{accTotal(accAPIReaders, 1, 0)}},
			{path: "/api/v1/search?sort=newest", want: accAPIAll(ok), ansMay: accAPIReaders, teaser: accAPIReaders,
				checks: []accCheck{accTotal(accAPIReaders, 2, 1)}},
			// Questions are never searchable, not even by their asker.
			{path: "/api/v1/search?q=" + accQEN, want: accAPIAll(ok), checks: []accCheck{accTotal(0, 0, 0)}},
		},
		"GET /api/v1/similar": {
			// Similar returns strong matches only: the member-only
			// answer's title words find it (the public one shares only
			// "harbour", a weak match); its body's markers alone are a weak
			// match, left out for everyone.
			{path: "/api/v1/similar?q=" + url.QueryEscape("harbour pilot salary negotiation"), want: accAPIAll(ok), teaser: accAPIReaders,
				checks: []accCheck{accListsPriv(accAPIReaders, "hits"), accTotal(accAPIReaders, 1, 0)}},
			{path: "/api/v1/similar?q=" + url.QueryEscape(accAnsEN+" "+accAnsZH), want: accAPIAll(ok),
				checks: []accCheck{accTotal(accAPIReaders, 0, 0)}},
		},
		"POST /api/v1/questions": {{path: "/api/v1/questions", body: `{}`, want: accAPI(u, f, bd, bd, bd, f, bd)}},
		"GET /api/v1/questions": {{path: "/api/v1/questions", want: accAPI(u, ok, ok, ok, ok, ok, ok), q: accAPIAsker,
			// The expert lists every question, the FAQ entries' too.
			ansMay: accOf(accExpert), teaserMay: accOf(accExpert),
			checks: []accCheck{func(_ *accWorld, role int, body string) error {
				if role == accExpert { // the expert lists every question, FAQ entries' too
					return nil
				}
				return accTotal(accOf(accMember, accRead, accWrite), 1, 0)(nil, role, body)
			}}}},
		"GET /api/v1/questions/:id": {
			{path: "/api/v1/questions/{pending}", want: accAPI(u, nf, ok, nf, ok, ok, ok), q: accAPIAsker},
			{path: "/api/v1/questions/{missing}", want: accAPI(u, nf, nf, nf, nf, nf, nf)},
		},
		"POST /api/v1/questions/:id/answer":    {{path: "/api/v1/questions/{pending}/answer", body: `{"body":""}`, want: expertAPI(bd)}},
		"POST /api/v1/questions/:id/decline":   {{path: "/api/v1/questions/{pending}/decline", body: `{"reason":""}`, want: expertAPI(bd)}},
		"POST /api/v1/questions/:id/duplicate": {{path: "/api/v1/questions/{pending}/duplicate", body: `{"answer_id":987654321}`, want: expertAPI(bd)}},
		// Only the asker may withdraw (the expert declines instead).
		"POST /api/v1/questions/:id/withdraw": {{path: "/api/v1/questions/{newq}/withdraw", want: accAPI(u, nf, ok, nf, f, f, ok)}},
		"GET /api/v1/queue":                   {{path: "/api/v1/queue", want: expertAPI(ok), q: accOf(accExpert)}},
		// The dashboard's figures: counts, and the words of members'
		// searches that found nothing (which may be a marker the matrix
		// searched for): the expert's alone.
		"GET /api/v1/index/snapshot":    {{path: "/api/v1/index/snapshot", want: expertAPI(ok), qMay: accOf(accExpert), ansMay: accOf(accExpert), teaserMay: accOf(accExpert)}},
		"GET /api/v1/stats":             {{path: "/api/v1/stats", want: expertAPI(ok), qMay: accOf(accExpert), ansMay: accOf(accExpert), teaserMay: accOf(accExpert)}},
		"DELETE /api/v1/stats/searches": {{path: "/api/v1/stats/searches", want: expertAPI(ok)}},
		"GET /api/v1/tokens":            {{path: "/api/v1/tokens", want: accAPI(u, ok, ok, ok, ok, ok, ok)}},
		"POST /api/v1/tokens":           {{path: "/api/v1/tokens", body: `{"scope":"admin"}`, want: accAPI(u, bd, bd, bd, bd, f, bd)}},
		// Another member's token is not found, as if it did not exist.
		"DELETE /api/v1/tokens/:id": {{path: "/api/v1/tokens/{newtok}", want: accAPI(u, nf, nf, nf, nc, f, nf)}},
		// Each caller's own notifications: the expert's name the pending
		// question (new questions), nobody else's do.
		"GET /api/v1/notifications":           {{path: "/api/v1/notifications", want: accAPI(u, ok, ok, ok, ok, ok, ok), q: accOf(accExpert)}},
		"POST /api/v1/notifications/read":     {{path: "/api/v1/notifications/read", body: `{"ids":[987654321]}`, want: accAPI(u, ok, ok, ok, ok, ok, ok)}},
		"GET /api/v1/codes":                   {{path: "/api/v1/codes", want: expertAPI(ok)}},
		"POST /api/v1/codes":                  {{path: "/api/v1/codes", body: `{"days":0,"max_uses":1}`, want: expertAPI(bd)}},
		"DELETE /api/v1/codes/:id":            {{path: "/api/v1/codes/{missing}", want: expertAPI(nf)}},
		"POST /api/v1/embeds":                 {{path: "/api/v1/embeds", body: `{"answer_id":0}`, want: expertAPI(bd)}},
		"GET /api/v1/settings":                {{path: "/api/v1/settings", want: expertAPI(ok)}},
		"PUT /api/v1/settings":                {{path: "/api/v1/settings", body: `{"default_lang":"fr"}`, want: expertAPI(bd)}},
		"GET /api/v1/plans":                   {{path: "/api/v1/plans", want: accAPIAll(ok)}, {path: "/api/v1/plans?all=1", want: expertAPI(ok)}},
		"POST /api/v1/plans":                  {{path: "/api/v1/plans", body: `{"name_en":"x","amount":-1,"currency":"usd","period_days":30}`, want: expertAPI(bd)}},
		"PUT /api/v1/plans/:id":               {{path: "/api/v1/plans/{missing}", body: `{"active":false}`, want: expertAPI(nf)}},
		"GET /api/v1/webhooks":                {{path: "/api/v1/webhooks", want: expertAPI(ok)}},
		"POST /api/v1/webhooks":               {{path: "/api/v1/webhooks", body: `{"url":"ftp://example.com/x"}`, want: expertAPI(bd)}},
		"DELETE /api/v1/webhooks/:id":         {{path: "/api/v1/webhooks/{newhook}", want: expertAPI(nc)}},
		"GET /api/v1/webhooks/:id/deliveries": {{path: "/api/v1/webhooks/{hook}/deliveries", want: expertAPI(ok)}},
		// A read token may not rotate (nor see a secret): write rights only.
		"POST /api/v1/webhooks/:id/rotate":                         {{path: "/api/v1/webhooks/{newhook}/rotate", body: `{"overlap_hours":1000}`, want: expertAPI(bd)}},
		"POST /api/v1/webhooks/:id/deliveries/:delivery/redeliver": {{path: "/api/v1/webhooks/{hook}/deliveries/{missing}/redeliver", want: expertAPI(nf)}},
		"POST /api/v1/feed-token":                                  {{path: "/api/v1/feed-token", want: accAPI(u, cr, cr, cr, cr, f, cr)}},
		"DELETE /api/v1/feed-token":                                {{path: "/api/v1/feed-token", want: accAPI(u, nc, nc, nc, nc, f, nc)}},
		"GET /api/openapi.json":                                    {{path: "/api/openapi.json", want: accAll(ok)}},
		"GET /embed/answers/:id":                                   {{path: "/embed/answers/{pub}", want: accAPIAll(ok)}, {path: "/embed/answers/{priv}", want: accAPIAll(ok), teaserMay: accEveryone}, {path: "/embed/answers/{missing}", want: accAPIAll(nf)}},
		"GET /oembed": {
			{path: "/oembed?format=json&url={base}/answers/{pub}", want: accAPIAll(ok)},
			// The public may not see it: 401, whoever asks (an embed is for
			// another site's readers).
			{path: "/oembed?format=json&url={base}/answers/{priv}", want: accAll(u)},
			{path: "/oembed?url={base}/answers/{missing}", want: accAPIAll(nf)},
			{path: "/oembed?url=https://elsewhere.example/answers/{pub}", want: accAPIAll(nf)},
		},
		// Feeds authenticate by their own token only: without one they are
		// the public feed, whoever asks.
		"GET /feeds/answers.atom": {
			{path: "/feeds/answers.atom", want: accAll(ok), checks: []accCheck{accEntries(0, 0, 1)}},
			{path: "/feeds/answers.atom", feed: true, want: accWant{ok, ok, ok, ok, ok, u, u, u}, ans: accWebReaders, teaser: accWebReaders,
				checks: []accCheck{accEntries(accWebReaders, 2, 1)}},
		},
		"GET /feeds/tags/:file": {
			{path: "/feeds/tags/" + url.PathEscape("港口") + ".atom", want: accAll(ok), checks: []accCheck{accEntries(0, 0, 1)}},
			{path: "/feeds/tags/" + url.PathEscape("港口") + ".atom", feed: true, want: accWant{ok, ok, ok, ok, ok, u, u, u}, ans: accWebReaders, teaser: accWebReaders,
				checks: []accCheck{accEntries(accWebReaders, 2, 1)}},
			{path: "/feeds/tags/" + url.PathEscape("港口") + ".rss", want: accAll(nf)},
		},

		// The pages.
		"GET /embed.js":     {{path: "/embed.js", want: accAll(ok)}},
		"GET /static/:file": {{path: "/static/{static}", want: accAll(ok)}, {path: "/static/nothing.css", want: accAll(nf)}},
		// The storefront (teasers on, the default): everyone finds the
		// member-only answer's title and tag, links to it and counts it in
		// the pages' lists, never its text (no excerpt, no snippet).
		"GET /": {{path: "/", want: accAll(ok), teaser: accEveryone, checks: []accCheck{accLinksPriv(accEveryone)}}},
		"GET /search": {
			{path: "/search", want: accAll(ok), teaser: accEveryone},
			{path: "/search?q=harbour", want: accAll(ok), echo: "harbour", teaser: accEveryone, ansMay: accWebReaders,
				checks: []accCheck{accLinksPriv(accEveryone), accPageCount(accEveryone, "harbour", 2, 2)}},
			{path: "/search?q=" + url.QueryEscape(searchWords), want: accAll(ok), echo: searchWords, teaser: accEveryone, ansMay: accWebReaders,
				checks: []accCheck{accLinksPriv(accEveryone), accPageCount(accEveryone, searchWords, 1, 1)}},
			// A word of the member-only body finds its teaser, without it.
			{path: "/search?q=" + url.QueryEscape(accAnsZH), want: accAll(ok), echo: accAnsZH, teaser: accEveryone, ansMay: accWebReaders,
				checks: []accCheck{accLinksPriv(accEveryone), accPageCount(accEveryone, accAnsZH, 1, 1)}},
			{path: "/search?tag=" + accTeaser, want: accAll(ok), echo: accTeaser,
				checks: []accCheck{accLinksPriv(accEveryone), accPageCount(accEveryone, accTeaser, 1, 1)}},
			{path: "/search?sort=newest", want: accAll(ok), teaser: accEveryone, ansMay: accWebReaders,
				checks: []accCheck{accLinksPriv(accEveryone), accPageCount(accEveryone, "", 2, 2)}},
		},
		"GET /tags":           {{path: "/tags", want: accAll(ok), teaser: accEveryone}, {path: "/tags?q=" + url.QueryEscape("港"), want: accAll(ok)}},
		"GET /tags/:tag/edit": {{path: "/tags/" + url.PathEscape("港口") + "/edit", want: expertWeb(lg, ok), teaserMay: accOf(accExpert)}, {path: "/tags/nosuchtag/edit", want: expertWeb(lg, nf)}},
		"POST /tags/:tag/edit": {{path: "/tags/" + url.PathEscape("港口") + "/edit", form: true, body: form(url.Values{"description": {strings.Repeat("x", qa.MaxTagDescription+1)}}),
			want: expertWeb(u, bd), teaserMay: accOf(accExpert)}},
		"POST /tags/:tag/rename": {{path: "/tags/" + url.PathEscape("港口") + "/rename", form: true, body: form(url.Values{"to": {"港口"}}), want: expertWeb(u, bd), teaserMay: accOf(accExpert)}},
		"POST /tags/:tag/merge":  {{path: "/tags/" + url.PathEscape("港口") + "/merge", form: true, body: form(url.Values{"into": {"港口"}}), want: expertWeb(u, bd), teaserMay: accOf(accExpert)}},
		"GET /tags/:tag": {
			{path: "/tags/" + url.PathEscape("港口"), want: accAll(ok), teaser: accEveryone, checks: []accCheck{accLinksPriv(accEveryone)}},
			{path: "/tags/" + accTeaser, want: accAll(ok), echo: accTeaser, checks: []accCheck{accLinksPriv(accEveryone)}},
		},
		"GET /answers/:id": {
			{path: "/answers/{pub}", want: accAll(ok), teaserMay: accWebReaders},
			{path: "/answers/{priv}", want: accAll(ok), ans: accWebReaders, teaser: accEveryone},
			{path: "/answers/{missing}", want: accAll(nf)},
		},
		// Comparing and restoring revisions (restore: of an answer that is
		// not there); drafts of the editors (refused: nothing is kept).
		"GET /answers/:id/revisions":               {{path: "/answers/{priv}/revisions", want: expertWeb(lg, ok), ans: accOf(accExpert), teaser: accOf(accExpert)}},
		"POST /answers/:id/revisions/:rev/restore": {{path: "/answers/{missing}/revisions/1/restore", form: true, want: expertWeb(u, nf)}},
		"POST /answers/:id/draft":                  {{path: "/answers/{missing}/draft", form: true, body: "body=x", want: expertWeb(u, nf)}},
		"POST /answers/new/draft":                  {{path: "/answers/new/draft", form: true, body: form(url.Values{"title": {strings.Repeat("x", qa.MaxTitleLen+1)}}), want: expertWeb(u, bd)}},

		"GET /answers/:id/edit":  {{path: "/answers/{priv}/edit", want: expertWeb(lg, ok), ans: accOf(accExpert), teaser: accOf(accExpert)}},
		"POST /answers/:id/edit": {{path: "/answers/{priv}/edit", form: true, body: form(url.Values{"action": {"preview"}, "body": {"x"}}), want: expertWeb(u, ok), ansMay: accOf(accExpert), teaser: accOf(accExpert)}},
		"GET /answers/new":       {{path: "/answers/new", want: expertWeb(lg, ok)}},
		"POST /answers/new":      {{path: "/answers/new", form: true, body: form(url.Values{"action": {"preview"}, "body": {"x"}}), want: expertWeb(u, ok)}},
		"GET /ask":               {{path: "/ask", want: signedWeb(lg, ok), teaserMay: accWebReaders}},
		"POST /ask": {
			{path: "/ask", form: true, body: form(url.Values{"action": {"preview"}, "title": {"t"}, "body": {"b"}}), want: signedWeb(u, ok), teaserMay: accWebReaders},
			// Similar answers while asking: the expired member must not be
			// shown the member-only one.
			{path: "/ask", form: true, body: form(url.Values{"action": {"check"}, "title": {"harbour pilot salary negotiation"}}), want: signedWeb(u, ok),
				teaser: accWebReaders, checks: []accCheck{accLinksPriv(accWebReaders)}},
		},
		// Previews are for writing: a lapsed member may not ask, so may not preview.
		"POST /preview":                     {{path: "/preview", form: true, body: "text=hello", want: accWeb(u, f, ok, ok, ok)}},
		"POST /images":                      {{path: "/images", form: true, body: "file=not+an+image", want: expertWeb(u, bd)}},
		"GET /my/questions":                 {{path: "/my/questions", want: signedWeb(lg, ok), q: accOf(accMember)}},
		"POST /my/questions/:id/withdraw":   {{path: "/my/questions/{newq}/withdraw", want: accWeb(u, nf, so, nf, f)}},
		"GET /queue":                        {{path: "/queue", want: expertWeb(lg, ok), q: accOf(accExpert), teaserMay: accOf(accExpert)}},
		"GET /queue/reasons":                {{path: "/queue/reasons", want: expertWeb(lg, ok)}},
		"POST /queue/reasons":               {{path: "/queue/reasons", form: true, body: form(url.Values{"reason": {strings.Repeat("x", 1001)}}), want: expertWeb(u, bd)}},
		"POST /queue/settings":              {{path: "/queue/settings", form: true, body: form(url.Values{"anonymous_asking": {"on"}}), want: expertWeb(u, so)}},
		"POST /queue/decline":               {{path: "/queue/decline", form: true, body: "reason=", want: expertWeb(u, bd), q: accOf(accExpert), teaserMay: accOf(accExpert)}}, // nothing selected: the queue again, with the error
		"GET /queue/:id":                    {{path: "/queue/{pending}", want: expertWeb(lg, ok), q: accOf(accExpert), teaserMay: accOf(accExpert)}, {path: "/queue/{missing}", want: expertWeb(lg, nf)}},
		"POST /queue/:id/draft":             {{path: "/queue/{pending}/draft", form: true, body: "body=", want: expertWeb(u, so)}},
		"POST /queue/:id/answer":            {{path: "/queue/{pending}/answer", form: true, body: "action=preview", want: expertWeb(u, ok), q: accOf(accExpert), teaserMay: accOf(accExpert)}},
		"POST /queue/:id/decline":           {{path: "/queue/{pending}/decline", form: true, body: "reason=", want: expertWeb(u, bd), q: accOf(accExpert), teaserMay: accOf(accExpert)}},
		"POST /queue/:id/duplicate":         {{path: "/queue/{pending}/duplicate", form: true, body: "answer_id=", want: expertWeb(u, bd), q: accOf(accExpert), teaserMay: accOf(accExpert)}},
		"GET /dashboard":                    {{path: "/dashboard", want: expertWeb(lg, ok), qMay: accOf(accExpert), ansMay: accOf(accExpert), teaserMay: accOf(accExpert)}},
		"GET /dashboard/chart.svg":          {{path: "/dashboard/chart.svg", want: expertWeb(lg, ok)}},
		"POST /dashboard/searches/clear":    {{path: "/dashboard/searches/clear", want: expertWeb(u, so)}},
		"POST /dashboard/checklist/dismiss": {{path: "/dashboard/checklist/dismiss", want: expertWeb(u, so)}},
		"POST /dashboard/review-months":     {{path: "/dashboard/review-months", form: true, body: "months=61", want: expertWeb(u, bd)}},
		"POST /answers/:id/reviewed":        {{path: "/answers/{missing}/reviewed", form: true, body: "next=/dashboard", want: expertWeb(u, nf)}},
		"GET /members":                      {{path: "/members", want: expertWeb(lg, ok)}},
		"POST /members":                     {{path: "/members", form: true, body: "email=", want: expertWeb(u, bd)}},
		"POST /members/:id":                 {{path: "/members/{expired}", form: true, body: "active_until=someday", want: expertWeb(u, bd)}},
		// Without e-mail the expert's reset link is shown once (200).
		"POST /members/:id/reset-link": {{path: "/members/{expired}/reset-link", want: expertWeb(u, ok)}},
		// Disabling would end a caller of the matrix: probed on no one.
		"POST /members/:id/disable":  {{path: "/members/{missing}/disable", want: expertWeb(u, nf)}},
		"POST /members/:id/enable":   {{path: "/members/{missing}/enable", want: expertWeb(u, nf)}},
		"GET /members/:id/questions": {{path: "/members/{expired}/questions", want: expertWeb(lg, ok), qMay: accOf(accExpert)}, {path: "/members/{missing}/questions", want: expertWeb(lg, nf)}},
		// The webhooks page shows no secret and no member-only text: a
		// delivery is named by its event and entity id.
		"GET /webhooks":                                     {{path: "/webhooks", want: expertWeb(lg, ok)}},
		"POST /webhooks":                                    {{path: "/webhooks", form: true, body: form(url.Values{"url": {"ftp://example.com/x"}, "event": {"answer.published"}}), want: expertWeb(u, bd)}},
		"POST /webhooks/:id/delete":                         {{path: "/webhooks/{newhook}/delete", want: expertWeb(u, so)}},
		"POST /webhooks/:id/rotate":                         {{path: "/webhooks/{newhook}/rotate", form: true, body: "overlap_hours=999", want: expertWeb(u, bd)}},
		"POST /webhooks/:id/deliveries/:delivery/redeliver": {{path: "/webhooks/{hook}/deliveries/{missing}/redeliver", want: expertWeb(u, nf)}},
		// Membership codes: the list never shows a code, only its record.
		"GET /codes":               {{path: "/codes", want: expertWeb(lg, ok)}},
		"GET /settings":            {{path: "/settings", want: expertWeb(lg, ok)}},
		"POST /settings":           {{path: "/settings", form: true, body: form(url.Values{"site_name": {"x"}, "default_lang": {"en"}, "quota": {"-1"}}), want: expertWeb(u, bd)}},
		"POST /settings/plans":     {{path: "/settings/plans", form: true, body: form(url.Values{"name_en": {"x"}, "price": {"abc"}, "currency": {"usd"}, "period_days": {"30"}}), want: expertWeb(u, bd)}},
		"POST /settings/plans/:id": {{path: "/settings/plans/{missing}", form: true, body: form(url.Values{"name_en": {"x"}, "price": {"1"}, "currency": {"usd"}, "period_days": {"30"}}), want: expertWeb(u, nf)}},
		"POST /codes":              {{path: "/codes", form: true, body: form(url.Values{"days": {"0"}, "max_uses": {"1"}}), want: expertWeb(u, bd)}},
		"POST /codes/:id/revoke":   {{path: "/codes/{missing}/revoke", want: expertWeb(u, nf)}},
		// Joining is for visitors (a wrong code is the one generic 400);
		// a signed-in member is sent to the account page to renew.
		"GET /join": {{path: "/join", want: accAll(ok)}},
		// Payments are off in the matrix (no --stripe-key): the routes say
		// so to everyone. A referral link with an unknown code only leads
		// to /join.
		"POST /join/checkout":            {{path: "/join/checkout", form: true, body: "plan_id=1", want: accAll(nf)}},
		"GET /join/paid":                 {{path: "/join/paid?session_id=cs_test_nothing", want: accAll(nf)}},
		"POST /payments/stripe":          {{path: "/payments/stripe", body: `{}`, want: accAll(nf)}},
		"GET /r/:code":                   {{path: "/r/nosuchcode", want: accAll(so)}},
		"GET /referrals":                 {{path: "/referrals", want: expertWeb(lg, ok)}},
		"POST /referrals/:id/paid":       {{path: "/referrals/{missing}/paid", want: expertWeb(u, so)}},
		"GET /api/v1/referrals":          {{path: "/api/v1/referrals", want: expertAPI(ok)}},
		"POST /api/v1/referrals/payouts": {{path: "/api/v1/referrals/payouts", body: `{}`, want: expertAPI(bd)}},
		"POST /join": {{path: "/join", form: true, want: accWeb(bd, so, so, so, so), bodyFor: func(role int) string {
			return form(url.Values{"code": {"AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG"}, "email": {fmt.Sprintf("acc-join-%d@example.com", role)}, "name": {"Joiner"}, "password": {"join password"}, "password2": {"join password"}})
		}}},
		// No plan 0: the visitor is told so (400); members go to their account.
		"POST /join/trial": {{path: "/join/trial", form: true, want: accWeb(bd, so, so, so, so), bodyFor: func(role int) string {
			return form(url.Values{"plan_id": {"0"}, "email": {fmt.Sprintf("acc-trial-%d@example.com", role)}, "name": {"Trialist"}, "password": {"join password"}, "password2": {"join password"}})
		}}},
		// The expert's membership has no end: nothing to renew (409).
		"POST /account/renew":             {{path: "/account/renew", form: true, body: form(url.Values{"code": {"AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG"}}), want: accWeb(u, bd, bd, bd, http.StatusConflict)}},
		"GET /account":                    {{path: "/account", want: signedWeb(lg, ok)}},
		"POST /account/mail":              {{path: "/account/mail", form: true, body: form(url.Values{"mode_outcomes": {"hourly"}}), want: signedWeb(u, bd)}},
		"GET /notifications":              {{path: "/notifications", want: signedWeb(lg, ok), q: accOf(accExpert)}},
		"POST /notifications/read":        {{path: "/notifications/read", want: signedWeb(u, so)}},
		"POST /tags/follow":               {{path: "/tags/follow", form: true, body: "tag=", want: signedWeb(u, bd)}},
		"POST /tags/unfollow":             {{path: "/tags/unfollow", form: true, body: "tag=", want: signedWeb(u, bd)}},
		"POST /account/time-zone":         {{path: "/account/time-zone", form: true, body: form(url.Values{"time_zone": {"Mars/Olympus"}}), want: signedWeb(u, bd)}},
		"POST /account/password":          {{path: "/account/password", form: true, body: form(url.Values{"current_password": {"x"}, "new_password": {"differs-1"}, "new_password2": {"differs-2"}}), want: signedWeb(u, bd)}},
		"POST /account/tokens":            {{path: "/account/tokens", form: true, body: form(url.Values{"label": {strings.Repeat("l", 65)}}), want: signedWeb(u, bd)}},
		"POST /account/tokens/:id/revoke": {{path: "/account/tokens/{newtok}/revoke", want: accWeb(u, nf, nf, nf, so)}},
		// A personal feed link, for the lapsed member too (their feed holds
		// public answers only); the example tag is one the caller may see.
		"POST /account/feed-token":        {{path: "/account/feed-token", want: signedWeb(u, ok), teaserMay: accWebReaders}},
		"POST /account/feed-token/revoke": {{path: "/account/feed-token/revoke", want: signedWeb(u, so)}},
		"GET /setup":                      {{path: "/setup?token=acc-not-a-setup-token", want: accAll(u)}},
		"POST /setup":                     {{path: "/setup", form: true, body: form(url.Values{"token": {"acc-not-a-setup-token"}, "email": {"acc-setup@example.com"}, "name": {"Setup"}, "password": {"setup-password"}, "password2": {"setup-password"}}), want: accAll(u)}},
		"GET /login":                      {{path: "/login", want: accAll(ok)}},
		// One unknown account per caller, so that the per-account sign-in
		// limit is not what answers.
		"POST /login": {{path: "/login", form: true, want: accAll(u), bodyFor: func(role int) string {
			return form(url.Values{"email": {fmt.Sprintf("acc-nobody-%d@example.com", role)}, "password": {"wrong password"}})
		}}},
		// Password links: a link that is not one is the one 400, whoever
		// asks; members the expert made are confirmed (nothing to resend);
		// asking for a link is the same page for every address (one unknown
		// address per caller, so that no per-account limit answers).
		"GET /password/reset":   {{path: "/password/reset?t=acc-not-a-reset-link", want: accAll(bd)}},
		"POST /password/reset":  {{path: "/password/reset", form: true, body: form(url.Values{"t": {"acc-not-a-reset-link"}, "password": {"reset password"}, "password2": {"reset password"}}), want: accAll(bd)}},
		"GET /confirm":          {{path: "/confirm?t=acc-not-a-confirm-link", want: accAll(bd)}},
		"POST /account/confirm": {{path: "/account/confirm", want: signedWeb(u, so)}},
		"GET /password/forgot":  {{path: "/password/forgot", want: accAll(ok)}},
		"POST /password/forgot": {{path: "/password/forgot", form: true, want: accAll(ok), bodyFor: func(role int) string {
			return form(url.Values{"email": {fmt.Sprintf("acc-forgot-%d@example.com", role)}})
		}}},
		"POST /logout": {{path: "/logout", freshSession: true, want: accAll(so)}},
		"POST /lang":   {{path: "/lang", form: true, body: "lang=en&next=/", want: accAll(so)}},
		// One-click unsubscribe: the signed token is the credential, for
		// anyone (a forged one is the generic 400); GET only shows a button.
		"GET /unsubscribe":  {{path: "/unsubscribe?t=1.outcomes.forged", want: accAll(ok)}},
		"POST /unsubscribe": {{path: "/unsubscribe?t=1.outcomes.forged", form: true, body: "List-Unsubscribe=One-Click", want: accAll(bd)}},
		"GET /healthz":      {{path: "/healthz", want: accAll(ok)}},
		"GET /readyz":       {{path: "/readyz", want: accAll(ok)}},
		// Counts and timings by route template only: open to everyone on
		// the main listener (serve --metrics-addr moves it off).
		"GET /metrics":    {{path: "/metrics", want: accAll(ok)}},
		"GET /robots.txt": {{path: "/robots.txt", want: accAll(ok)}},
		// The sitemap lists the member-only answer's teaser page (teasers
		// on), for everyone alike; its pages exist past one page only.
		"GET /sitemap.xml":              {{path: "/sitemap.xml", want: accAll(ok), teaser: accEveryone, checks: []accCheck{accSitemapPriv}}},
		"GET /sitemaps/:file":           {{path: "/sitemaps/1.xml", want: accAll(ok), teaser: accEveryone, checks: []accCheck{accSitemapPriv}}, {path: "/sitemaps/2.xml", want: accAll(nf)}},
		"GET /favicon.ico":              {{path: "/favicon.ico", want: accAll(ok)}},
		"GET /.well-known/security.txt": {{path: "/.well-known/security.txt", want: accAll(ok)}},
	}
}

// accWrites reports whether a route ("METHOD /path") may change state.
func accWrites(route string) bool {
	method, _, _ := strings.Cut(route, " ")
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// TestAccess_Matrix asks every route the router serves as every kind of
// caller: the status, and that member-only text, counts and facets reach
// exactly those who may see them. Then every state-changing route refuses a
// cross-site request that carries a session cookie (the pages' forms have no
// token of their own: net/http's cross-origin protection guards them).
func TestAccess_Matrix(t *testing.T) {
	start := time.Now()
	w := accSeed(t)
	rules := accRules()
	routes := w.m.Routes()
	have := map[string]bool{}
	var keys []string
	for _, r := range routes {
		k := r.Method + " " + r.Path
		if have[k] {
			continue
		}
		have[k] = true
		keys = append(keys, k)
		if len(rules[k]) == 0 {
			t.Errorf("the route %s has no rule in accRules: add one that says who may use it", k)
		}
	}
	for k := range rules {
		if !have[k] {
			t.Errorf("accRules has a rule for %s, which the router no longer serves", k)
		}
	}
	// Reads first: the routes that change things use up throwaway
	// resources and replace feed tokens.
	sort.SliceStable(keys, func(i, j int) bool {
		if wi, wj := accWrites(keys[i]), accWrites(keys[j]); wi != wj {
			return wj
		}
		return keys[i] < keys[j]
	})
	requests := 0
	for _, k := range keys {
		for _, p := range rules[k] {
			for role := 0; role < accRoles; role++ {
				w.run(t, k, p, role)
				requests++
			}
		}
	}
	refused := 0
	for _, k := range keys {
		if !accWrites(k) || len(rules[k]) == 0 {
			continue
		}
		method, _, _ := strings.Cut(k, " ")
		p := rules[k][0]
		path := w.expand(t, p.path)
		for _, role := range []int{accMember, accExpert} {
			st, _, body := w.send(t, role, method, path, p.body, p.form, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
			if k == "POST /unsubscribe" {
				// RFC 8058: mail clients POST it from elsewhere; it must
				// reach the handler (which refuses the forged token).
				if st != http.StatusBadRequest {
					t.Errorf("cross-site one-click unsubscribe as %s: %d %.200q, want the handler's 400", accRoleNames[role], st, body)
				}
				continue
			}
			if st != http.StatusForbidden || !strings.Contains(body, "cross-origin request refused") {
				t.Errorf("cross-site %s %s as %s: %d %.200q, want 403 before the handler", method, path, accRoleNames[role], st, body)
			}
			refused++
		}
	}
	t.Logf("matrix: %d routes × %d roles = %d cells", len(keys), accRoles, len(keys)*accRoles)
	t.Logf("%d requests (routes with several probes: public, member-only, missing ids, searches…) and %d cross-site refusals in %v",
		requests, refused, time.Since(start).Round(time.Millisecond))
}

// accNewMember makes a member (or expert) with a password, active for a year.
func (w *accWorld) accNewMember(t *testing.T, email, password string, role qa.Role) *qa.Member {
	t.Helper()
	until := time.Now().AddDate(1, 0, 0)
	mb, err := w.store.CreateMember(w.ctx, qa.System(), qa.MemberCreate{Email: email, Name: "Acc " + email[:6], Role: role, ActiveUntil: &until, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return mb
}

// signIn signs in through the sign-in form and returns the session cookie,
// or "" with the status when the form refused.
func (w *accWorld) signIn(t *testing.T, email, password string) (string, int) {
	t.Helper()
	st, hdr, _ := w.sendAs(t, "", "", "POST", "/login", url.Values{"email": {email}, "password": {password}}.Encode(), true, nil)
	return accCookie(hdr), st
}

// accCookie returns the session cookie a response sets ("" for none).
func accCookie(hdr http.Header) string {
	for _, c := range (&http.Response{Header: hdr}).Cookies() {
		if c.Name == server.SessionCookie && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}

// accRights is what one set of credentials gets, asked right now.
type accRights struct {
	me     int    // GET /api/v1/me
	role   string // the role /api/v1/me reports
	full   bool   // GET /api/v1/answers/{priv} is in full, marker shown
	status int    // of that read
	total  int    // search total for the marker (-1: refused)
	queue  int    // GET /api/v1/queue
}

func (w *accWorld) rights(t *testing.T, cookie, bearer string) accRights {
	t.Helper()
	var r accRights
	var body string
	r.me, _, body = w.sendAs(t, cookie, bearer, "GET", "/api/v1/me", "", false, nil)
	var me struct{ Role string }
	json.Unmarshal([]byte(body), &me)
	r.role = me.Role
	r.status, _, body = w.sendAs(t, cookie, bearer, "GET", fmt.Sprintf("/api/v1/answers/%d", w.priv.ID), "", false, nil)
	var a struct{ Full bool }
	json.Unmarshal([]byte(body), &a)
	r.full = a.Full && strings.Contains(body, accAnsEN) && strings.Contains(body, accAnsZH)
	if !a.Full && (strings.Contains(body, accAnsEN) || strings.Contains(body, accAnsZH)) {
		t.Errorf("a teaser shows the member-only text: %.300q", body)
	}
	st, _, body := w.sendAs(t, cookie, bearer, "GET", "/api/v1/search?q="+accAnsEN, "", false, nil)
	r.total = -1
	if st == http.StatusOK {
		var s struct{ Total int }
		json.Unmarshal([]byte(body), &s)
		r.total = s.Total
	}
	r.queue, _, _ = w.sendAs(t, cookie, bearer, "GET", "/api/v1/queue", "", false, nil)
	return r
}

// TestAccess_RevocationAtOnce lowers someone's rights in each way the
// product has, and checks that the very next request with the old session
// cookie or the old token gets the lower rights: nothing is cached.
func TestAccess_RevocationAtOnce(t *testing.T) {
	start := time.Now()
	w := accSeed(t)
	readerNow := accRights{me: 200, role: "member", full: true, status: 200, total: 1, queue: 403}
	visitorNow := accRights{me: 401, full: false, status: 200, total: 0, queue: 401}
	badToken := accRights{me: 401, status: 401, total: -1, queue: 401}
	want := func(t *testing.T, what string, got, want accRights) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %+v, want %+v", what, got, want)
		}
	}
	// accountPage is the status of the account page with a cookie (303 to
	// sign in when the session has ended).
	accountPage := func(t *testing.T, cookie string) int {
		t.Helper()
		st, _, _ := w.sendAs(t, cookie, "", "GET", "/account", "", false, nil)
		return st
	}

	t.Run("SignOut", func(t *testing.T) {
		w.accNewMember(t, "acc-signout@example.com", "signout-password-1", qa.RoleMember)
		c1, _ := w.signIn(t, "acc-signout@example.com", "signout-password-1")
		c2, _ := w.signIn(t, "acc-signout@example.com", "signout-password-1")
		if c1 == "" || c2 == "" {
			t.Fatal("sign-in set no cookie")
		}
		want(t, "before", w.rights(t, c1, ""), readerNow)
		if st, _, _ := w.sendAs(t, c1, "", "POST", "/logout", "", false, nil); st != http.StatusSeeOther {
			t.Fatalf("sign out: %d", st)
		}
		want(t, "the signed-out cookie", w.rights(t, c1, ""), visitorNow)
		if st := accountPage(t, c1); st != http.StatusSeeOther {
			t.Errorf("account page with the signed-out cookie: %d, want 303 to sign in", st)
		}
		// Signing out ends this browser's session, not the member's others.
		want(t, "the member's other browser", w.rights(t, c2, ""), readerNow)
	})

	t.Run("PasswordChange", func(t *testing.T) {
		mb := w.accNewMember(t, "acc-password@example.com", "old-password-1", qa.RoleMember)
		c1, _ := w.signIn(t, "acc-password@example.com", "old-password-1")
		c2, _ := w.signIn(t, "acc-password@example.com", "old-password-1")
		tok, _, err := w.store.CreateToken(w.ctx, qa.System(), mb.ID, qa.TokenCreate{Scope: qa.ScopeRead})
		if err != nil {
			t.Fatal(err)
		}
		want(t, "before", w.rights(t, c2, ""), readerNow)
		st, hdr, _ := w.sendAs(t, c1, "", "POST", "/account/password", url.Values{
			"current_password": {"old-password-1"}, "new_password": {"new-password-2"}, "new_password2": {"new-password-2"},
		}.Encode(), true, nil)
		fresh := accCookie(hdr)
		if st != http.StatusSeeOther || fresh == "" || fresh == c1 {
			t.Fatalf("change password: %d, new cookie %v", st, fresh != "")
		}
		want(t, "another browser's session", w.rights(t, c2, ""), visitorNow)
		want(t, "the old cookie of the browser that changed it", w.rights(t, c1, ""), visitorNow)
		if st := accountPage(t, c2); st != http.StatusSeeOther {
			t.Errorf("account page with an ended session: %d, want 303 to sign in", st)
		}
		want(t, "the fresh session", w.rights(t, fresh, ""), readerNow)
		if _, st := w.signIn(t, "acc-password@example.com", "old-password-1"); st != http.StatusUnauthorized {
			t.Errorf("sign in with the old password: %d", st)
		}
		if c, st := w.signIn(t, "acc-password@example.com", "new-password-2"); st != http.StatusSeeOther || c == "" {
			t.Errorf("sign in with the new password: %d", st)
		}
		// API tokens are credentials of their own: a new password ends the
		// sessions (qa.ChangePassword), the tokens keep the member's rights.
		want(t, "the member's API token", w.rights(t, "", tok), readerNow)
	})

	t.Run("TokenRevocation", func(t *testing.T) {
		mb := w.accNewMember(t, "acc-tokens@example.com", "", qa.RoleMember)
		sess, err := w.store.CreateSession(w.ctx, mb.ID)
		if err != nil {
			t.Fatal(err)
		}
		toks := make([]string, 3)
		ids := make([]int64, 3)
		for i := range toks {
			var tk *qa.Token
			if toks[i], tk, err = w.store.CreateToken(w.ctx, qa.System(), mb.ID, qa.TokenCreate{Scope: qa.ScopeWrite}); err != nil {
				t.Fatal(err)
			}
			ids[i] = tk.ID
			want(t, fmt.Sprintf("token %d before", i), w.rights(t, "", toks[i]), readerNow)
		}
		// Revoked through the API with the session, through the account
		// page, and by the token itself.
		if st, _, _ := w.sendAs(t, sess, "", "DELETE", fmt.Sprintf("/api/v1/tokens/%d", ids[0]), "", false, nil); st != http.StatusNoContent {
			t.Fatalf("revoke through the API: %d", st)
		}
		want(t, "token revoked through the API", w.rights(t, "", toks[0]), badToken)
		if st, _, _ := w.sendAs(t, sess, "", "POST", fmt.Sprintf("/account/tokens/%d/revoke", ids[1]), "", true, nil); st != http.StatusSeeOther {
			t.Fatalf("revoke on the account page: %d", st)
		}
		want(t, "token revoked on the account page", w.rights(t, "", toks[1]), badToken)
		if st, _, _ := w.sendAs(t, "", toks[2], "DELETE", fmt.Sprintf("/api/v1/tokens/%d", ids[2]), "", false, nil); st != http.StatusNoContent {
			t.Fatalf("a token revoking itself: %d", st)
		}
		if st, _, _ := w.sendAs(t, "", toks[2], "POST", "/api/v1/questions", `{"title":"still here?"}`, false, nil); st != http.StatusUnauthorized {
			t.Errorf("a revoked token asks: %d, want 401", st)
		}
		want(t, "token that revoked itself", w.rights(t, "", toks[2]), badToken)
		want(t, "the session that revoked them", w.rights(t, sess, ""), readerNow)
	})

	t.Run("RoleChange", func(t *testing.T) {
		x2 := w.accNewMember(t, "acc-expert2@example.com", "", qa.RoleExpert)
		sess, err := w.store.CreateSession(w.ctx, x2.ID)
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := w.store.CreateToken(w.ctx, qa.System(), x2.ID, qa.TokenCreate{Scope: qa.ScopeWrite})
		if err != nil {
			t.Fatal(err)
		}
		expertNow := accRights{me: 200, role: "expert", full: true, status: 200, total: 1, queue: 200}
		want(t, "session before", w.rights(t, sess, ""), expertNow)
		want(t, "token before", w.rights(t, "", tok), expertNow)
		// No page changes roles; the expert does it through qa (as the
		// command line would).
		role := qa.RoleMember
		if _, err := w.store.UpdateMember(w.ctx, qa.Actor{Member: w.expert, Scope: qa.ScopeWrite}, x2.ID, qa.MemberUpdate{Role: &role}); err != nil {
			t.Fatal(err)
		}
		// A lowered role ends the sessions; the token stays, with the
		// member's rights.
		want(t, "session after", w.rights(t, sess, ""), visitorNow)
		if st, hdr, _ := w.sendAs(t, sess, "", "GET", "/queue", "", false, nil); st != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/login") {
			t.Errorf("the queue page with the old session: %d %q", st, hdr.Get("Location"))
		}
		want(t, "token after", w.rights(t, "", tok), readerNow)
		if st, _, _ := w.sendAs(t, "", tok, "POST", "/api/v1/answers", `{}`, false, nil); st != http.StatusForbidden {
			t.Errorf("the old expert's token publishes: %d, want 403", st)
		}
		if st, _, _ := w.sendAs(t, "", tok, "GET", fmt.Sprintf("/api/v1/questions/%d", w.pending.ID), "", false, nil); st != http.StatusNotFound {
			t.Errorf("the old expert's token reads another member's question: %d, want 404", st)
		}
	})

	t.Run("MembershipExpiry", func(t *testing.T) {
		mb := w.accNewMember(t, "acc-expiry@example.com", "", qa.RoleMember)
		sess, err := w.store.CreateSession(w.ctx, mb.ID)
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := w.store.CreateToken(w.ctx, qa.System(), mb.ID, qa.TokenCreate{Scope: qa.ScopeWrite})
		if err != nil {
			t.Fatal(err)
		}
		feed, err := w.store.CreateFeedToken(w.ctx, qa.Actor{Member: mb, Scope: qa.ScopeWrite})
		if err != nil {
			t.Fatal(err)
		}
		feedPath := "/feeds/answers.atom?token=" + url.QueryEscape(feed)
		privPath := fmt.Sprintf("/api/v1/answers/%d", w.priv.ID)
		want(t, "session before", w.rights(t, sess, ""), readerNow)
		want(t, "token before", w.rights(t, "", tok), readerNow)
		_, hdr, _ := w.sendAs(t, sess, "", "GET", privPath, "", false, nil)
		etag := hdr.Get("ETag")
		if _, _, body := w.sendAs(t, "", "", "GET", feedPath, "", false, nil); !strings.Contains(body, accAnsEN) {
			t.Fatal("the member's feed lacks the member-only answer before expiry")
		}
		// The expert moves the end of the membership to yesterday, on the
		// members page.
		yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
		if st, _, body := w.send(t, accExpert, "POST", fmt.Sprintf("/members/%d", mb.ID), "active_until="+yesterday, true, nil); st != http.StatusSeeOther {
			t.Fatalf("members page: %d %.300q", st, body)
		}
		lapsed := accRights{me: 200, role: "member", full: false, status: 200, total: 0, queue: 403}
		want(t, "session after", w.rights(t, sess, ""), lapsed)
		want(t, "token after", w.rights(t, "", tok), lapsed)
		// A copy cached while it was readable is no proof of rights now.
		st, _, body := w.sendAs(t, sess, "", "GET", privPath, "", false, map[string]string{"If-None-Match": etag})
		if st != http.StatusOK || strings.Contains(body, accAnsEN) {
			t.Errorf("conditional read with the member's old ETag: %d %.200q, want 200 and the teaser", st, body)
		}
		if _, _, body := w.sendAs(t, sess, "", "GET", fmt.Sprintf("/answers/%d", w.priv.ID), "", false, nil); strings.Contains(body, accAnsEN) || strings.Contains(body, accAnsZH) {
			t.Error("the answer page shows the member-only text to the lapsed member")
		}
		if _, _, body := w.sendAs(t, "", "", "GET", feedPath, "", false, nil); strings.Contains(body, accAnsEN) || strings.Contains(body, accTeaser) {
			t.Error("the lapsed member's feed still holds the member-only answer")
		}
		for _, c := range []struct{ cookie, bearer string }{{sess, ""}, {"", tok}} {
			if st, _, _ := w.sendAs(t, c.cookie, c.bearer, "POST", "/api/v1/questions", `{"title":"Can I still ask?"}`, false, nil); st != http.StatusForbidden {
				t.Errorf("the lapsed member asks: %d, want 403", st)
			}
		}
	})
	t.Logf("revocation checks took %v", time.Since(start).Round(time.Millisecond))
}

// accRunes returns s cut to n runes.
func accRunes(s string, n int) string {
	r := []rune(s)
	return string(r[:n])
}

// TestAccess_PasswordsWhole sets passwords through the pages (the expert's
// members form, the account page) and signs in with the form: the shortest
// allowed password (8) and long ones (100 and 256 characters, Chinese and
// ASCII) count whole — a password that differs only in its last character,
// a prefix (a 72-byte one: bcrypt's silent limit) or one with a character
// more does not sign in; one character under or over the limits is refused.
func TestAccess_PasswordsWhole(t *testing.T) {
	start := time.Now()
	w := accSeed(t)
	const email = "acc-pw@example.com"
	addMember := func(password string) int {
		st, _, _ := w.send(t, accExpert, "POST", "/members", url.Values{
			"email": {email}, "name": {"Pass Word"}, "role": {"member"}, "active_until": {"2099-12-31"}, "password": {password},
		}.Encode(), true, nil)
		return st
	}
	signIn := func(password string) (string, int) { return w.signIn(t, email, password) }

	if st := addMember("Pw7char"); st != http.StatusBadRequest {
		t.Fatalf("a 7-character password: %d, want 400", st)
	}
	short := "Pw8chars"
	if st := addMember(short); st != http.StatusSeeOther {
		t.Fatalf("an 8-character password: %d, want 303", st)
	}
	sess, st := signIn(short)
	if st != http.StatusSeeOther || sess == "" {
		t.Fatalf("sign in with the 8-character password: %d", st)
	}
	for _, wrong := range []string{"Pw8charz", "Pw8char", short + " "} {
		if _, st := signIn(wrong); st != http.StatusUnauthorized {
			t.Errorf("sign in with %q: %d, want 401", wrong, st)
		}
	}

	// change sets a new password on the account page and returns the
	// fresh session.
	change := func(current, next string) (string, int) {
		t.Helper()
		st, hdr, _ := w.sendAs(t, sess, "", "POST", "/account/password", url.Values{
			"current_password": {current}, "new_password": {next}, "new_password2": {next},
		}.Encode(), true, nil)
		return accCookie(hdr), st
	}
	long := accRunes(strings.Repeat("长密码Passphrase-安全第一-", 10), 99) + "Z"
	if n := utf8.RuneCountInString(long); n != 100 {
		t.Fatalf("fixture: %d runes", n)
	}
	if sess, st = change(short, long); st != http.StatusSeeOther || sess == "" {
		t.Fatalf("set the 100-character password: %d", st)
	}
	if _, st := signIn(long); st != http.StatusSeeOther {
		t.Fatalf("sign in with the 100-character password: %d", st)
	}
	b72 := long[:72]
	for !utf8.ValidString(b72) {
		b72 = b72[:len(b72)-1]
	}
	for name, wrong := range map[string]string{
		"last character differs": accRunes(long, 99) + "Y", "last character missing": accRunes(long, 99),
		"first 72 bytes": b72, "one character more": long + "Z",
	} {
		if _, st := signIn(wrong); st != http.StatusUnauthorized {
			t.Errorf("100-character password, %s: %d, want 401", name, st)
		}
	}

	longest := strings.Repeat("密", qa.MaxPasswordLen-1) + "码"
	if _, st := change(long, longest+"码"); st != http.StatusBadRequest {
		t.Errorf("a %d-character password: %d, want 400", qa.MaxPasswordLen+1, st)
	}
	if sess, st = change(long, longest); st != http.StatusSeeOther {
		t.Fatalf("set the %d-character password: %d", qa.MaxPasswordLen, st)
	}
	if _, st := signIn(longest); st != http.StatusSeeOther {
		t.Fatalf("sign in with the %d-character password: %d", qa.MaxPasswordLen, st)
	}
	if _, st := signIn(strings.Repeat("密", qa.MaxPasswordLen)); st != http.StatusUnauthorized {
		t.Errorf("%d-character password, last character differs: %d, want 401", qa.MaxPasswordLen, st)
	}
	t.Logf("password checks took %v", time.Since(start).Round(time.Millisecond))
}

// TestAccess_SetupTokenOnce: the one-time setup link makes the expert once;
// afterwards it is refused, and no response carries the secret, except the
// form it opens (whose hidden field must send it back).
func TestAccess_SetupTokenOnce(t *testing.T) {
	m, link := startMain(t, t.TempDir())
	w := &accWorld{m: m, ctx: context.Background(), store: m.Store, http: &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	_, tok, ok := strings.Cut(link, "/setup?token=")
	if !ok || tok == "" {
		t.Fatalf("no setup link: %q", link)
	}
	noSecret := func(what string, hdr http.Header, body string) {
		t.Helper()
		if strings.Contains(body, tok) {
			t.Errorf("%s: the body holds the setup secret: %s", what, accAround(body, tok))
		}
		for k, vs := range hdr {
			for _, v := range vs {
				if strings.Contains(v, tok) {
					t.Errorf("%s: header %s holds the setup secret", what, k)
				}
			}
		}
	}

	st, hdr, body := w.sendAs(t, "", "", "GET", "/setup?token="+url.QueryEscape(tok), "", false, nil)
	if st != http.StatusOK {
		t.Fatalf("setup form: %d", st)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := doc.Find(`form[action="/setup"] input[name="token"]`).Attr("value"); v != tok {
		t.Errorf("the setup form does not carry the secret to send it back: %q", v)
	}
	if hdr.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("the setup form's Referrer-Policy is %q: its address holds the secret", hdr.Get("Referrer-Policy"))
	}

	form := func(email string) string {
		return url.Values{"token": {tok}, "email": {email}, "name": {"专家"}, "password": {"setup-password-1"}, "password2": {"setup-password-1"}}.Encode()
	}
	st, hdr, body = w.sendAs(t, "", "", "POST", "/setup", form("acc-setup@example.com"), true, nil)
	sess := accCookie(hdr)
	if st != http.StatusSeeOther || sess == "" {
		t.Fatalf("setup: %d %.300q", st, body)
	}
	noSecret("the setup's answer", hdr, body)
	for _, path := range []string{"/", "/account", "/members", "/queue", "/api/v1/me", "/api/v1/tokens"} {
		st, hdr, body := w.sendAs(t, sess, "", "GET", path, "", false, nil)
		if st != http.StatusOK {
			t.Errorf("%s as the new expert: %d", path, st)
		}
		noSecret(path, hdr, body)
	}
	if _, _, body := w.sendAs(t, sess, "", "GET", "/api/v1/me", "", false, nil); !strings.Contains(body, `"role":"expert"`) {
		t.Errorf("the setup did not make an expert: %s", body)
	}

	// Used once, it is spent: neither the form nor the post works again,
	// and the refusals do not show it.
	st, hdr, body = w.sendAs(t, "", "", "POST", "/setup", form("acc-second@example.com"), true, nil)
	if st != http.StatusUnauthorized {
		t.Errorf("the setup secret used again: %d, want 401", st)
	}
	noSecret("the refused second setup", hdr, body)
	st, _, body = w.sendAs(t, "", "", "GET", "/setup?token="+url.QueryEscape(tok), "", false, nil)
	if st != http.StatusUnauthorized {
		t.Errorf("the setup form after use: %d, want 401", st)
	}
	// The error page links back to its own address (sign in, language),
	// which the caller typed; the secret is dead and shows nowhere else.
	noSecret("the refused setup form", nil, accSelfLinks.ReplaceAllString(body, ""))
	if n, err := m.Store.CountExperts(context.Background()); err != nil || n != 1 {
		t.Errorf("experts after a reused setup link: %d %v", n, err)
	}
	if _, err := m.Store.FindMemberByEmail(context.Background(), "acc-second@example.com"); qa.ErrorCode(err) != qa.ENOTFOUND {
		t.Errorf("the reused setup link made an account: %v", err)
	}
}
