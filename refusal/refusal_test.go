package refusal_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/refusal"
	"github.com/pybtc/pybtc/wire"
)

// TestEveryReasonIsWorded checks that each reason has its own protocol
// message and a sentence for people in English and in Korean.
func TestEveryReasonIsWorded(t *testing.T) {
	args := pybtc.Args{Field: "recipient", Got: "string", Detail: "oops", Address: "alice", ID: "ab", Limit: 3, Count: 4, Height: 5}
	for _, r := range pybtc.Reasons {
		t.Run(string(r), func(t *testing.T) {
			if got := refusal.English(r, args); got == "" || strings.HasPrefix(got, "refused (") {
				t.Errorf("English(%s) = %q, want the rule worded", r, got)
			}
			e := pybtc.Refuse(pybtc.EINVALID, r, args)
			en, ko := refusal.Sentence("en", e), refusal.Sentence("ko", e)
			if en == "" || strings.HasPrefix(en, "Refused (") {
				t.Errorf("English sentence %q, want the rule worded", en)
			}
			if ko == en || !strings.ContainsFunc(ko, func(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }) {
				t.Errorf("Korean sentence %q, want it in Hangul", ko)
			}
		})
	}
}

// TestProtocolMessages checks that the protocol's messages are, byte for
// byte, what clients of the tutorial's protocol read.
func TestProtocolMessages(t *testing.T) {
	const now = 1795869600.0
	tx := func(sender, recipient, amount string) string {
		return `{"sender": ` + sender + `, "recipient": ` + recipient + `, "amount": ` + amount + `}`
	}
	for _, tc := range []struct {
		name, body, want string
		reason           pybtc.Reason
	}{
		{"Missing", `{"sender": "a", "amount": 1}`, "missing values: recipient is required", pybtc.ReasonFieldMissing},
		{"NotObject", `[1]`, "request body must be a JSON object with sender, recipient and amount, not a list", pybtc.ReasonBodyKind},
		{"SenderType", tx(`1`, `"b"`, `1`), "sender must be a string, not a number", pybtc.ReasonFieldType},
		{"AmountType", tx(`"a"`, `"b"`, `"1"`), "amount must be a JSON number, not a string", pybtc.ReasonFieldType},
		{"AmountNull", tx(`"a"`, `"b"`, `null`), "amount must be a JSON number, not null", pybtc.ReasonFieldType},
		{"Empty", tx(`"a"`, `""`, `1`), "recipient must not be empty", pybtc.ReasonAddressEmpty},
		{"TooLong", tx(`"`+strings.Repeat("x", 129)+`"`, `"b"`, `1`), "sender must be at most 128 characters", pybtc.ReasonAddressTooLong},
		{"Control", tx(`"a"`, `"b\n"`, `1`), "recipient must not contain control characters", pybtc.ReasonControlChars},
		{"MasterSends", tx(`"master"`, `"b"`, `1`), `sender "master" is reserved for the mining reward`, pybtc.ReasonMasterReserved},
		{"MasterPaid", tx(`"a"`, `"master"`, `1`), `recipient "master" is reserved for the mining reward and cannot be paid`, pybtc.ReasonMasterReserved},
		{"Type", `{"sender": "a", "recipient": "b", "amount": 1, "type": "gift"}`, `type must be "sharing" (a peer's relay) or left out`, pybtc.ReasonBadType},
		{"Zero", tx(`"a"`, `"b"`, `0`), "amount must be a positive number with at most 8 decimal places; got 0", pybtc.ReasonAmountNotPositive},
		{"Decimals", tx(`"a"`, `"b"`, `0.123456789`), "amount must be a positive number with at most 8 decimal places; got 0.123456789", pybtc.ReasonAmountDecimals},
		{"TooLarge", tx(`"a"`, `"b"`, `100000001`), "amount must be at most 100000000; got 100000001", pybtc.ReasonAmountTooLarge},
		{"Timestamp", `{"sender": "a", "recipient": "b", "amount": 1, "type": "sharing", "timestamp": "1"}`, "timestamp must be a finite number", pybtc.ReasonTimestampNotFinite},
		{"Future", `{"sender": "a", "recipient": "b", "amount": 1, "type": "sharing", "timestamp": 1795880400.5}`, "timestamp must not be more than 2 hours ahead of this node's clock", pybtc.ReasonTimestampAhead},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := consensus.ParseNewTransaction([]byte(tc.body), now)
			e, ok := refusal.Of(err)
			if !ok || e.Reason != tc.reason || e.Code != pybtc.EINVALID {
				t.Fatalf("refusal %v, want EINVALID %s", err, tc.reason)
			}
			if got := refusal.Message(err); got != tc.want {
				t.Fatalf("message %q, want %q", got, tc.want)
			}
		})
	}
	overdraft := pybtc.Overdraft(pybtc.ReasonOverdraft, "alice", 6*pybtc.Coin, pybtc.SumOf(10*pybtc.Coin), pybtc.SumOf(5*pybtc.Coin))
	if got, want := refusal.Message(overdraft), `amount 6 exceeds what sender "alice" can spend: 5 pyBTC (confirmed balance 10 minus 5 pending)`; got != want {
		t.Errorf("overdraft: %q, want %q", got, want)
	}
}

