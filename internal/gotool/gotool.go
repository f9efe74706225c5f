// Package gotool finds the programs that tests start as real parts
// (mailpit, stripe-mock): on PATH, or in the Go bin directory, or — in
// neither — installed there with go install, once per process, so a fresh
// clone's tests need nothing installed by hand. Only test helpers
// (mail/mailtest, payment/stripetest) import it.
package gotool

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

type install struct {
	once sync.Once
	path string
	err  error
}

var installs sync.Map // module@version → *install

// Binary returns the path of the program name, built from module at
// version: found on PATH or in the Go bin directory, else installed there
// now.
func Binary(name, module, version string) (string, error) {
	v, _ := installs.LoadOrStore(module+"@"+version, &install{})
	in := v.(*install)
	in.once.Do(func() {
		if p, err := exec.LookPath(name); err == nil {
			in.path = p
			return
		}
		p := filepath.Join(Bin(), name)
		if _, err := os.Stat(p); err == nil {
			in.path = p
			return
		}
		out, err := exec.Command("go", "install", module+"@"+version).CombinedOutput()
		if err != nil {
			in.err = fmt.Errorf("go install %s@%s: %v\n%s", module, version, err, out)
			return
		}
		in.path = p
	})
	return in.path, in.err
}

// Bin is where go install puts programs: GOBIN, else GOPATH/bin.
func Bin() string {
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return filepath.Join(os.Getenv("HOME"), "go", "bin")
	}
	// One line each, GOBIN first (an empty line when unset).
	lines := strings.Split(string(out), "\n")
	if len(lines) < 2 {
		return filepath.Join(os.Getenv("HOME"), "go", "bin")
	}
	if gobin := strings.TrimSpace(lines[0]); gobin != "" {
		return gobin
	}
	gopath := strings.TrimSpace(lines[1])
	return filepath.Join(strings.Split(gopath, string(os.PathListSeparator))[0], "bin")
}

// FreePort returns a port of 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Start calls start up to three times (a free port may be taken between
// finding it and binding it) and fails the test with the last error.
func Start[T any](t testing.TB, name string, start func() (T, error)) T {
	t.Helper()
	var last error
	for try := 0; try < 3; try++ {
		v, err := start()
		if err == nil {
			return v
		}
		last = err
	}
	t.Fatalf("%s did not start: %v", name, last)
	var zero T
	return zero
}
