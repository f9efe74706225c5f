package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"answerbook/qa"
)

// TestMessages checks that every message a user can be shown — every key in
// qa's table — is translated in both languages, uses only the arguments the
// error carries, and reads as Chinese in Chinese.
func TestMessages(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	en, zh := c.Localizers()[0], c.Localizers()[1]
	if zh.Code() != "zh-Hans" {
		t.Fatalf("second localizer is %s", zh.Code())
	}
	raw := map[string]map[string]string{}
	for _, name := range []string{"en.toml", "zh-Hans.toml"} {
		raw[name] = flatten(t, name)
	}
	keys := qa.Keys()
	if len(keys) < 100 {
		t.Fatalf("only %d keys", len(keys))
	}
	for _, k := range keys {
		id := string(k)
		if !c.Has(id) {
			t.Errorf("%s: no translation in both catalogs (add it to en.toml and zh-Hans.toml under [err])", id)
			continue
		}
		allowed := map[string]bool{}
		for _, a := range qa.KeyArgs(k) {
			allowed[a] = true
		}
		for name, msgs := range raw {
			for _, m := range placeholderRE.FindAllStringSubmatch(msgs[id], -1) {
				if !allowed[m[1]] {
					t.Errorf("%s in %s uses {{.%s}}, which the error does not carry (it carries %v)", id, name, m[1], qa.KeyArgs(k))
				}
			}
		}
		// Fill every argument with a sample and read the message back.
		args := qa.Args{}
		for _, a := range qa.KeyArgs(k) {
			args[a] = sampleArg(a)
		}
		e := qa.E(k, args)
		if e.Code != qa.KeyCode(k) || e.Message == "" {
			t.Errorf("%s: E gives code %q message %q", id, e.Code, e.Message)
		}
		if strings.Contains(e.Message, "<no value>") || strings.Contains(e.Message, "%!") {
			t.Errorf("%s: English text %q", id, e.Message)
		}
		zhText, enText := zh.Error(e), en.Error(e)
		if zhText == id || enText == id || strings.Contains(zhText, "<no value>") || strings.Contains(enText, "<no value>") {
			t.Errorf("%s: en %q, zh %q", id, enText, zhText)
		}
		if !hasHan(zhText) {
			t.Errorf("%s: the Chinese text %q has no Chinese in it", id, zhText)
		}
	}
}

func sampleArg(name string) any {
	switch name {
	case "Field":
		return "question_body"
	case "Status", "From", "To":
		return string(qa.StatusDeclined)
	case "Max", "Min", "Got", "N", "Minutes", "Done", "Total", "Offset":
		return 12345
	}
	return "x"
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

var placeholderRE = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// flatten reads a catalog into id → message (plural forms joined).
func flatten(t *testing.T, name string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for id, forms := range readCatalog(t, name) {
		var b strings.Builder
		for _, f := range forms {
			b.WriteString(f)
		}
		out[id] = b.String()
	}
	return out
}

// TestErrorSites walks the source of every package that serves pages or the
// API (qa, search, api, web and below) and checks that each error they can
// return is keyed: no qa.Errorf (whose text has no translation) outside the
// command line, and every key written as a string literal is in qa's table.
// Together with TestMessages this proves a Chinese reader sees every error
// in Chinese.
func TestErrorSites(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, k := range qa.Keys() {
		known[string(k)] = true
	}
	sites := 0
	fset := token.NewFileSet()
	for _, dir := range []string{"qa", "search", "api", "web"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			f, err := parser.ParseFile(fset, path, src, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				name, pkg := callName(call.Fun)
				inQA := pkg == "qa" || (pkg == "" && f.Name.Name == "qa")
				if !inQA {
					return true
				}
				switch name {
				case "Errorf":
					t.Errorf("%s: qa.Errorf makes an error without a key; use qa.E with a key of qa/message.go", fset.Position(call.Pos()))
				case "E":
					sites++
					if lit, ok := call.Args[0].(*ast.BasicLit); ok {
						if s, _ := strconv.Unquote(lit.Value); !known[s] {
							t.Errorf("%s: key %s is not in qa's table", fset.Position(call.Pos()), lit.Value)
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if sites < 100 {
		t.Fatalf("found only %d keyed error sites; is the walk looking in the right place?", sites)
	}
	t.Logf("%d keyed error sites", sites)
}

// callName returns the called function's name and its package qualifier.
func callName(fun ast.Expr) (name, pkg string) {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name, ""
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return f.Sel.Name, x.Name
		}
		return f.Sel.Name, "?"
	}
	return "", ""
}
