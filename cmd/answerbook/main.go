// Command answerbook runs the answerbook site and API and administers its
// data: answerbook <command> [flags]; see README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/alecthomas/kong"

	"answerbook/internal/server"
)

// version is set at build time (-ldflags "-X main.version=…").
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a command may touch of the outside world, so tests can run
// commands in-process.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// exitInterrupted is the exit status of a command stopped by SIGINT or
// SIGTERM (128 + SIGINT, as shells report it).
const exitInterrupted = 130

// exitError carries a specific exit status through kong.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// cliVars are the values the flags' tags refer to (${version} …).
func cliVars() kong.Vars {
	return kong.Vars{"version": "answerbook " + version, "gcPercent": strconv.Itoa(server.DefaultGCPercent)}
}

// run parses args and runs the command, returning the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("answerbook"),
		kong.Description("answerbook — a curated Q&A knowledge base for a paid community."),
		kong.Writers(stdout, stderr),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Exit(func(c int) { panic(exitError(c)) }),
		cliVars(),
	)
	if err != nil {
		fmt.Fprintln(stderr, "answerbook:", err)
		return 2
	}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(exitError); ok {
				code = int(e)
				return
			}
			panic(r)
		}
	}()
	kctx, err := parser.Parse(args)
	if err != nil {
		// Usage goes to stderr with the error, so stdout stays clean for
		// scripts.
		parser.Stdout = stderr
		var pe *kong.ParseError
		if errors.As(err, &pe) {
			_ = pe.Context.PrintUsage(true)
		} else if kctx != nil {
			_ = kctx.PrintUsage(true)
		}
		fmt.Fprintln(stderr, "\nanswerbook: error:", err)
		return 2
	}
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	if err := kctx.Run(&cli.Globals, e); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			return int(ee)
		}
		fmt.Fprintln(stderr, "answerbook:", userMessage(err))
		return 1
	}
	return 0
}
