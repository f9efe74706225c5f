package arch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// module is the module path; packages outside it are not ours and are not
// checked here.
const module = "answerbook"

// components are the parts of the program, each a package with its
// sub-packages; a package in none of them fails the test until it is added
// here (and to ARCHITECTURE.md or the README).
var components = []struct{ dir, name string }{
	{"qa", "qa"},
	{"search", "search"},
	{"mail", "mail"},
	{"payment", "payment"},
	{"api", "api"},
	{"web", "web"},
	{"cmd", "cmd"},
	{"internal/server", "server"},
	{"internal/servertest", "servertest"},
	{"internal/arch", "arch"},
	{"internal/gotool", "gotool"},
	{"internal/imagetest", "imagetest"},
	{"internal/pgtest", "pgtest"},
}

// allowed says which other components a component's non-test code may
// import: ARCHITECTURE.md's arrows, plus the wiring, which may import what
// cmd may (servertest also the router it starts; only tests import it).
var allowed = map[string][]string{
	"qa":         {},
	"search":     {"qa"},
	"mail":       {"qa", "gotool"},
	"payment":    {"qa", "gotool"},
	"api":        {"qa", "search"},
	"web":        {"qa", "search"},
	"cmd":        {"api", "web", "search", "qa", "mail", "payment", "server"},
	"server":     {"api", "web", "search", "qa"},
	"servertest": {"server", "api", "web", "search", "qa", "pgtest"},
	"arch":       {},
	"gotool":     {},
	"imagetest":  {}, // real image files for tests; only tests import it
	"pgtest":     {}, // Postgres schemas for tests; only tests import it
}

// component returns the component of an import path of the module, "" for
// one in none.
func component(path string) string {
	rel, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return ""
	}
	for _, c := range components {
		if rel == c.dir || strings.HasPrefix(rel, c.dir+"/") {
			return c.name
		}
	}
	return ""
}

// pkg is what the test needs of one package from go list.
type pkg struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	CgoFiles   []string
	Imports    []string
	Error      *struct{ Err string }
}

// violation is one forbidden arrow: pkg imports imp (in the files named).
type violation struct {
	pkg, imp string
	files    []string
	why      string
}

func (v violation) String() string {
	where := v.pkg
	if len(v.files) > 0 {
		where = strings.Join(v.files, ", ")
	}
	if v.imp == "" {
		return fmt.Sprintf("%s: %s", where, v.why)
	}
	return fmt.Sprintf("%s: %s imports %s: %s", where, v.pkg, v.imp, v.why)
}

// check returns every forbidden arrow among pkgs' non-test imports.
func check(pkgs []pkg) []violation {
	var out []violation
	for _, p := range pkgs {
		from := component(p.ImportPath)
		if from == "" {
			out = append(out, violation{pkg: p.ImportPath, why: "the package is in no component of ARCHITECTURE.md; add it to internal/arch's components and allowed"})
			continue
		}
		for _, imp := range p.Imports {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue // not ours
			}
			to := component(imp)
			if to == from || slices.Contains(allowed[from], to) {
				continue
			}
			why := fmt.Sprintf("%s may import only %s (ARCHITECTURE.md)", from, list(allowed[from]))
			if to == "" {
				why = imp + " is in no component of ARCHITECTURE.md"
			}
			out = append(out, violation{pkg: p.ImportPath, imp: imp, files: importingFiles(p, imp), why: why})
		}
	}
	return out
}

func list(cs []string) string {
	if len(cs) == 0 {
		return "nothing of ours"
	}
	return strings.Join(cs, ", ")
}

// importingFiles names the files of p (relative to the module) that import
// imp; none when they cannot be read (the package is then still named).
func importingFiles(p pkg, imp string) []string {
	var out []string
	fset := token.NewFileSet()
	for _, name := range append(slices.Clone(p.GoFiles), p.CgoFiles...) {
		path := filepath.Join(p.Dir, name)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			continue
		}
		for _, s := range f.Imports {
			if v, _ := strconv.Unquote(s.Path.Value); v == imp {
				pos := fset.Position(s.Pos())
				rel := strings.TrimPrefix(p.ImportPath, module)
				out = append(out, fmt.Sprintf("%s:%d", strings.TrimPrefix(rel+"/"+name, "/"), pos.Line))
			}
		}
	}
	return out
}

