package consensus

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestRulesReadTypedBlocks checks that the rules read blocks and
// transactions as package wire types them, and never walk a JSON tree:
// the codec is wire's, and a rule that pulled fields out of a wire.Value
// would check what it did not decode.
func TestRulesReadTypedBlocks(t *testing.T) {
	tree := map[string]bool{"Value": true, "Member": true, "Parse": true, "ObjectValue": true,
		"ArrayValue": true, "StringValue": true, "IntValue": true, "FloatValue": true, "NumValue": true,
		"AppendCanonical": true, "AppendCompact": true, "Hash": true, "BlockOf": true, "Blocks": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "wire" && tree[sel.Sel.Name] {
				t.Errorf("%s: uses wire.%s, a JSON tree", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			if sel.Sel.Name == "Get" {
				t.Errorf("%s: calls Get, reading a JSON tree", fset.Position(sel.Pos()))
			}
			return true
		})
	}
}
