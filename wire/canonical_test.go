package wire

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	vectorsPath = "../testdata/canonical-vectors.json"
	chainPath   = "../testdata/reference-chain.json"
)

type vector struct {
	Wire      string `json:"wire"`
	Valid     bool   `json:"valid"`
	Canonical string `json:"canonical"`
	SHA256    string `json:"sha256"`
}

func loadVectors(tb testing.TB) []vector {
	tb.Helper()
	data, err := os.ReadFile(vectorsPath)
	if err != nil {
		tb.Fatalf("read vectors: %v", err)
	}
	var file struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		tb.Fatalf("decode vectors: %v", err)
	}
	if len(file.Vectors) == 0 {
		tb.Fatalf("no vectors in %s", vectorsPath)
	}
	return file.Vectors
}

func mustParse(tb testing.TB, data []byte) Value {
	tb.Helper()
	v, err := Parse(data)
	if err != nil {
		tb.Fatalf("Parse(%.60q): %v", data, err)
	}
	return v
}

func mustSyntaxError(tb testing.TB, data []byte) *SyntaxError {
	tb.Helper()
	v, err := Parse(data)
	if err == nil {
		tb.Fatalf("Parse(%.60q) = %s, want error", data, AppendCanonical(nil, v))
	}
	var se *SyntaxError
	if !errors.As(err, &se) {
		tb.Fatalf("Parse(%.60q) error %T %v, want *SyntaxError", data, err, err)
	}
	return se
}

func vectorName(i int, wire string) string {
	if len(wire) > 30 {
		wire = wire[:30]
	}
	return strconv.Itoa(i) + "_" + wire
}

func TestVectors(t *testing.T) {
	for i, vec := range loadVectors(t) {
		t.Run(vectorName(i, vec.Wire), func(t *testing.T) {
			if !vec.Valid {
				mustSyntaxError(t, []byte(vec.Wire))
				return
			}
			v := mustParse(t, []byte(vec.Wire))
			if got, want := string(AppendCanonical(nil, v)), vec.Canonical; got != want {
				t.Errorf("AppendCanonical = %q, want %q", got, want)
			}
			if got, want := Hash(v), vec.SHA256; got != want {
				t.Errorf("Hash = %s, want %s", got, want)
			}
		})
	}
}

