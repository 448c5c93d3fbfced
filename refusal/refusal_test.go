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

// TestMessagesKeepTheirWords checks that refusals once built as sentences
// where they happen still read, byte for byte, as clients and tests knew
// them.
func TestMessagesKeepTheirWords(t *testing.T) {
	for _, tc := range []struct {
		reason pybtc.Reason
		args   pybtc.Args
		want   string
	}{
		{pybtc.ReasonNodeListBody, pybtc.Args{}, "Error: Please supply a valid list of nodes: the body must be a JSON object with nodes"},
		{pybtc.ReasonNodeListItem, pybtc.Args{Field: "nodes"}, "Error: Please supply a valid list of nodes: nodes must hold URL strings"},
		{pybtc.ReasonNodeListMissing, pybtc.Args{Field: "nodes"}, "Error: Please supply a valid list of nodes: nodes must be a URL like http://127.0.0.1:5001 or a list of them"},
		{pybtc.ReasonBodyNotObject, pybtc.Args{Field: "miner_node"}, "the body must be a JSON object with miner_node"},
		{pybtc.ReasonURLMissing, pybtc.Args{Field: "nodes"}, "nodes must be the URL of a peer, like http://127.0.0.1:5001"},
		{pybtc.ReasonURLMissing, pybtc.Args{Field: "miner_node"}, "missing values: miner_node must be the URL of the node that mined"},
		{pybtc.ReasonCannotRemovePeers, pybtc.Args{}, "This node cannot remove peers."},
		{pybtc.ReasonQueryParam, pybtc.Args{Field: "since", Limit: 1}, "since must be a block index ≥ 1"},
		{pybtc.ReasonQueryParam, pybtc.Args{Field: "limit", Limit: 1}, "limit must be a number of blocks ≥ 1"},
		{pybtc.ReasonBodyUnreadable, pybtc.Args{Detail: "unexpected EOF"}, "request body could not be read: unexpected EOF"},
		{pybtc.ReasonAddressPath, pybtc.Args{}, "the address in the path is empty, too long or badly escaped"},
		{pybtc.ReasonTooManyStreams, pybtc.Args{}, "too many open event streams; try again later"},
		{pybtc.ReasonPageParam, pybtc.Args{Got: "x"}, `page must be a whole number of 1 or more, not "x"`},
		{pybtc.ReasonNoSuchPage, pybtc.Args{Count: 9, Limit: 2}, "There is no page 9: the last page is 2."},
		{pybtc.ReasonBlockName, pybtc.Args{Got: "zz"}, `A block is named by its height (1, 2, …) or its 64-character hex hash, not "zz".`},
		{pybtc.ReasonTxIDForm, pybtc.Args{Got: "ab"}, `A transaction id is 64 hex characters, not "ab".`},
		{pybtc.ReasonPeerURL, pybtc.Args{Field: "length", URL: "http://x", Limit: 2048}, `node URL "http://x" is longer than 2048 characters`},
		{pybtc.ReasonPeerURL, pybtc.Args{Field: "port_missing", URL: "http://x"}, `node URL "http://x" must have an explicit port, like http://127.0.0.1:5001`},
		{pybtc.ReasonChainRange, pybtc.Args{Height: 0, Count: -1}, "since must be ≥ 1 and limit ≥ 0, not 0 and -1"},
		{pybtc.ReasonUnknownPeer, pybtc.Args{URL: "http://127.0.0.1:5001"}, "Peer http://127.0.0.1:5001 is not known."},
		{pybtc.ReasonBlockNotFound, pybtc.Args{Height: 7}, "Block 7 not found."},
		{pybtc.ReasonChainEmpty, pybtc.Args{}, "The chain is empty."},
		{pybtc.ReasonNoBlockAt, pybtc.Args{Height: 99}, "There is no block at height 99."},
		{pybtc.ReasonNoBlockHash, pybtc.Args{Hash: "ab"}, "No block of the chain has the hash ab."},
		{pybtc.ReasonNoTransaction, pybtc.Args{ID: "ab"}, "No transaction has the id ab."},
		{pybtc.ReasonReorgID, pybtc.Args{Got: "x"}, `A reorganisation is named by its number (1, 2, …), not "x".`},
		{pybtc.ReasonNoReorg, pybtc.Args{Count: 7}, "No reorganisation has the number 7."},
		{pybtc.ReasonNoAddress, pybtc.Args{Address: "nobody"}, `No transaction names the address "nobody".`},
		{pybtc.ReasonNotOnTip, pybtc.Args{Height: 5, Parent: 3, Hash: "ab"}, "Block 5 does not extend the tip 3 ab."},
		{pybtc.ReasonNotLinked, pybtc.Args{Height: 5, Parent: 3}, "Block 5 does not build on block 3."},
		{pybtc.ReasonReorgEmpty, pybtc.Args{Height: 3}, "No blocks to replace the chain above 3 with."},
		{pybtc.ReasonNoForkBlock, pybtc.Args{Height: 3}, "No block 3 to fork from."},
		{pybtc.ReasonConstraint, pybtc.Args{Detail: "UNIQUE constraint failed"}, "UNIQUE constraint failed"},
		{pybtc.ReasonNoStaleBlock, pybtc.Args{Hash: "ab"}, "No stale block has the hash ab."},
		{pybtc.ReasonNoReorg, pybtc.Args{Count: 4}, "No reorganisation has the number 4."},
		{pybtc.ReasonLimitParam, pybtc.Args{Field: "limit", Limit: 100, Got: "x"}, `limit must be a whole number from 1 to 100, not "x"`},
		{pybtc.ReasonKeyAddress, pybtc.Args{Address: "pb1x", Field: "checksum"}, `"pb1x" is not a key address: its checksum does not match: a character is mistyped`},
		{pybtc.ReasonSignatureMissing, pybtc.Args{Address: "pb1x"}, `signature is required: a transaction from key address "pb1x" must be signed by its key`},
		{pybtc.ReasonSignatureForm, pybtc.Args{Got: "AB"}, `signature must be 128 lowercase hex characters, not "AB"`},
		{pybtc.ReasonSignatureWrong, pybtc.Args{Address: "pb1x"}, `signature is not by the key of "pb1x" over this transaction`},
	} {
		if got := refusal.English(tc.reason, tc.args); got != tc.want {
			t.Errorf("English(%s, %+v) = %q, want %q", tc.reason, tc.args, got, tc.want)
		}
	}
}

