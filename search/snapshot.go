package search

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// Index snapshots: a new server joining a big site copies the index of a
// running one (or a file) instead of building its own from the database
// for minutes; its follower then applies the changes made since the
// snapshot's seq, as after any restart. A snapshot is a tar of one
// generation, taken with bleve's online copy (a consistent point: the
// documents and the applied seq of one root), plus a manifest.

// snapshotManifest names the snapshot's mapping version and seq.
const snapshotManifest = "ANSWERBOOK-INDEX"

// Bounds of a snapshot read from outside.
const (
	maxSnapshotFiles = 10000
	maxSnapshotFile  = 8 << 30
)

// Snapshot writes a consistent copy of the live index to w as a tar and
// returns the change-log seq it holds. Searches and the follower go on
// meanwhile.
func (ix *Index) Snapshot(w io.Writer) (int64, error) {
	tmp, err := os.MkdirTemp(ix.dir, "snapshot-")
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	defer os.RemoveAll(tmp)
	ix.mu.RLock()
	idx := ix.idx
	if idx == nil || ix.building.Load() {
		ix.mu.RUnlock()
		return 0, errors.New("snapshot: the index is being built")
	}
	c, ok := idx.(bleve.IndexCopyable)
	if !ok {
		ix.mu.RUnlock()
		return 0, errors.New("snapshot: the index cannot be copied online")
	}
	err = c.CopyTo(bleve.FileSystemDirectory(tmp))
	ix.mu.RUnlock()
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	copied, err := bleve.Open(tmp)
	if err != nil {
		return 0, fmt.Errorf("snapshot: open the copy: %w", err)
	}
	seq, err := checkIndex(copied)
	copied.Close()
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	tw := tar.NewWriter(w)
	manifest := []byte(mappingVersion + "\n" + strconv.FormatInt(seq, 10) + "\n")
	if err := tw.WriteHeader(&tar.Header{Name: snapshotManifest, Mode: 0o600, Size: int64(len(manifest)), ModTime: time.Now()}); err != nil {
		return 0, err
	}
	if _, err := tw.Write(manifest); err != nil {
		return 0, err
	}
	err = filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(tmp, p)
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: filepath.ToSlash(rel), Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime()}); err != nil {
			return err
		}
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	return seq, tw.Close()
}

// ImportSnapshot makes the snapshot read from r the live index of dir (a
// data directory's index, with no server running on it): it is unpacked
// as a new generation, checked (mapping version, seq, readable), and only
// then named in CURRENT, so a bad or cut-off snapshot leaves dir as it
// was. It returns the seq the follower will go on from.
func ImportSnapshot(dir string, r io.Reader) (int64, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return 0, err
	}
	if idx, _, err := openIndex(dir); err == nil {
		idx.Close()
	} else if errors.Is(err, errLocked) {
		return 0, err
	}
	gen := fmt.Sprintf("gen-%d", time.Now().UnixNano())
	target := filepath.Join(dir, gen)
	if err := os.Mkdir(target, 0o750); err != nil {
		return 0, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(target)
		}
	}()
	tr := tar.NewReader(r)
	var manifest []byte
	for files := 0; ; files++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("read the snapshot: %w", err)
		}
		if files > maxSnapshotFiles {
			return 0, errors.New("the snapshot holds too many files")
		}
		if h.Typeflag == tar.TypeDir {
			continue
		}
		name := path.Clean(h.Name)
		if h.Typeflag != tar.TypeReg || name == "." || path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") || h.Size < 0 || h.Size > maxSnapshotFile {
			return 0, fmt.Errorf("the snapshot holds an entry that is not a plain file inside it: %q", h.Name)
		}
		if name == snapshotManifest {
			if manifest, err = io.ReadAll(io.LimitReader(tr, 1024)); err != nil {
				return 0, err
			}
			continue
		}
		p := filepath.Join(target, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			return 0, err
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return 0, err
		}
		_, err = io.CopyN(f, tr, h.Size)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, fmt.Errorf("read the snapshot: %w", err)
		}
	}
	lines := strings.Fields(string(manifest))
	if len(lines) != 2 || lines[0] != mappingVersion {
		return 0, fmt.Errorf("not an index snapshot of this version (manifest %q, want mapping %s)", manifest, mappingVersion)
	}
	idx, err := bleve.Open(target)
	if err != nil {
		return 0, fmt.Errorf("the snapshot does not open: %w", err)
	}
	seq, err := checkIndex(idx)
	idx.Close()
	if err != nil {
		return 0, fmt.Errorf("the snapshot: %w", err)
	}
	if want := lines[1]; strconv.FormatInt(seq, 10) != want {
		return 0, fmt.Errorf("the snapshot's seq %d is not its manifest's %s", seq, want)
	}
	tmp := filepath.Join(dir, currentFile+".tmp")
	if err := os.WriteFile(tmp, []byte(gen+"\n"), 0o600); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, filepath.Join(dir, currentFile)); err != nil {
		return 0, err
	}
	ok = true
	// The generations it replaces are of no use any more.
	if old, err := filepath.Glob(filepath.Join(dir, "gen-*")); err == nil {
		for _, g := range old {
			if filepath.Base(g) != gen {
				os.RemoveAll(g)
			}
		}
	}
	return seq, nil
}
