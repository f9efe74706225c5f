package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"answerbook/qa"
	"answerbook/search"
)

// IndexCmd groups the search index commands.
type IndexCmd struct {
	Export IndexExportCmd `cmd:"" help:"Write a snapshot of this data directory's search index (no server running on it) to a file."`
	Import IndexImportCmd `cmd:"" help:"Make a snapshot — a file, or a running server's /api/v1/index/snapshot — this data directory's search index, before its server starts."`
}

// IndexExportCmd is "index export".
type IndexExportCmd struct {
	Out string `required:"" help:"File to write (must not exist)." type:"path"`
}

// Run writes the snapshot.
func (c *IndexExportCmd) Run(g *Globals, e *env) error {
	if _, err := os.Lstat(c.Out); err == nil {
		return qa.Errorf(qa.EINVALID, "%s exists: choose a new file", c.Out)
	}
	s, err := g.openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	ix, err := search.Open(search.Config{Dir: filepath.Join(g.Data, "index"), Store: s, Logger: newLogger(e.stderr, "warn")})
	if err != nil {
		return err
	}
	defer ix.Close()
	f, err := os.OpenFile(c.Out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	start := time.Now()
	seq, err := ix.Snapshot(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(c.Out)
		return err
	}
	fi, _ := os.Stat(c.Out)
	fmt.Fprintf(e.stderr, "wrote the search index (up to change %d, %d bytes) to %s in %v\n", seq, fi.Size(), c.Out, time.Since(start).Round(time.Millisecond))
	return nil
}

// IndexImportCmd is "index import".
type IndexImportCmd struct {
	Source string `arg:"" help:"A snapshot file, or the address of a running server of the same site (https://answers.example.com)."`
	Token  string `env:"ANSWERBOOK_TOKEN" help:"The expert's API token, to fetch the snapshot from a server."`
}

// Run fetches or reads the snapshot and installs it; the server started
// afterwards follows the change log from the snapshot's seq.
func (c *IndexImportCmd) Run(g *Globals, e *env) error {
	start := time.Now()
	var r io.Reader
	if strings.HasPrefix(c.Source, "http://") || strings.HasPrefix(c.Source, "https://") {
		if c.Token == "" {
			return qa.Errorf(qa.EINVALID, "--token (or ANSWERBOOK_TOKEN): the expert's API token is needed to fetch the index from %s", c.Source)
		}
		req, err := http.NewRequestWithContext(e.ctx, "GET", strings.TrimRight(c.Source, "/")+"/api/v1/index/snapshot", nil)
		if err != nil {
			return qa.Errorf(qa.EINVALID, "%s is not a server address: %v", c.Source, err)
		}
		req.Header.Set("Authorization", "Bearer "+c.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
			return fmt.Errorf("%s answered %s: %s", c.Source, res.Status, strings.TrimSpace(string(b)))
		}
		r = res.Body
	} else {
		f, err := os.Open(c.Source)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	seq, err := search.ImportSnapshot(filepath.Join(g.Data, "index"), r)
	if err != nil {
		if errors.Is(err, e.ctx.Err()) && e.ctx.Err() != nil {
			return exitError(exitInterrupted)
		}
		return err
	}
	fmt.Fprintf(e.stderr, "installed the search index (up to change %d) in %v; the server follows the changes made since when it starts\n", seq, time.Since(start).Round(time.Millisecond))
	return nil
}