// TestRuleErrorIsARefusal checks that a consensus rule error is a refusal
// whose reason names the rule.
func TestRuleErrorIsARefusal(t *testing.T) {
	b := wire.BlockOf(wire.StringValue("x"))
	_, err := consensus.DecodeBlock(&b, 0)
	e, ok := refusal.Of(err)
	if !ok || e.Reason != pybtc.ReasonBlockRule || e.Args.Field != consensus.ErrMalformed.String() {
		t.Fatalf("refusal of %v: %+v, want block_rule %s", err, e, consensus.ErrMalformed)
	}
	if got := refusal.Message(err); got != err.Error() {
		t.Fatalf("message %q, want the rule's description %q", got, err.Error())
	}
}

// TestNoCodeMatchesRefusalText fails when code outside this package sorts
// errors by their text (strings.Contains(msg, ...), err.Error() == ...)
// or holds a refusal's wording: refusals are told apart by their reason,
// and worded here only.
func TestNoCodeMatchesRefusalText(t *testing.T) {
	// Fragments of every protocol message, as long literal runs.
	var fragments []string
	for _, r := range pybtc.Reasons {
		msg := refusal.English(r, pybtc.Args{Field: "\x00", Got: "\x00", Detail: "\x00", Address: "\x00", ID: "\x00"})
		for _, f := range strings.FieldsFunc(msg, func(r rune) bool { return r == 0 || r == '"' || (r >= '0' && r <= '9') }) {
			if f = strings.TrimSpace(f); len(f) >= 16 {
				fragments = append(fragments, f)
			}
		}
	}
	if len(fragments) < 20 {
		t.Fatalf("only %d fragments of refusal text", len(fragments))
	}
	sorters := map[string]bool{"Contains": true, "HasPrefix": true, "HasSuffix": true, "Index": true, "EqualFold": true}
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "refusal" || name == "testdata" || (strings.HasPrefix(name, ".") && path != root) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					break
				}
				s, err := strconv.Unquote(n.Value)
				if err != nil {
					break
				}
				for _, f := range fragments {
					if strings.Contains(s, f) {
						t.Errorf("%s: holds the refusal wording %q", fset.Position(n.Pos()), f)
					}
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "ruleError" {
					// A consensus rule's description travels as the
					// Detail of ReasonBlockRule.
					return false
				}
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || len(n.Args) == 0 {
					break
				}
				if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "strings" || !sorters[sel.Sel.Name] {
					break
				}
				if isErrorText(n.Args[0]) {
					t.Errorf("%s: sorts an error by its text", fset.Position(n.Pos()))
				}
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && (isErrorText(n.X) && isText(n.Y) || isErrorText(n.Y) && isText(n.X)) {
					t.Errorf("%s: compares an error's text", fset.Position(n.Pos()))
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

// isErrorText reports whether x reads an error's text: err.Error(), a
// .Message or .Description, refusal.Message(...), or a variable msg.
func isErrorText(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.Ident:
		return x.Name == "msg"
	case *ast.SelectorExpr:
		return x.Sel.Name == "Message" || x.Sel.Name == "Description"
	case *ast.CallExpr:
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
			return sel.Sel.Name == "Error" || sel.Sel.Name == "Message" || sel.Sel.Name == "ErrorMessage"
		}
	}
	return false
}

// isText reports whether x is a non-empty string literal.
func isText(x ast.Expr) bool {
	lit, ok := x.(*ast.BasicLit)
	return ok && lit.Kind == token.STRING && lit.Value != `""` && lit.Value != "``"
}
