package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"answerbook/qa"
)

type accountData struct {
	Tokens []*qa.Token
	// Secret is a token just created: shown this once, never again.
	Secret string
	// PasswordError and TokenError place a form's error beside its form.
	PasswordError string
	TokenError    string
	RenewError    string
	Label         string
	// HasFeed is true when the member has a live personal feed token.
	HasFeed bool
	// Feed holds the feed links of a feed token just created: shown this
	// once (the database keeps only the token's hash).
	Feed *feedLinks
	// ConfirmError places the resend form's error beside it.
	ConfirmError string
	// MailEnabled tells whether a confirmation link can be sent again.
	MailEnabled bool
	// Followed are the tags the member follows.
	Followed []string
	// Mail is the e-mail preferences form: one choice per topic the
	// member can hear of. MailOn says the site sends e-mail at all.
	Mail      []mailTopic
	MailOn    bool
	MailError string
	// TimeZone is the member's zone as set ("" until set: the page's
	// script then offers the browser's); TimeZoneError its form's error.
	TimeZone      string
	TimeZoneError string
	// Referral is the member's referral link, balance and ledger (nil for
	// those without a referral code); PayOn says plans can be bought.
	Referral *referralView
	PayOn    bool
}

// mailTopic is one topic of the e-mail preferences form.
type mailTopic struct {
	Topic       qa.Topic
	Label, Hint string
	Modes       []mailModeChoice
}

// mailModeChoice is one choice (at once, daily, weekly, never) of a topic.
type mailModeChoice struct {
	Value   qa.MailMode
	Label   string
	Checked bool
}

// feedLinks are a member's personal Atom feed addresses.
type feedLinks struct {
	// All is the feed of every answer the member may read.
	All string
	// Tag is one tag's feed, as an example; TagName is that tag ("" when
	// the archive has no tags yet: Tag then shows the pattern).
	Tag, TagName string
}

// account shows the member's account: the password form and the API
// tokens.
func (w *Web) account(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	d, err := w.loadAccount(c, a)
	if err != nil {
		w.fail(c, err)
		return
	}
	w.render(c, "account", http.StatusOK, d)
}

func (w *Web) loadAccount(c *gin.Context, a qa.Actor) (*accountData, error) {
	ts, err := w.store.FindTokens(c.Request.Context(), a, a.MemberID())
	if err != nil {
		return nil, err
	}
	has, err := w.store.HasFeedToken(c.Request.Context(), a)
	if err != nil {
		return nil, err
	}
	followed, err := w.store.FollowedTags(c.Request.Context(), a)
	if err != nil {
		return nil, err
	}
	prefs, err := w.store.MailPrefs(c.Request.Context(), a)
	if err != nil {
		return nil, err
	}
	l := requestOf(c).l
	d := &accountData{Tokens: ts, HasFeed: has, Followed: followed, MailOn: w.mail, MailEnabled: w.mail, TimeZone: a.Member.TimeZone}
	for _, t := range qa.TopicsFor(a.Member) {
		mt := mailTopic{Topic: t, Label: l.T("prefs.topic." + string(t)), Hint: l.T("prefs.topic_hint." + string(t))}
		for _, m := range qa.MailModes {
			mt.Modes = append(mt.Modes, mailModeChoice{Value: m, Label: l.T("prefs.mode." + string(m)), Checked: prefs[t] == m})
		}
		d.Mail = append(d.Mail, mt)
	}
	if d.Referral, err = w.loadReferrals(c, a); err != nil {
		return nil, err
	}
	d.PayOn = w.store.PaymentsEnabled()
	return d, nil
}

// saveMailPrefs saves the e-mail preferences form: for each topic the
// member can hear of, the mode chosen (a topic the form leaves out keeps
// its mode).
func (w *Web) saveMailPrefs(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	prefs, err := w.store.MailPrefs(ctx, a)
	if err != nil {
		w.fail(c, err)
		return
	}
	for _, t := range qa.TopicsFor(a.Member) {
		v, given := c.GetPostForm("mode_" + string(t))
		if !given {
			continue
		}
		mode, err := qa.ParseMailMode(v)
		if err == nil && mode != prefs[t] {
			err = w.store.SetMailPref(ctx, a, t, mode)
		}
		if err != nil {
			w.accountError(c, a, err, func(d *accountData, msg string) { d.MailError = msg })
			return
		}
	}
	w.redirect(c, "/account", "mail_saved")
}

