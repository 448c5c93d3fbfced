// This file is the byte-exact JSON codec on which block hashes depend.
//
// The reference node is written in Python: a block's hash is the SHA-256
// of json.dumps(block, sort_keys=True), and its HTTP answers are written
// by Flask's jsonify. Any difference in a single byte (a float written as
// "1e16" instead of "1e+16", an "é" left unescaped, a key out of order)
// gives a different hash and splits the network, so encoding/json is not
// used: the codec reproduces Python 3.11's json module exactly, and
// refuses what the reference node could not round-trip. It is safe for
// concurrent use.

package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects Parse accepts.
// Blocks nest three levels deep; the limit keeps hostile input such as a
// megabyte of '[' from exhausting the stack.
const MaxDepth = 64

// MaxIntDigits is the largest number of digits Parse accepts in an
// integer. It is CPython's default int_max_str_digits (3.11 and later):
// the reference node refuses longer integers, so accepting them here would
// let a peer create a block the reference node cannot read.
const MaxIntDigits = 4300

// Kind tells which JSON type a Value holds. Encoding a Value whose Kind is
// not one of the constants below is a programming error and panics.
type Kind uint8

// The JSON types, in the order of RFC 8259.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// Name returns the kind as refusals name it (pybtc.Args.Got): "boolean"
// and "list", as people say them; "" for an unknown kind.
func (k Kind) Name() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "list"
	case Object:
		return "object"
	}
	return ""
}

// String returns the JSON name of the kind, for messages.
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "bool"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one decoded JSON value. Objects keep members sorted by key,
// unique. The zero Value is null.
type Value struct {
	Kind Kind
	Bool bool     // Kind == Bool
	Str  string   // Kind == String
	Num  Num      // Kind == Number
	Arr  []Value  // Kind == Array
	Obj  []Member // Kind == Object, sorted by Key, keys unique
}

// Member is one key/value pair of a JSON object.
type Member struct {
	Key   string
	Value Value
}

// Num is a JSON number kept in canonical text so that re-encoding is
// exact: Python keeps integers of any size, which no Go numeric type does.
type Num struct {
	Text  string  // canonical text: "3", "3.0", "1e+16", "-0.0"
	IsInt bool    // written without '.', 'e', 'E' on the wire
	Float float64 // the value as float64 (for integers: nearest float64, ±Inf beyond its range)
	// written is the text as it came, when Parse read a float written
	// otherwise than Text ("0.10000000000000000001" is Text "0.1"): the
	// policy on amounts reads the number as written. Empty otherwise.
	written string
}

// WrittenText returns the number as it was written on the wire.
func (n Num) WrittenText() string {
	if n.written != "" {
		return n.written
	}
	return n.Text
}

// SyntaxError describes why Parse refused its input.
type SyntaxError struct {
	Offset int    // byte offset in the input
	Path   string // where in the document, e.g. "chain[3].transactions[0].amount"; "" for top level
	Msg    string // what is wrong
}

// Error formats the error with its path, when there is one, and offset.
func (e *SyntaxError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("invalid JSON (offset %d): %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("invalid JSON at %s (offset %d): %s", e.Path, e.Offset, e.Msg)
}

// under prefixes the error's path with the segment of an enclosing
// container. Paths are built only while an error unwinds, so that
// successful parses pay nothing for them.
func (e *SyntaxError) under(seg string) {
	switch {
	case e.Path == "":
		e.Path = seg
	case e.Path[0] == '[':
		e.Path = seg + e.Path
	default:
		e.Path = seg + "." + e.Path
	}
}

func indexSeg(i int) string { return "[" + strconv.Itoa(i) + "]" }

// keySeg writes plain keys bare, as in "chain[3].amount", and quotes the
// others so that a key holding '.', '[' or control characters cannot make
// the path ambiguous or garble a log line.
func keySeg(k string) string {
	if k == "" {
		return `[""]`
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return "[" + strconv.Quote(k) + "]"
		}
	}
	return k
}

const errNonFinite = "NaN and Infinity are not valid JSON numbers"

// Parse decodes one JSON document, accepting exactly what Python's
// json.loads accepts and can write back, minus non-finite numbers,
// integers longer than MaxIntDigits, nesting deeper than MaxDepth and
// lone surrogate escapes. A byte order mark is refused like any other
// byte outside the grammar. Errors are *SyntaxError.
func Parse(data []byte) (Value, error) {
	d := decoderPool.Get().(*decoder)
	d.data = data
	d.pos = 0
	v, err := d.parseTop()
	d.release()
	if err != nil {
		return Value{}, err
	}
	return v, nil
}