// TestEveryRefusalHasAReason fails when code outside this package builds
// an application error from a sentence (a pybtc.Errorf) or by hand: every
// refusal goes through pybtc.Refuse with a reason, so that programs can
// tell it apart and readers get it in their language.
func TestEveryRefusalHasAReason(t *testing.T) {
	calls := 0
	eachProductionFile(t, func(fset *token.FileSet, file *ast.File) {
		// The root package names its own identifiers without "pybtc.".
		root := file.Name.Name == "pybtc"
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if isPybtc(n.Fun, "Errorf", root) {
					t.Errorf("%s: pybtc.Errorf words a refusal where it happens; use pybtc.Refuse with a reason", fset.Position(n.Pos()))
				}
				if isPybtc(n.Fun, "Refuse", root) {
					calls++
				}
			case *ast.CompositeLit:
				if !root && isPybtc(n.Type, "Error", root) {
					t.Errorf("%s: a pybtc.Error built by hand may lack a reason; use pybtc.Refuse", fset.Position(n.Pos()))
				}
			}
			return true
		})
	})
	if calls < 30 {
		t.Fatalf("found only %d calls of pybtc.Refuse: the walk no longer reads the code", calls)
	}
}

// isPybtc reports whether x names the root package's identifier name:
// pybtc.name, or name alone inside the root package.
func isPybtc(x ast.Expr, name string, root bool) bool {
	switch x := x.(type) {
	case *ast.SelectorExpr:
		pkg, ok := x.X.(*ast.Ident)
		return ok && pkg.Name == "pybtc" && x.Sel.Name == name
	case *ast.Ident:
		return root && x.Name == name
	}
	return false
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
	eachProductionFile(t, func(fset *token.FileSet, file *ast.File) {
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
	})
}

// eachProductionFile calls f with every non-test Go file of the module
// outside this package (and outside testdata and hidden folders), parsed.
func eachProductionFile(t *testing.T, f func(fset *token.FileSet, file *ast.File)) {
	t.Helper()
	const root = ".."
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
		f(fset, file)
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

// TestOverdraftWithNothingPending: an overdraft with nothing on its way
// out names only the balance, in each language, instead of "0 is already
// being sent"; with something pending it names that too.
func TestOverdraftWithNothingPending(t *testing.T) {
	coins := func(n int64) pybtc.Sum { return pybtc.SumOf(pybtc.Amount(n) * pybtc.Coin) }
	for _, tc := range []struct {
		name            string
		reason          pybtc.Reason
		pending         pybtc.Sum
		message, en, ko string
	}{
		{"Nothing", pybtc.ReasonOverdraft, pybtc.Sum{},
			`amount 12 exceeds what sender "alice" can spend: 10 pyBTC (confirmed balance 10)`,
			"You can send at most 10 pyBTC: your balance is 10.",
			"최대 10 pyBTC까지 보낼 수 있습니다: 잔액은 10입니다."},
		{"Some", pybtc.ReasonOverdraft, coins(4),
			`amount 12 exceeds what sender "alice" can spend: 6 pyBTC (confirmed balance 10 minus 4 pending)`,
			"You can send at most 6 pyBTC: your balance is 10 and 4 is already on its way out.",
			"최대 6 pyBTC까지 보낼 수 있습니다: 잔액은 10이고 그중 4은(는) 이미 보내는 중입니다."},
		{"NothingInBlock", pybtc.ReasonOverdraftInBlock, pybtc.Sum{},
			`amount 12 exceeds what sender "alice" can spend: 10 pyBTC (confirmed balance 10)`,
			`"alice" can spend only 10 pyBTC: its balance is 10.`,
			`"alice"는 10 pyBTC만 쓸 수 있습니다: 잔액은 10입니다.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := pybtc.Overdraft(tc.reason, "alice", 12*pybtc.Coin, coins(10), tc.pending)
			if got := refusal.Message(e); got != tc.message {
				t.Errorf("message %q, want %q", got, tc.message)
			}
			if got := refusal.Sentence("en", e); got != tc.en {
				t.Errorf("English %q, want %q", got, tc.en)
			}
			if got := refusal.Sentence("ko", e); got != tc.ko {
				t.Errorf("Korean %q, want %q", got, tc.ko)
			}
		})
	}
}