func TestReferenceChainCompact(t *testing.T) {
	data, err := os.ReadFile(chainPath)
	if err != nil {
		t.Fatalf("read chain: %v", err)
	}
	// Flask's jsonify ends its body with one newline; the JSON is the rest.
	body, ok := bytes.CutSuffix(data, []byte("\n"))
	if !ok || bytes.HasSuffix(body, []byte("\n")) {
		t.Fatalf("%s does not end with exactly one newline", chainPath)
	}
	v := mustParse(t, body)
	if got, want := string(AppendCompact(nil, v)), string(body); got != want {
		t.Fatalf("AppendCompact differs from the file at byte %d", firstDiff(got, want))
	}

	chain, ok := v.Get("chain")
	if !ok || chain.Kind != Array || len(chain.Arr) < 2 {
		t.Fatalf("chain missing or too short: %v", chain.Kind)
	}
	// Each block names its predecessor's hash, which is the canonical hash.
	for i := 1; i < len(chain.Arr); i++ {
		prev, ok := chain.Arr[i].Get("previous_hash")
		if !ok || prev.Kind != String {
			t.Fatalf("block %d: previous_hash missing", i)
		}
		if got, want := Hash(chain.Arr[i-1]), prev.Str; got != want {
			t.Errorf("Hash(block %d) = %s, block %d says %s", i-1, got, i, want)
		}
	}
}

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		wantMsg string
	}{
		{"empty", "", "end of input"},
		{"only space", " \n\t\r", "end of input"},
		{"invalid UTF-8 in string", "\"a\xffb\"", "invalid UTF-8"},
		{"truncated UTF-8 in string", "\"a\xc3\"", "invalid UTF-8"},
		{"encoded surrogate in string", "\"\xed\xa0\x80\"", "invalid UTF-8"},
		{"invalid UTF-8 outside string", "[\xff]", "byte 0xff"},
		{"byte order mark", "\xef\xbb\xbf{}", "byte order mark"},
		{"lone high surrogate", `"\ud83d"`, "lone surrogate"},
		{"high surrogate then letter", `"\ud83dx"`, "lone surrogate"},
		{"high surrogate then non-low escape", `"\ud83d\u0041"`, "lone surrogate"},
		{"lone low surrogate", `"\ude00"`, "lone surrogate"},
		{"short unicode escape", `"\u12"`, "four hex digits"},
		{"bad hex in escape", `"\u12g4"`, "four hex digits"},
		{"unknown escape", `"\x41"`, "invalid escape"},
		{"leading zero", "01", "leading zeros"},
		{"negative leading zero", "-01", "leading zeros"},
		{"leading zero float", "00.5", "leading zeros"},
		{"plus sign", "+1", "unexpected character '+'"},
		{"bare fraction", ".5", "unexpected character '.'"},
		{"bare minus", "-", "end of input"},
		{"dot without digits", "1.", "after '.'"},
		{"exponent without digits", "1e", "in exponent"},
		{"exponent sign without digits", "1e+", "in exponent"},
		{"hex number", "0x10", "after top-level value"},
		{"NaN", "NaN", "NaN and Infinity"},
		{"Infinity", "Infinity", "NaN and Infinity"},
		{"minus Infinity", "-Infinity", "NaN and Infinity"},
		{"overflow", "1e400", "number 1e400 overflows float64"},
		{"negative overflow", "-1e400", "overflows float64"},
		{"huge exponent", "1e99999999999999999999", "overflows float64"},
		{"integer too long", strings.Repeat("9", MaxIntDigits+1), "exceeds the limit"},
		{"trailing garbage", `{"a": 1} x`, "after top-level value"},
		{"two values", "1 2", "after top-level value"},
		{"trailing comma array", "[1, 2,]", "trailing comma"},
		{"trailing comma object", `{"a": 1,}`, "trailing comma"},
		{"missing comma", "[1 2]", "expected ',' or ']'"},
		{"missing colon", `{"a" 1}`, "expected ':'"},
		{"unquoted key", `{a: 1}`, "as object key"},
		{"single quotes", `'a'`, "unexpected character"},
		{"comment", "[1 /* c */]", "expected ',' or ']'"},
		{"line comment", "// c\n1", "unexpected character '/'"},
		{"raw newline in string", "\"a\nb\"", "raw control character 0x0a"},
		{"raw tab in string", "\"a\tb\"", "raw control character 0x09"},
		{"raw NUL after escape", "\"\\n\x00\"", "raw control character 0x00"},
		{"unterminated string", `"abc`, "unterminated string"},
		{"unterminated escaped string", `"a\n`, "unterminated string"},
		{"backslash at end", `"a\`, "unterminated string"},
		{"unterminated array", "[1, 2", "unterminated array"},
		{"unterminated object", `{"a": 1`, "unterminated object"},
		{"bad literal", "tru", "expected true"},
		{"capital literal", "True", "unexpected character 'T'"},
		{"form feed is not white space", "\f1", "byte 0x0c"},
		{"non-breaking space", "\u00a01", "byte 0xc2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			se := mustSyntaxError(t, []byte(tt.input))
			if !strings.Contains(se.Msg, tt.wantMsg) {
				t.Errorf("Msg = %q, want it to contain %q", se.Msg, tt.wantMsg)
			}
			if se.Offset < 0 || se.Offset > len(tt.input) {
				t.Errorf("Offset = %d outside input of %d bytes", se.Offset, len(tt.input))
			}
		})
	}
}

func TestDeepNesting(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{"arrays", strings.Repeat("[", 100000)},
		{"closed arrays", strings.Repeat("[", 100000) + strings.Repeat("]", 100000)},
		{"objects", strings.Repeat(`{"a":`, 100000)},
		{"mixed", strings.Repeat(`[{"a":`, 50000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			se := mustSyntaxError(t, []byte(tt.input))
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("refusal took %v", elapsed)
			}
			if got, want := se.Msg, "nesting deeper than 64 levels"; got != want {
				t.Errorf("Msg = %q, want %q", got, want)
			}
		})
	}
}

func TestMaxDepth(t *testing.T) {
	nested := func(n int) []byte {
		return []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
	}
	v := mustParse(t, nested(MaxDepth))
	if got, want := string(AppendCanonical(nil, v)), string(nested(MaxDepth)); got != want {
		t.Errorf("AppendCanonical = %q, want %q", got, want)
	}
	if se := mustSyntaxError(t, nested(MaxDepth+1)); se.Offset != MaxDepth {
		t.Errorf("Offset = %d, want %d", se.Offset, MaxDepth)
	}
}

func TestIntegerDigits(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"longest", strings.Repeat("7", MaxIntDigits)},
		{"longest negative", "-" + strings.Repeat("7", MaxIntDigits)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := mustParse(t, []byte(tt.text))
			if got, want := string(AppendCanonical(nil, v)), tt.text; got != want {
				t.Errorf("AppendCanonical = %.20q..., want %.20q...", got, want)
			}
		})
	}
}

func TestSyntaxErrorPath(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		wantPath string
		wantOff  int
		wantErr  string
	}{
		{
			name:     "member",
			input:    `{"amount": NaN}`,
			wantPath: "amount",
			wantOff:  11,
			wantErr:  "invalid JSON at amount (offset 11): NaN and Infinity are not valid JSON numbers",
		},
		{
			name:     "nested array element",
			input:    `{"chain": [{}, {}, {}, {"transactions": [{"amount": 1e400}]}]}`,
			wantPath: "chain[3].transactions[0].amount",
			wantOff:  52,
			wantErr:  "invalid JSON at chain[3].transactions[0].amount (offset 52): number 1e400 overflows float64",
		},
		{
			name:     "top-level array",
			input:    `[1, [2, -Infinity]]`,
			wantPath: "[1][1]",
			wantOff:  8,
		},
		{
			name:     "array in array under key",
			input:    `{"m": [[0, 01]]}`,
			wantPath: "m[0][1]",
			wantOff:  11,
		},
		{
			name:     "odd key",
			input:    `{"a.b": {"c": x}}`,
			wantPath: `["a.b"].c`,
			wantOff:  14,
		},
		{
			name:    "top level",
			input:   `  1e400`,
			wantOff: 2,
			wantErr: "invalid JSON (offset 2): number 1e400 overflows float64",
		},
		{
			name:     "bad key is the object's error",
			input:    "{\"a\": {\"b\x01\": 1}}",
			wantPath: "a",
			wantOff:  9,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			se := mustSyntaxError(t, []byte(tt.input))
			if got, want := se.Path, tt.wantPath; got != want {
				t.Errorf("Path = %q, want %q", got, want)
			}
			if got, want := se.Offset, tt.wantOff; got != want {
				t.Errorf("Offset = %d, want %d", got, want)
			}
			if tt.wantErr != "" {
				if got, want := se.Error(), tt.wantErr; got != want {
					t.Errorf("Error() = %q, want %q", got, want)
				}
			}
		})
	}
}

func TestFormatFloat(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0.1, "0.1"},
		{1e16, "1e+16"},
		{1e-5, "1e-05"},
		{123456789.123456789, "123456789.12345679"},
		{math.Copysign(0, -1), "-0.0"},
		{0, "0.0"},
		{5e-324, "5e-324"},
		{1e22, "1e+22"},
		{1795869583.386834, "1795869583.386834"},
		{1e15, "1000000000000000.0"},
		{0.0001, "0.0001"},
		{9.999999999999999e-05, "9.999999999999999e-05"},
		{123.0, "123.0"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{-math.MaxFloat64, "-1.7976931348623157e+308"},
		{-1.5e-07, "-1.5e-07"},
		{2.2250738585072014e-308, "2.2250738585072014e-308"},
		{1e100, "1e+100"},
		{12345678901234567.0, "1.2345678901234568e+16"},
		{9999999999999998.0, "9999999999999998.0"},
		{0.5, "0.5"},
		{-100.0, "-100.0"},
		{1e21, "1e+21"},
		{2.5e-05, "2.5e-05"},
		{4.35e-05, "4.35e-05"},
		{1e-100, "1e-100"},
		{0.30000000000000004, "0.30000000000000004"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := FormatFloat(tt.f); got != tt.want {
				t.Errorf("FormatFloat(%v) = %q, want %q", tt.f, got, tt.want)
			}
		})
	}
}

func TestAppendString(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "test_from", `"test_from"`},
		{"empty", "", `""`},
		{"html and slash", "<a href='/x'>&</a>", `"<a href='/x'>&</a>"`},
		{"short escapes", "\"\\\n\r\t\b\f", `"\"\\\n\r\t\b\f"`},
		{"other controls", "\x00\x1f\x7f", `"\u0000\u001f\u007f"`},
		{"latin", "élève", `"\u00e9l\u00e8ve"`},
		{"hangul", "학생", `"\ud559\uc0dd"`},
		{"astral", "😀", `"\ud83d\ude00"`},
		{"line separators", "\u2028\u2029", `"\u2028\u2029"`},
		{"invalid UTF-8", "a\xffb", `"a\ufffdb"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(AppendString(nil, tt.in)); got != tt.want {
				t.Errorf("AppendString(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestStringEscapesDecoded(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"solidus", `"\/"`, "/"},
		{"upper hex", `"\u00E9"`, "é"},
		{"pair", `"\uD83D\uDE00"`, "😀"},
		{"NUL", `"\u0000"`, "\x00"},
		{"mixed", `"a\tb\u00e9c日"`, "a\tbéc日"},
		{"raw DEL", "\"\x7f\"", "\x7f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := mustParse(t, []byte(tt.input))
			if v.Kind != String {
				t.Fatalf("Kind = %v, want string", v.Kind)
			}
			if got, want := v.Str, tt.want; got != want {
				t.Errorf("Str = %q, want %q", got, want)
			}
		})
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		wantText  string
		wantInt   bool
		wantFloat float64
	}{
		{"int", "42", "42", true, 42},
		{"negative zero int", "-0", "0", true, 0},
		{"big int", "123456789012345678901234567890", "123456789012345678901234567890", true, 1.2345678901234568e29},
		{"int past float range", "1" + strings.Repeat("0", 400), "1" + strings.Repeat("0", 400), true, math.Inf(1)},
		{"float", "3.50", "3.5", false, 3.5},
		{"exponent float", "1E2", "100.0", false, 100},
		{"negative zero float", "-0.0", "-0.0", false, math.Copysign(0, -1)},
		{"underflow", "1e-400", "0.0", false, 0},
		{"negative underflow", "-1e-400", "-0.0", false, math.Copysign(0, -1)},
		{"zero with huge exponent", "0e99999999999", "0.0", false, 0},
		{"long mantissa", "0." + strings.Repeat("0", 300) + "1e300", "0.1", false, 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := mustParse(t, []byte(tt.input))
			if v.Kind != Number {
				t.Fatalf("Kind = %v, want number", v.Kind)
			}
			if got, want := v.Num.Text, tt.wantText; got != want {
				t.Errorf("Text = %q, want %q", got, want)
			}
			if got, want := v.Num.IsInt, tt.wantInt; got != want {
				t.Errorf("IsInt = %v, want %v", got, want)
			}
			if got, want := v.Num.Float, tt.wantFloat; got != want || math.Signbit(got) != math.Signbit(want) {
				t.Errorf("Float = %v, want %v", got, want)
			}
		})
	}
}

func TestInt64(t *testing.T) {
	tests := []struct {
		name   string
		num    Num
		want   int64
		wantOK bool
	}{
		{"small", IntValue(-4242).Num, -4242, true},
		{"max", mustParse(t, []byte("9223372036854775807")).Num, math.MaxInt64, true},
		{"min", mustParse(t, []byte("-9223372036854775808")).Num, math.MinInt64, true},
		{"too big", mustParse(t, []byte("9223372036854775808")).Num, 0, false},
		{"float", mustParse(t, []byte("3.0")).Num, 0, false},
		{"derived text", Num{IsInt: true, Float: 7}, 7, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.num.Int64()
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Int64() = %d, %v, want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestConstructors(t *testing.T) {
	tx := ObjectValue(
		Member{"timestamp", FloatValue(1795869583.386834)},
		Member{"sender", StringValue("학생")},
		Member{"amount", IntValue(1)},
		Member{"recipient", StringValue("test_to")},
		Member{"amount", FloatValue(0.25)}, // the last one wins
	)
	block := ObjectValue(
		Member{"transactions", ArrayValue(tx)},
		Member{"nonce", IntValue(-664736)},
		Member{"previous_hash", StringValue("00ab")},
		Member{"index", IntValue(3)},
		Member{"timestamp", NumValue(Num{Float: 1e16})},
		Member{"extra", ArrayValue(Value{}, Value{Kind: Bool, Bool: true}, ArrayValue())},
	)
	const want = `{"extra": [null, true, []], "index": 3, "nonce": -664736, "previous_hash": "00ab", ` +
		`"timestamp": 1e+16, "transactions": [{"amount": 0.25, "recipient": "test_to", ` +
		`"sender": "\ud559\uc0dd", "timestamp": 1795869583.386834}]}`
	if got := string(AppendCanonical(nil, block)); got != want {
		t.Errorf("AppendCanonical =\n%s\nwant\n%s", got, want)
	}
	sum := sha256.Sum256([]byte(want))
	if got, want := Hash(block), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("Hash = %s, want %s", got, want)
	}
	const wantCompact = `{"extra":[null,true,[]],"index":3,"nonce":-664736,"previous_hash":"00ab",` +
		`"timestamp":1e+16,"transactions":[{"amount":0.25,"recipient":"test_to",` +
		`"sender":"\ud559\uc0dd","timestamp":1795869583.386834}]}`
	if got := string(AppendCompact(nil, block)); got != wantCompact {
		t.Errorf("AppendCompact =\n%s\nwant\n%s", got, wantCompact)
	}

	if got, ok := tx.Get("amount"); !ok || got.Num.Text != "0.25" {
		t.Errorf(`Get("amount") = %+v, %v, want 0.25`, got, ok)
	}
	for _, key := range []string{"missing", "", "zzz", "a"} {
		if _, ok := tx.Get(key); ok {
			t.Errorf("Get(%q) found a member", key)
		}
	}
	if _, ok := StringValue("x").Get("x"); ok {
		t.Error("Get on a string found a member")
	}
}

func TestUnsortedObjectEncodesSorted(t *testing.T) {
	v := Value{Kind: Object, Obj: []Member{{"b", IntValue(1)}, {"a", IntValue(2)}, {"b", IntValue(3)}}}
	if got, want := string(AppendCanonical(nil, v)), `{"a": 2, "b": 3}`; got != want {
		t.Errorf("AppendCanonical = %s, want %s", got, want)
	}
}

func TestDuplicateKeysLastWins(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"adjacent", `{"a": 1, "a": 2}`, `{"a": 2}`},
		{"apart", `{"a": 1, "b": 0, "a": 3}`, `{"a": 3, "b": 0}`},
		{"three", `{"c": 1, "c": 2, "b": 0, "c": 3}`, `{"b": 0, "c": 3}`},
		{"unicode order", `{"é": 1, "z": 2, "😀": 3, "ｚ": 4}`, `{"z": 2, "\u00e9": 1, "\uff5a": 4, "\ud83d\ude00": 3}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := mustParse(t, []byte(tt.input))
			if got := string(AppendCanonical(nil, v)); got != tt.want {
				t.Errorf("AppendCanonical = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestLargeUnsortedObject(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{"just above insertion sort", 17},
		{"hundreds", 300},
		{"hostile size", 20000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Keys k<n-1> down to k0, each twice: first with -1, then with
			// its index, which must win.
			var in, want strings.Builder
			in.WriteString("{")
			for i := tt.n - 1; i >= 0; i-- {
				key := strconv.Quote("k" + strconv.Itoa(i))
				fmt.Fprintf(&in, "%s: -1, %s: %d", key, key, i)
				if i > 0 {
					in.WriteString(", ")
				}
			}
			in.WriteString("}")
			keys := make([]string, tt.n)
			for i := range keys {
				keys[i] = "k" + strconv.Itoa(i)
			}
			slices.Sort(keys)
			want.WriteString("{")
			for i, k := range keys {
				if i > 0 {
					want.WriteString(", ")
				}
				fmt.Fprintf(&want, "%q: %s", k, k[1:])
			}
			want.WriteString("}")

			start := time.Now()
			v := mustParse(t, []byte(in.String()))
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("Parse took %v", elapsed)
			}
			if got := string(AppendCanonical(nil, v)); got != want.String() {
				t.Errorf("AppendCanonical differs from want at byte %d", firstDiff(got, want.String()))
			}
			if got, ok := v.Get("k0"); !ok || got.Num.Text != "0" {
				t.Errorf(`Get("k0") = %+v, %v, want 0`, got, ok)
			}
		})
	}
}

// TestParseResultsIndependent guards the reuse of scratch space between
// calls: a value must not change when later documents are parsed.
func TestParseResultsIndependent(t *testing.T) {
	first := mustParse(t, []byte(`{"b": [1, {"c": "x"}], "a": ["y\n", 2]}`))
	want := string(AppendCanonical(nil, first))
	for range 10 {
		mustParse(t, []byte(`{"z": [9, 8, 7, {"q": "w\t"}], "y": [[6], [5]]}`))
		mustSyntaxError(t, []byte(`[[1, 2], {"a": [3, 4, "\ud800"]}]`))
	}
	if got := string(AppendCanonical(nil, first)); got != want {
		t.Errorf("first value changed: %s, want %s", got, want)
	}
}

func BenchmarkParseTransaction(b *testing.B) {
	body := []byte(`{"sender": "test_from", "recipient": "test_to", "amount": 3.5, "timestamp": 1795869583.386834}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendCanonicalBlock(b *testing.B) {
	data, err := os.ReadFile(chainPath)
	if err != nil {
		b.Fatal(err)
	}
	chain, ok := mustParse(b, data).Get("chain")
	if !ok || len(chain.Arr) < 2 {
		b.Fatal("reference chain has fewer than two blocks")
	}
	block := chain.Arr[1]
	buf := AppendCanonical(nil, block)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		buf = AppendCanonical(buf[:0], block)
	}
}