// decoder holds scratch stacks shared by all containers of one document:
// children are gathered there and copied once into an exactly sized slice,
// so each array or object costs one allocation however many elements it has.
type decoder struct {
	data []byte
	pos  int
	vals []Value
	mems []Member
	buf  []byte
}

var decoderPool = sync.Pool{New: func() any { return new(decoder) }}

// maxPooledScratch bounds what a pooled decoder keeps, so that one huge
// document does not pin its memory for the life of the process.
const maxPooledScratch = 4096

func (d *decoder) release() {
	d.data = nil
	// The scratch stacks still reference decoded strings and slices; clear
	// them so the pool does not keep the caller's values alive.
	if cap(d.vals) > maxPooledScratch {
		d.vals = nil
	} else {
		clear(d.vals[:cap(d.vals)])
		d.vals = d.vals[:0]
	}
	if cap(d.mems) > maxPooledScratch {
		d.mems = nil
	} else {
		clear(d.mems[:cap(d.mems)])
		d.mems = d.mems[:0]
	}
	if cap(d.buf) > maxPooledScratch {
		d.buf = nil
	}
	decoderPool.Put(d)
}

func (d *decoder) fail(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// describe names the byte at off for an error message.
func (d *decoder) describe(off int) string {
	if off >= len(d.data) {
		return "end of input"
	}
	c := d.data[off]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("character %q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) parseTop() (Value, *SyntaxError) {
	if len(d.data) >= 3 && d.data[0] == 0xef && d.data[1] == 0xbb && d.data[2] == 0xbf {
		return Value{}, d.fail(0, "byte order mark is not allowed")
	}
	v, err := d.parseValue(0)
	if err != nil {
		return Value{}, err
	}
	d.skipSpace()
	if d.pos < len(d.data) {
		return Value{}, d.fail(d.pos, "unexpected %s after top-level value", d.describe(d.pos))
	}
	return v, nil
}

// parseValue parses the value at d.pos; depth counts the containers
// around it.
func (d *decoder) parseValue(depth int) (Value, *SyntaxError) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return Value{}, d.fail(d.pos, "unexpected end of input, expected a value")
	}
	switch c := d.data[d.pos]; c {
	case '{', '[':
		if depth >= MaxDepth {
			return Value{}, d.fail(d.pos, "nesting deeper than %d levels", MaxDepth)
		}
		if c == '{' {
			return d.parseObject(depth + 1)
		}
		return d.parseArray(depth + 1)
	case '"':
		s, err := d.parseString()
		if err != nil {
			return Value{}, err
		}
		return Value{Kind: String, Str: s}, nil
	case 't':
		return d.literal("true", Value{Kind: Bool, Bool: true})
	case 'f':
		return d.literal("false", Value{Kind: Bool})
	case 'n':
		return d.literal("null", Value{})
	case 'N', 'I':
		if d.hasPrefix("NaN") || d.hasPrefix("Infinity") {
			return Value{}, d.fail(d.pos, errNonFinite)
		}
	default:
		if c == '-' || '0' <= c && c <= '9' {
			return d.parseNumber()
		}
	}
	return Value{}, d.fail(d.pos, "unexpected %s, expected a value", d.describe(d.pos))
}

func (d *decoder) hasPrefix(s string) bool {
	return len(d.data)-d.pos >= len(s) && string(d.data[d.pos:d.pos+len(s)]) == s
}

func (d *decoder) literal(word string, v Value) (Value, *SyntaxError) {
	if !d.hasPrefix(word) {
		return Value{}, d.fail(d.pos, "invalid literal, expected %s", word)
	}
	d.pos += len(word)
	return v, nil
}

