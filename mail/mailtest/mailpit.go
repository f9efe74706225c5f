// Package mailtest starts a real SMTP server for tests — mailpit, which
// keeps what it receives and shows it through an HTTP API — and reads the
// delivered messages back. Only tests import it.
package mailtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"answerbook/internal/gotool"
)

// Version is the mailpit the tests use (LIBRARIES.md).
const Version = "v1.33.1"

// Mailpit is a running mailpit.
type Mailpit struct {
	// SMTPAddr is host:port of its SMTP server; API the base URL of its
	// HTTP API.
	SMTPAddr string
	API      string
	cmd      *exec.Cmd
	http     *http.Client
}

// Binary returns the path of mailpit: on PATH, or in the Go bin directory,
// or — when it is in neither — installed there now with go install (so a
// fresh clone's tests need nothing installed by hand).
func Binary() (string, error) {
	return gotool.Binary("mailpit", "github.com/axllent/mailpit", Version)
}

// Start starts mailpit on free ports of 127.0.0.1 (any SMTP user and
// password accepted, also without TLS) and stops it when the test ends.
func Start(t testing.TB) *Mailpit {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	return gotool.Start(t, "mailpit", func() (*Mailpit, error) { return start(t, bin) })
}

func start(t testing.TB, bin string) (*Mailpit, error) {
	smtpPort, httpPort := gotool.FreePort(t), gotool.FreePort(t)
	p := &Mailpit{SMTPAddr: "127.0.0.1:" + strconv.Itoa(smtpPort), API: "http://127.0.0.1:" + strconv.Itoa(httpPort),
		http: &http.Client{Timeout: 30 * time.Second}}
	var logs bytes.Buffer
	p.cmd = exec.Command(bin, "--smtp", p.SMTPAddr, "--listen", "127.0.0.1:"+strconv.Itoa(httpPort),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--smtp-disable-rdns", "--disable-version-check",
		"--max", "100000", "--database", filepath.Join(t.TempDir(), "mailpit.db"), "--quiet")
	p.cmd.Stdout, p.cmd.Stderr = &logs, &logs
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(exited) }()
	stop := func() {
		_ = p.cmd.Process.Kill()
		<-exited
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			return nil, fmt.Errorf("mailpit exited: %s", logs.String())
		default:
		}
		if res, err := p.http.Get(p.API + "/readyz"); err == nil {
			res.Body.Close()
			if c, err := net.DialTimeout("tcp", p.SMTPAddr, time.Second); err == nil && res.StatusCode == 200 {
				c.Close()
				break
			}
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("mailpit not ready after 30s: %s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(stop)
	return p, nil
}

// SMTPURL is the --smtp URL of this mailpit (no TLS; any user).
func (p *Mailpit) SMTPURL() string {
	return "smtp://user:secret@" + p.SMTPAddr + "?starttls=off"
}

// Address is a sender or recipient as mailpit reports it.
type Address struct {
	Name    string
	Address string
}

// Summary is one message of the list.
type Summary struct {
	ID        string
	MessageID string
	From      Address
	To        []Address
	Subject   string
	Created   time.Time
}

// Message is one message in full.
type Message struct {
	ID        string
	MessageID string
	From      Address
	To        []Address
	Subject   string
	Date      time.Time
	Text      string
	HTML      string
}

// Messages lists every message, newest first.
func (p *Mailpit) Messages(t testing.TB) []Summary {
	t.Helper()
	var out []Summary
	for start := 0; ; {
		var page struct {
			Total    int
			Messages []Summary
		}
		p.get(t, fmt.Sprintf("/api/v1/messages?start=%d&limit=1000", start), &page)
		out = append(out, page.Messages...)
		start += len(page.Messages)
		if len(page.Messages) == 0 || start >= page.Total {
			return out
		}
	}
}

// Count is how many messages mailpit holds.
func (p *Mailpit) Count(t testing.TB) int {
	t.Helper()
	var page struct{ Total int }
	p.get(t, "/api/v1/messages?limit=1", &page)
	return page.Total
}

// WaitCount waits until mailpit holds at least n messages and returns
// them; it fails the test after timeout.
func (p *Mailpit) WaitCount(t testing.TB, n int, timeout time.Duration) []Summary {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if c := p.Count(t); c >= n {
			return p.Messages(t)
		} else if time.Now().After(deadline) {
			t.Fatalf("mailpit holds %d messages after %v, want %d", c, timeout, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitTo waits for a message to addr and returns the newest.
func (p *Mailpit) WaitTo(t testing.TB, addr string, timeout time.Duration) *Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, s := range p.Messages(t) {
			for _, to := range s.To {
				if strings.EqualFold(to.Address, addr) {
					return p.Message(t, s.ID)
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message to %s after %v", addr, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Message reads one message.
func (p *Mailpit) Message(t testing.TB, id string) *Message {
	t.Helper()
	var m Message
	p.get(t, "/api/v1/message/"+id, &m)
	return &m
}

// Headers reads one message's headers, as the server received them
// (decoded).
func (p *Mailpit) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	h := map[string][]string{}
	p.get(t, "/api/v1/message/"+id+"/headers", &h)
	return h
}

// Raw reads one message's source.
func (p *Mailpit) Raw(t testing.TB, id string) string {
	t.Helper()
	res, err := p.http.Get(p.API + "/api/v1/message/" + id + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// DeleteAll deletes every message.
func (p *Mailpit) DeleteAll(t testing.TB) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, p.API+"/api/v1/messages", nil)
	res, err := p.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
}

func (p *Mailpit) get(t testing.TB, path string, out any) {
	t.Helper()
	res, err := p.http.Get(p.API + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("mailpit GET %s: %d %s", path, res.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("mailpit GET %s: %v: %s", path, err, b)
	}
}
