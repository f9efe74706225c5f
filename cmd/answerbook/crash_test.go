package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"answerbook/qa"
	"answerbook/qa/archive"
	"answerbook/search"
)

// TestMain lets the test binary act as the answerbook binary, so that crash
// tests can run the real program in a child process and kill -9 it.
func TestMain(m *testing.M) {
	if os.Getenv("ANSWERBOOK_TEST_MAIN") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// program returns a command that runs answerbook with args in a child
// process.
func program(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "ANSWERBOOK_TEST_MAIN=1")
	return cmd
}

// writeArchive writes n bilingual questions with answers as JSONL.
func writeArchive(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	w := archive.NewJSONLWriter(bw)
	for i := 0; i < n; i++ {
		q := archive.Question{SourceID: fmt.Sprintf("q-%d", i), Title: fmt.Sprintf("问题 %d: how do I configure service %d?", i, i), Body: "细节 details", Tags: []string{"crash", fmt.Sprintf("t%d", i%7)}, Status: "answered"}
		a := archive.Answer{SourceID: fmt.Sprintf("a-%d", i), QuestionID: q.SourceID, Body: fmt.Sprintf("## 步骤 %d\n\nEdit the **config** file, then restart. 然后重启服务。", i)}
		if err := w.Question(q); err != nil {
			t.Fatal(err)
		}
		if err := w.Answer(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestCrash_KillDuringImport kills the import with SIGKILL partway, then
// starts the server: the index ends up holding exactly what the database
// holds, the database passes its integrity check, and importing again
// completes the archive without duplicating anything.
func TestCrash_KillDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test")
	}
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "archive.jsonl")
	const n = 6000
	writeArchive(t, file, n)

	// Kill the import once a third of the archive is in the database.
	cmd := program("import", "--data", dir, file)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	watch, err := qa.Open(context.Background(), qa.Config{DataDir: dir})
	for err != nil { // the child creates the database; wait for it
		time.Sleep(20 * time.Millisecond)
		watch, err = qa.Open(context.Background(), qa.Config{DataDir: dir})
	}
	killedAt := -1
	for killedAt < 0 {
		select {
		case err := <-exited:
			t.Fatalf("import finished before the kill: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
		if c, err := watch.CountPublishedAnswers(context.Background()); err == nil && c >= n/3 {
			cmd.Process.Kill() // SIGKILL: no clean-up of any kind
			<-exited
			killedAt = c
		}
	}
	watch.Close()
	t.Logf("import killed with about %d of %d answers in", killedAt, n)

	// Restart: the server's follower brings the index to the database.
	m := NewMain()
	m.Config.DataDir, m.Config.Addr = dir, "127.0.0.1:0"
	m.SetupLink = func(string) {}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := checkIndexMatchesDB(t, m.Store, m.Index); got >= n {
		t.Fatalf("the kill came too late: %d answers", got)
	}
	if ok, err := m.Store.IntegrityCheck(context.Background()); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	m.Close()

	// Importing again completes the archive, creating nothing twice.
	if out, err := program("import", "--data", dir, file).CombinedOutput(); err != nil {
		t.Fatalf("second import: %v\n%s", err, out)
	}
	m2 := NewMain()
	m2.Config.DataDir, m2.Config.Addr = dir, "127.0.0.1:0"
	m2.SetupLink = func(string) {}
	if err := m2.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if got := checkIndexMatchesDB(t, m2.Store, m2.Index); got != n {
		t.Fatalf("after the second import %d answers, want %d", got, n)
	}
}

// checkIndexMatchesDB waits for the follower to apply the whole change log
// and compares the index with the database; it returns the answer count.
func checkIndexMatchesDB(t *testing.T, s *qa.Store, ix *search.Index) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	seq, err := s.LastChangeSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.WaitFor(ctx, seq); err != nil {
		t.Fatalf("index did not catch up with seq %d: %v", seq, err)
	}
	dbCount, err := s.CountPublishedAnswers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ixCount, err := ix.Count()
	if err != nil {
		t.Fatal(err)
	}
	if int(ixCount) != dbCount {
		t.Fatalf("index holds %d answers, database %d", ixCount, dbCount)
	}
	// Every answer in the database is findable by its own words.
	res, err := ix.Search(ctx, search.Query{Text: "config 重启", PerPage: 1})
	if err != nil || res.Total != dbCount {
		t.Fatalf("search finds %v of %d: %v", res, dbCount, err)
	}
	t.Logf("database and index agree: %d answers", dbCount)
	return dbCount
}