func (d *decoder) parseArray(depth int) (Value, *SyntaxError) {
	open := d.pos
	d.pos++
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return Value{Kind: Array}, nil
	}
	base := len(d.vals)
	for n := 0; ; n++ {
		v, err := d.parseValue(depth)
		if err != nil {
			err.under(indexSeg(n))
			return Value{}, err
		}
		d.vals = append(d.vals, v)
		d.skipSpace()
		if d.pos >= len(d.data) {
			return Value{}, d.fail(open, "unterminated array")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.skipSpace()
			if d.pos < len(d.data) && d.data[d.pos] == ']' {
				return Value{}, d.fail(d.pos, "trailing comma in array")
			}
			continue
		case ']':
			d.pos++
		default:
			return Value{}, d.fail(d.pos, "unexpected %s, expected ',' or ']' after array element", d.describe(d.pos))
		}
		break
	}
	arr := make([]Value, len(d.vals)-base)
	copy(arr, d.vals[base:])
	d.vals = d.vals[:base]
	return Value{Kind: Array, Arr: arr}, nil
}

func (d *decoder) parseObject(depth int) (Value, *SyntaxError) {
	open := d.pos
	d.pos++
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return Value{Kind: Object}, nil
	}
	base := len(d.mems)
	for {
		if d.pos >= len(d.data) {
			return Value{}, d.fail(open, "unterminated object")
		}
		if d.data[d.pos] != '"' {
			return Value{}, d.fail(d.pos, "unexpected %s, expected a string as object key", d.describe(d.pos))
		}
		key, err := d.parseString()
		if err != nil {
			return Value{}, err
		}
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return Value{}, d.fail(d.pos, "unexpected %s, expected ':' after object key", d.describe(d.pos))
		}
		d.pos++
		v, err := d.parseValue(depth)
		if err != nil {
			err.under(keySeg(key))
			return Value{}, err
		}
		d.mems = append(d.mems, Member{Key: key, Value: v})
		d.skipSpace()
		if d.pos >= len(d.data) {
			return Value{}, d.fail(open, "unterminated object")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.skipSpace()
			if d.pos < len(d.data) && d.data[d.pos] == '}' {
				return Value{}, d.fail(d.pos, "trailing comma in object")
			}
			continue
		case '}':
			d.pos++
		default:
			return Value{}, d.fail(d.pos, "unexpected %s, expected ',' or '}' after object member", d.describe(d.pos))
		}
		break
	}
	obj := normalizeMembers(d.mems[base:])
	d.mems = d.mems[:base]
	return Value{Kind: Object, Obj: obj}, nil
}

// normalizeMembers returns a new slice holding ms sorted by key, keeping
// only the last member of each key as Python's dict does. ms is not
// modified. Peers usually send sorted keys (Flask does), so that case is a
// single copy.
func normalizeMembers(ms []Member) []Member {
	out := make([]Member, len(ms))
	if sortedUnique(ms) {
		copy(out, ms)
		return out
	}
	if len(ms) <= 16 {
		// Objects of the protocol are this small: a stable insertion sort
		// in place needs no further allocation.
		copy(out, ms)
		for i := 1; i < len(out); i++ {
			for j := i; j > 0 && out[j-1].Key > out[j].Key; j-- {
				out[j-1], out[j] = out[j], out[j-1]
			}
		}
	} else {
		// Sorting indexes moves ints rather than Members; ties broken by
		// position make the unstable sort stable.
		idx := make([]int, len(ms))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			if c := strings.Compare(ms[a].Key, ms[b].Key); c != 0 {
				return c
			}
			return a - b
		})
		for i, j := range idx {
			out[i] = ms[j]
		}
	}
	// Equal keys are adjacent, in input order: keep the last of each run.
	w := 0
	for i := range out {
		if i+1 < len(out) && out[i+1].Key == out[i].Key {
			continue
		}
		out[w] = out[i]
		w++
	}
	clear(out[w:])
	return out[:w:w]
}

func sortedUnique(ms []Member) bool {
	for i := 1; i < len(ms); i++ {
		if ms[i-1].Key >= ms[i].Key {
			return false
		}
	}
	return true
}

// parseString parses the string at d.pos. Strings without escapes, by far
// the common case, are converted straight from the input.
func (d *decoder) parseString() (string, *SyntaxError) {
	data := d.data
	open := d.pos
	start := open + 1
	i := start
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return internString(data[start:i]), nil
		case c == '\\':
			return d.parseEscapedString(start, i)
		case c < 0x20:
			return "", d.fail(i, "raw control character 0x%02x in string (must be escaped)", c)
		case c < 0x80:
			i++
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return "", d.fail(i, "invalid UTF-8 in string")
			}
			i += size
		}
	}
	return "", d.fail(open, "unterminated string")
}