// listPackages runs go list over the whole module: every package with its
// non-test imports.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Dir,GoFiles,CgoFiles,Imports,Error", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil {
			t.Errorf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestImports fails on every import arrow of the module's non-test code
// that ARCHITECTURE.md forbids (web → api, qa → search, …), naming the file
// and line that draws it.
func TestImports(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < len(components) {
		t.Fatalf("go list found %d packages; the module has more", len(pkgs))
	}
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[component(p.ImportPath)] = true
	}
	for _, c := range components {
		if !seen[c.name] {
			t.Errorf("no package of component %s (%s/%s): a stale rule", c.name, module, c.dir)
		}
	}
	for _, v := range check(pkgs) {
		t.Error(v)
	}
}

// TestCheck: the checker catches the arrows ARCHITECTURE.md forbids and
// lets the drawn ones through.
func TestCheck(t *testing.T) {
	p := func(path string, imports ...string) pkg {
		return pkg{ImportPath: module + "/" + path, Imports: imports}
	}
	ours := func(path string) string { return module + "/" + path }
	cases := []struct {
		name string
		pkg  pkg
		bad  bool
	}{
		{"web → api", p("web", ours("api")), true},
		{"api → web", p("api", ours("web")), true},
		{"qa → search", p("qa", ours("search")), true},
		{"search → api", p("search", ours("api")), true},
		{"qa sub-package → web", p("qa/markdown", ours("web/i18n")), true},
		{"web sub-package → api sub-package", p("web/i18n", ours("api/client")), true},
		{"api → server", p("api", ours("internal/server")), true},
		{"mail → web", p("mail", ours("web")), true},
		{"mail → search", p("mail", ours("search")), true},
		{"web → mail", p("web", ours("mail")), true},
		{"server → mail", p("internal/server", ours("mail")), true},
		{"cmd → servertest", p("cmd/answerbook", ours("internal/servertest")), true},
		{"a package in no component", p("util", ours("qa")), true},
		{"an import in no component", p("web", ours("util")), true},
		{"qa → qa sub-package", p("qa", ours("qa/markdown"), "fmt", "gorm.io/gorm"), false},
		{"search → qa", p("search", ours("qa"), ours("qa/markdown")), false},
		{"mail → qa, qa/i18n", p("mail", ours("qa"), ours("qa/i18n")), false},
		{"cmd → mail", p("cmd/answerbook", ours("mail")), false},
		{"api → qa, search", p("api", ours("qa"), ours("search")), false},
		{"web → qa, search, own sub-package", p("web", ours("qa"), ours("search"), ours("web/i18n")), false},
		{"cmd → everything", p("cmd/answerbook", ours("api"), ours("web"), ours("search"), ours("qa/archive"), ours("internal/server")), false},
		{"server → api, web, search, qa", p("internal/server", ours("api"), ours("web"), ours("search"), ours("qa")), false},
		{"servertest → server", p("internal/servertest", ours("internal/server"), ours("qa"), ours("search")), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := check([]pkg{tc.pkg})
			if tc.bad && len(v) == 0 {
				t.Fatalf("%s passes the check", tc.name)
			}
			if !tc.bad && len(v) > 0 {
				t.Fatalf("%s fails the check: %v", tc.name, v)
			}
		})
	}
}

// TestCheck_NamesTheFile: a violation names the file and line of the import.
func TestCheck_NamesTheFile(t *testing.T) {
	dir := t.TempDir()
	src := "package web\n\nimport (\n\t\"fmt\"\n\n\t\"answerbook/api\"\n)\n\nvar _ = fmt.Sprint\nvar _ api.API\n"
	if err := writeFile(filepath.Join(dir, "page.go"), src); err != nil {
		t.Fatal(err)
	}
	v := check([]pkg{{ImportPath: module + "/web", Dir: dir, GoFiles: []string{"page.go"}, Imports: []string{module + "/api"}}})
	if len(v) != 1 {
		t.Fatalf("violations: %v", v)
	}
	want := "web/page.go:6: answerbook/web imports answerbook/api: web may import only qa, search (ARCHITECTURE.md)"
	if got := v[0].String(); got != want {
		t.Fatalf("violation reads\n%s\nwant\n%s", got, want)
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o644) }
