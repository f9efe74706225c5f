package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Finding (security review): "export --out" and "backup --out" followed a
// planted symlink and wrote 0644 files holding secrets. Both now create
// their file exclusively (an existing name, symlink or not, is refused and
// left alone), never follow a link, and write mode 0600.
func TestSecurity_ExportAndBackupOut(t *testing.T) {
	data := t.TempDir()
	if code, _, e := cli(t, "", "migrate", "--data", data); code != 0 {
		t.Fatalf("migrate: %s", e)
	}
	for _, cmd := range []string{"export", "backup"} {
		t.Run(cmd, func(t *testing.T) {
			dir := t.TempDir()
			victim := filepath.Join(dir, "victim")
			if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
				t.Fatal(err)
			}
			// A symlink planted at the name, pointing at a file and at
			// nothing yet; and where the old export wrote its temp file.
			for _, target := range []string{victim, filepath.Join(dir, "created-by-the-link")} {
				out := filepath.Join(dir, "out-"+filepath.Base(target))
				if err := os.Symlink(target, out); err != nil {
					t.Fatal(err)
				}
				if code, _, _ := cli(t, "", cmd, "--data", data, "--out", out); code == 0 {
					t.Errorf("%s wrote through the symlink %s", cmd, out)
				}
			}
			if cmd == "export" {
				out := filepath.Join(dir, "planted.jsonl")
				if err := os.Symlink(victim, out+".tmp"); err != nil {
					t.Fatal(err)
				}
				if code, _, e := cli(t, "", cmd, "--data", data, "--out", out); code != 0 {
					t.Fatalf("export: %s", e)
				}
			}
			if b, _ := os.ReadFile(victim); string(b) != "precious" {
				t.Fatalf("the link's target was overwritten: %q", b)
			}
			if _, err := os.Lstat(filepath.Join(dir, "created-by-the-link")); err == nil {
				t.Fatal("a file was created through a dangling symlink")
			}
			// An existing plain file is not overwritten either.
			if code, _, e := cli(t, "", cmd, "--data", data, "--out", victim); code == 0 || !strings.Contains(e, "exists") {
				t.Fatalf("over an existing file: %d %s", code, e)
			}
			// A new file: 0600, and nothing left beside it.
			out := filepath.Join(dir, "fresh")
			if code, _, e := cli(t, "", cmd, "--data", data, "--out", out); code != 0 {
				t.Fatalf("%s: %s", cmd, e)
			}
			fi, err := os.Lstat(out)
			if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
				t.Fatalf("%s wrote %v, %v: want a regular file of mode 0600", cmd, fi.Mode(), err)
			}
			left, _ := filepath.Glob(filepath.Join(dir, ".answerbook-*"))
			if len(left) != 0 {
				t.Fatalf("left behind: %v", left)
			}
		})
	}
}