// internString converts b to a string, sharing one copy of the keys every
// block and transaction repeats instead of allocating each time. The
// switch on string(b) does not allocate.
func internString(b []byte) string {
	switch string(b) {
	case "amount":
		return "amount"
	case "chain":
		return "chain"
	case "index":
		return "index"
	case "length":
		return "length"
	case "nonce":
		return "nonce"
	case "previous_hash":
		return "previous_hash"
	case "recipient":
		return "recipient"
	case "sender":
		return "sender"
	case "timestamp":
		return "timestamp"
	case "transactions":
		return "transactions"
	}
	return string(b)
}

// parseEscapedString continues parseString from the first backslash at i,
// decoding into the scratch buffer.
//
// Python accepts lone surrogate escapes such as "\ud800" and writes them
// back unchanged; a Go string is UTF-8 and cannot hold them, so they are
// refused here. That is the one input Python accepts and Parse does not
// besides NaN, Infinity and over-long integers.
func (d *decoder) parseEscapedString(start, i int) (string, *SyntaxError) {
	data := d.data
	buf := append(d.buf[:0], data[start:i]...)
	defer func() { d.buf = buf[:0] }()
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(buf), nil
		case c == '\\':
			if i+1 >= len(data) {
				return "", d.fail(i, "unterminated string")
			}
			esc := data[i+1]
			switch esc {
			case '"', '\\', '/':
				buf = append(buf, esc)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(data[i+2:])
				if !ok {
					return "", d.fail(i, "invalid \\u escape, expected four hex digits")
				}
				switch {
				case utf16.IsSurrogate(r) && r < 0xdc00:
					// A high surrogate must be followed by a low one.
					var r2 rune = -1
					if len(data) >= i+12 && data[i+6] == '\\' && data[i+7] == 'u' {
						r2, _ = hex4(data[i+8:])
					}
					if r2 < 0xdc00 || r2 > 0xdfff {
						return "", d.fail(i, "lone surrogate \\u%04x in string", r)
					}
					buf = utf8.AppendRune(buf, utf16.DecodeRune(r, r2))
					i += 6
				case utf16.IsSurrogate(r):
					return "", d.fail(i, "lone surrogate \\u%04x in string", r)
				default:
					buf = utf8.AppendRune(buf, r)
				}
				i += 4
			default:
				return "", d.fail(i, "invalid escape %s in string", d.describe(i+1))
			}
			i += 2
		case c < 0x20:
			return "", d.fail(i, "raw control character 0x%02x in string (must be escaped)", c)
		case c < 0x80:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return "", d.fail(i, "invalid UTF-8 in string")
			}
			buf = append(buf, data[i:i+size]...)
			i += size
		}
	}
	return "", d.fail(start-1, "unterminated string")
}

