// Package mail sends the e-mail of the outbox (qa.Mail) over SMTP: it
// renders each message in its member's language from the catalogs of
// qa/i18n, as plain text and HTML, and delivers it with go-mail, with
// retries and backoff, recording every attempt in the store.
//
// It is an adapter around one dependency (github.com/wneessen/go-mail), as
// search is around bleve: it imports qa and qa/i18n, and only cmd imports
// it.
package mail

import (
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"

	"answerbook/qa"
)

// Security is how the connection to the SMTP server is protected.
type Security int

// Securities.
const (
	// StartTLS: plain connection upgraded with STARTTLS, which the server
	// must offer (smtp://).
	StartTLS Security = iota
	// Plain: no TLS at all (smtp://…?starttls=off), for a relay on the same
	// machine or a test server.
	Plain
	// ImplicitTLS: TLS from the first byte (smtps://).
	ImplicitTLS
)

// SMTP is a parsed --smtp URL.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	Security Security
}

// String is the URL without its password, for logs.
func (s *SMTP) String() string {
	u := url.URL{Scheme: "smtp", Host: s.Host + ":" + strconv.Itoa(s.Port)}
	if s.Security == ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.Username != "" {
		u.User = url.UserPassword(s.Username, "xxxxx")
	}
	if s.Security == Plain {
		u.RawQuery = "starttls=off"
	}
	return u.String()
}

// ParseSMTP parses the --smtp URL: smtp://user:pass@host:587 (STARTTLS
// required unless ?starttls=off; port 587 by default) or
// smtps://user:pass@host:465 (implicit TLS; port 465 by default). User and
// password are optional and percent-encoded. It returns EINVALID
// (KeySMTPURL, the URL shown without its password) for anything else.
func ParseSMTP(raw string) (*SMTP, error) {
	shown := raw
	bad := func(reason string) error {
		return qa.E(qa.KeySMTPURL, qa.Args{"URL": shown, "Reason": reason})
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 { // never echo a password
			shown = "…" + raw[i:]
		}
		return nil, bad("not a URL")
	}
	shown = u.Redacted()
	s := &SMTP{Host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		s.Port = 587
	case "smtps":
		s.Port, s.Security = 465, ImplicitTLS
	default:
		return nil, bad("the scheme must be smtp or smtps")
	}
	if s.Host == "" {
		return nil, bad("no host")
	}
	if u.Path != "" && u.Path != "/" || u.Fragment != "" || u.Opaque != "" {
		return nil, bad("a path is not allowed")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, bad("the port must be 1 to 65535")
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	for k, vs := range u.Query() {
		switch {
		case k == "starttls" && len(vs) == 1 && (vs[0] == "off" || vs[0] == "false"):
			if s.Security == ImplicitTLS {
				return nil, bad("starttls=off is for smtp://, not smtps://")
			}
			s.Security = Plain
		case k == "starttls" && len(vs) == 1 && (vs[0] == "on" || vs[0] == "true" || vs[0] == "required"):
		default:
			return nil, bad("the only option is starttls=off")
		}
	}
	return s, nil
}

// ParseFrom parses --mail-from, "Name <addr@example.com>" or a bare
// address; EINVALID (KeyMailFrom) otherwise. A name may not hold line
// breaks (net/mail refuses them), so it cannot add headers.
func ParseFrom(s string) (*netmail.Address, error) {
	a, err := netmail.ParseAddress(strings.TrimSpace(s))
	if err != nil || !strings.Contains(a.Address, "@") || strings.ContainsAny(s, "\r\n") {
		return nil, qa.E(qa.KeyMailFrom, qa.Args{"From": s})
	}
	return a, nil
}
