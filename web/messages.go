package web

import (
	"fmt"
	"html/template"
	"sort"
	"text/template/parse"
)

// messageIDs returns the message ids a parsed page uses: the literal first
// argument of every call of the view's T method (".T", "$.T", "$.V.T", …).
// A call whose id is not a literal is an error: only literal ids can be
// checked against the catalogs at start.
func messageIDs(t *template.Template) ([]string, error) {
	seen := map[string]bool{}
	var err error
	var tree *parse.Tree
	where := func(n parse.Node) string { loc, _ := tree.ErrorContext(n); return loc }
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		if n == nil || err != nil {
			return
		}
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			if len(n.Args) > 0 && callsT(n.Args[0]) {
				if len(n.Args) < 2 {
					err = fmt.Errorf("%s: T without a message id", where(n))
					return
				}
				s, ok := n.Args[1].(*parse.StringNode)
				if !ok {
					err = fmt.Errorf("%s: T with a message id that is not a literal: %s", where(n), n)
					return
				}
				seen[s.Text] = true
			}
			for _, a := range n.Args {
				walk(a)
			}
		}
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			tree = tt.Tree
			walk(tt.Tree.Root)
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, err
}

// callsT reports whether a command's first word is the T method.
func callsT(n parse.Node) bool {
	var idents []string
	switch n := n.(type) {
	case *parse.FieldNode:
		idents = n.Ident
	case *parse.VariableNode:
		idents = n.Ident
	case *parse.ChainNode:
		idents = n.Field
	}
	return len(idents) > 0 && idents[len(idents)-1] == "T"
}