// hex4 decodes the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// parseNumber parses the number at d.pos following RFC 8259's grammar,
// which is also the regular expression of Python's json scanner.
func (d *decoder) parseNumber() (Value, *SyntaxError) {
	data := d.data
	start := d.pos
	i := start
	neg := data[i] == '-'
	if neg {
		i++
		if i < len(data) && data[i] == 'I' && len(data)-i >= 8 && string(data[i:i+8]) == "Infinity" {
			return Value{}, d.fail(start, errNonFinite)
		}
	}
	switch {
	case i >= len(data):
		return Value{}, d.fail(i, "unexpected end of input in number")
	case data[i] == '0':
		i++
		if i < len(data) && isDigit(data[i]) {
			return Value{}, d.fail(start, "leading zeros are not allowed in numbers")
		}
	case isDigit(data[i]):
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	default:
		return Value{}, d.fail(i, "unexpected %s in number, expected a digit", d.describe(i))
	}
	isInt := true
	if i < len(data) && data[i] == '.' {
		isInt = false
		i++
		if i >= len(data) || !isDigit(data[i]) {
			return Value{}, d.fail(i, "unexpected %s in number, expected a digit after '.'", d.describe(i))
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		isInt = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			return Value{}, d.fail(i, "unexpected %s in number, expected a digit in exponent", d.describe(i))
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	text := data[start:i]
	d.pos = i

	if isInt {
		digits := text
		if neg {
			digits = text[1:]
		}
		if len(digits) > MaxIntDigits {
			return Value{}, d.fail(start, "integer of %d digits exceeds the limit of %d digits", len(digits), MaxIntDigits)
		}
		if len(digits) == 1 && digits[0] == '0' {
			// Python's int has no negative zero: -0 is written back as 0.
			return Value{Kind: Number, Num: Num{Text: "0", IsInt: true}}, nil
		}
		var f float64
		if len(digits) <= 18 {
			var n int64
			for _, c := range digits {
				n = n*10 + int64(c-'0')
			}
			if neg {
				n = -n
			}
			f = float64(n)
		} else {
			// Text keeps the exact value; Float is only the nearest float64,
			// ±Inf past its range, so a range error is no reason to refuse.
			f, _ = strconv.ParseFloat(string(text), 64)
		}
		return Value{Kind: Number, Num: Num{Text: string(text), IsInt: true, Float: f}}, nil
	}

	f, err := strconv.ParseFloat(string(text), 64)
	if math.IsInf(f, 0) {
		return Value{}, d.fail(start, "number %s overflows float64", Abbreviate(text))
	}
	if err != nil && !isRangeErr(err) {
		return Value{}, d.fail(start, "invalid number %s", Abbreviate(text))
	}
	var buf [32]byte
	canon := appendFloat(buf[:0], f)
	num := Num{Text: string(canon), Float: f}
	if string(canon) != string(text) {
		num.written = string(text)
	}
	return Value{Kind: Number, Num: num}, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Abbreviate keeps error messages short when a hostile number is long.
func Abbreviate(b []byte) string {
	if len(b) > 40 {
		return string(b[:37]) + "..."
	}
	return string(b)
}

// FormatFloat writes f as Python's repr() does, which is what json.dumps
// writes for a float: the shortest digits that read back as f, positional
// when 1e-4 <= |f| < 1e16 (with ".0" when there is no fraction), exponent
// form otherwise ("1e+16", "1.5e-07"). The caller guarantees f is finite;
// for NaN and ±Inf it returns "NaN", "Infinity" and "-Infinity", as
// json.dumps does, which Parse refuses.
func FormatFloat(f float64) string {
	var buf [32]byte
	return string(appendFloat(buf[:0], f))
}

func appendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	// strconv's shortest round-trip digits are the same as Python's repr
	// (both pick the shortest string that reads back, nearest on ties);
	// only the layout differs.
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64) // [-]d[.ddd]e±dd[d]
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	ePos := 0
	for e[ePos] != 'e' {
		ePos++
	}
	mant, expText := e[:ePos], e[ePos+1:]
	var digits [24]byte
	nd := 0
	for _, c := range mant {
		if c != '.' {
			digits[nd] = c
			nd++
		}
	}
	exp := 0
	for _, c := range expText[1:] {
		exp = exp*10 + int(c-'0')
	}
	if expText[0] == '-' {
		exp = -exp
	}
	ds := digits[:nd]

	if exp < -4 || exp >= 16 {
		dst = append(dst, ds[0])
		if nd > 1 {
			dst = append(dst, '.')
			dst = append(dst, ds[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	if exp < 0 {
		dst = append(dst, "0."...)
		for range -exp - 1 {
			dst = append(dst, '0')
		}
		return append(dst, ds...)
	}
	if nd <= exp+1 {
		dst = append(dst, ds...)
		for range exp + 1 - nd {
			dst = append(dst, '0')
		}
		return append(dst, ".0"...)
	}
	dst = append(dst, ds[:exp+1]...)
	dst = append(dst, '.')
	return append(dst, ds[exp+1:]...)
}

// AppendCanonical appends v as json.dumps(v, sort_keys=True) writes it,
// with separators ", " and ": ". This is the form whose SHA-256 is a
// block hash.
func AppendCanonical(dst []byte, v Value) []byte {
	return appendValue(dst, &v, true)
}

// AppendCompact appends v with separators "," and ":" and sorted keys, the
// form Flask's jsonify writes on the wire (without its trailing newline).
func AppendCompact(dst []byte, v Value) []byte {
	return appendValue(dst, &v, false)
}

func appendValue(dst []byte, v *Value, spaced bool) []byte {
	switch v.Kind {
	case Null:
		return append(dst, "null"...)
	case Bool:
		if v.Bool {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case Number:
		return appendNum(dst, &v.Num)
	case String:
		return AppendString(dst, v.Str)
	case Array:
		dst = append(dst, '[')
		for i := range v.Arr {
			if i > 0 {
				dst = appendSep(dst, ',', spaced)
			}
			dst = appendValue(dst, &v.Arr[i], spaced)
		}
		return append(dst, ']')
	case Object:
		obj := v.Obj
		// A hand-built Value may break the invariant; the hash must not
		// depend on how the object was put together.
		if !sortedUnique(obj) {
			obj = normalizeMembers(obj)
		}
		dst = append(dst, '{')
		for i := range obj {
			if i > 0 {
				dst = appendSep(dst, ',', spaced)
			}
			dst = AppendString(dst, obj[i].Key)
			dst = appendSep(dst, ':', spaced)
			dst = appendValue(dst, &obj[i].Value, spaced)
		}
		return append(dst, '}')
	}
	panic("consensus: cannot encode Value of " + v.Kind.String())
}

func appendSep(dst []byte, c byte, spaced bool) []byte {
	if spaced {
		return append(dst, c, ' ')
	}
	return append(dst, c)
}

func appendNum(dst []byte, n *Num) []byte {
	if n.Text != "" {
		return append(dst, n.Text...)
	}
	return append(dst, numText(n)...)
}

// numText derives the canonical text of a Num built without one.
func numText(n *Num) string {
	if n.Text != "" {
		return n.Text
	}
	f := n.Float
	if n.IsInt && f == math.Trunc(f) && !math.IsInf(f, 0) {
		if f == 0 {
			return "0"
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return FormatFloat(f)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s quoted as json.dumps writes it with
// ensure_ascii: only printable ASCII is written as is, everything else as
// an escape with lowercase hex, characters above U+FFFF as surrogate
// pairs. Invalid UTF-8 in s is written as \ufffd.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c < 0x80 {
			switch c {
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = appendU(dst, rune(c))
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				dst = appendU(appendU(dst, r1), r2)
			} else {
				dst = appendU(dst, r)
			}
			i += size
		}
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// Hash returns the lowercase hex SHA-256 of v's canonical form: the block
// hash of the reference node.
func Hash(v Value) string {
	var buf [1024]byte
	sum := sha256.Sum256(AppendCanonical(buf[:0], v))
	return hex.EncodeToString(sum[:])
}

// StringValue returns a JSON string.
func StringValue(s string) Value { return Value{Kind: String, Str: s} }

// IntValue returns a JSON integer.
func IntValue(n int64) Value {
	return Value{Kind: Number, Num: Num{Text: strconv.FormatInt(n, 10), IsInt: true, Float: float64(n)}}
}

// FloatValue returns a JSON float, written as Python's repr. The caller
// guarantees f is finite.
func FloatValue(f float64) Value {
	return Value{Kind: Number, Num: Num{Text: FormatFloat(f), Float: f}}
}

// NumValue returns a JSON number. n.Text must be canonical, as Parse and
// the other constructors make it; when it is empty it is derived from
// n.Float, so that Num{Float: x} is the float x.
func NumValue(n Num) Value {
	if n.Text == "" && n.IsInt && (n.Float != math.Trunc(n.Float) || math.IsInf(n.Float, 0)) {
		n.IsInt = false
	}
	n.Text = numText(&n)
	return Value{Kind: Number, Num: n}
}

// ArrayValue returns a JSON array of vs.
func ArrayValue(vs ...Value) Value { return Value{Kind: Array, Arr: vs} }

// ObjectValue returns a JSON object of members, sorted by key; on
// duplicate keys the last wins, as in a Python dict. members is not
// modified.
func ObjectValue(members ...Member) Value {
	return Value{Kind: Object, Obj: normalizeMembers(members)}
}

// Get returns the value of key in an object. It relies on Obj being
// sorted, as Parse and ObjectValue leave it.
func (v Value) Get(key string) (Value, bool) {
	if v.Kind != Object {
		return Value{}, false
	}
	i, ok := slices.BinarySearchFunc(v.Obj, key, func(m Member, k string) int {
		return strings.Compare(m.Key, k)
	})
	if !ok {
		return Value{}, false
	}
	return v.Obj[i].Value, true
}

// Int64 returns the exact value of an integer that fits in an int64.
// Floats report false even when integral: on the wire 3.0 and 3 are
// different values with different hashes.
func (n Num) Int64() (int64, bool) {
	if !n.IsInt {
		return 0, false
	}
	i, err := strconv.ParseInt(numText(&n), 10, 64)
	if err != nil {
		return 0, false
	}
	return i, true
}