// saveTimeZone sets the zone the member reads times in; empty goes back
// to UTC.
func (w *Web) saveTimeZone(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	zone := c.PostForm("time_zone")
	if err := w.store.SetMemberTimeZone(c.Request.Context(), a, zone); err != nil {
		w.accountError(c, a, err, func(d *accountData, msg string) { d.TimeZone, d.TimeZoneError = zone, msg })
		return
	}
	w.redirect(c, "/account#time-zone", "time_zone_saved")
}

// accountError shows the account page again with a form's error.
func (w *Web) accountError(c *gin.Context, a qa.Actor, err error, set func(d *accountData, msg string)) {
	d, lerr := w.loadAccount(c, a)
	if lerr != nil {
		w.fail(c, lerr)
		return
	}
	switch qa.ErrorCode(err) {
	case qa.EINVALID, qa.EFORBIDDEN, qa.ERATELIMITED:
		set(d, w.errorText(requestOf(c).l, err))
		w.render(c, "account", statusOf[qa.ErrorCode(err)], d)
	default:
		w.fail(c, err)
	}
}

// changePassword sets a new password. Every session of the member ends
// (so a stolen cookie dies with the old password); this browser gets a
// fresh one.
func (w *Web) changePassword(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	next := c.PostForm("new_password")
	var err error = errPasswordsDiffer
	if next == c.PostForm("new_password2") {
		err = w.store.ChangePasswordFrom(c.Request.Context(), a, a.MemberID(), c.PostForm("current_password"), next, clientAddr(c))
	}
	if err != nil {
		w.accountError(c, a, err, func(d *accountData, msg string) { d.PasswordError = msg })
		return
	}
	if err := w.startSession(c, a.MemberID()); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/account", "password_changed")
}

// createToken makes an API token and shows its secret once. The page is
// not a redirect: the secret must not travel in a URL or a cookie.
func (w *Web) createToken(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	scope := qa.ScopeRead
	if c.PostForm("scope") == string(qa.ScopeWrite) {
		scope = qa.ScopeWrite
	}
	secret, _, err := w.store.CreateToken(c.Request.Context(), a, a.MemberID(), qa.TokenCreate{Label: c.PostForm("label"), Scope: scope})
	if err != nil {
		w.accountError(c, a, err, func(d *accountData, msg string) { d.TokenError, d.Label = msg, c.PostForm("label") })
		return
	}
	d, err := w.loadAccount(c, a)
	if err != nil {
		w.fail(c, err)
		return
	}
	d.Secret = secret
	c.Header("Cache-Control", "no-store")
	w.render(c, "account", http.StatusOK, d)
}

// revokeToken revokes one of the member's tokens; it stops working at once.
func (w *Web) revokeToken(c *gin.Context) {
	a, id, ok := w.memberAnd(c)
	if !ok {
		return
	}
	if err := w.store.RevokeToken(c.Request.Context(), a, id); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/account", "token_revoked")
}

// createFeedToken makes the member's personal feed token, replacing the
// one before (whose links stop working at once), and shows the feed links
// once. An expired member may have one too: their feed then holds the
// public answers only, as qa decides on every fetch.
func (w *Web) createFeedToken(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	tok, err := w.store.CreateFeedToken(ctx, a)
	if err != nil {
		w.fail(c, err)
		return
	}
	tags, err := w.store.FindTags(ctx, a)
	if err != nil {
		w.fail(c, err)
		return
	}
	d, err := w.loadAccount(c, a)
	if err != nil {
		w.fail(c, err)
		return
	}
	q := "?token=" + url.QueryEscape(tok)
	d.Feed = &feedLinks{All: w.baseURL + "/feeds/answers.atom" + q, Tag: w.baseURL + "/feeds/tags/{tag}.atom" + q}
	if len(tags) > 0 {
		d.Feed.TagName = tags[0].Tag
		d.Feed.Tag = w.baseURL + "/feeds/tags/" + url.PathEscape(tags[0].Tag) + ".atom" + q
	}
	c.Header("Cache-Control", "no-store")
	w.render(c, "account", http.StatusOK, d)
}

// revokeFeedToken ends the member's personal feed token: its links stop
// working at once.
func (w *Web) revokeFeedToken(c *gin.Context) {
	a, ok := w.signedIn(c)
	if !ok {
		return
	}
	if err := w.store.RevokeFeedToken(c.Request.Context(), a); err != nil {
		w.fail(c, err)
		return
	}
	w.redirect(c, "/account", "feed_revoked")
}
