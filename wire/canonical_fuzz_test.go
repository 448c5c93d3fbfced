package wire

import (
	"bytes"
	"testing"
)

// FuzzCanonical checks that Parse survives any input and that whatever it
// accepts has a canonical form which is a fixed point: re-parsing either
// encoding gives the same canonical bytes, so a hash can be recomputed
// from a block that travelled over the wire.
func FuzzCanonical(f *testing.F) {
	for _, vec := range loadVectors(f) {
		f.Add([]byte(vec.Wire))
	}
	for _, s := range []string{
		`{"a": [1, 2.5e-7, "\u00e9\ud83d\ude00", true, null], "a": {}}`,
		`[[[[[[[[[[]]]]]]]]]]`,
		`"\ud800"`,
		`-0.0e-0`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error %T, want *SyntaxError", err)
			}
			return
		}
		checkSorted(t, v)
		canon := AppendCanonical(nil, v)
		v2, err := Parse(canon)
		if err != nil {
			t.Fatalf("canonical form %q does not parse: %v", canon, err)
		}
		if got := AppendCanonical(nil, v2); !bytes.Equal(got, canon) {
			t.Fatalf("canonical form not a fixed point:\n%q\n%q", canon, got)
		}
		compact := AppendCompact(nil, v)
		v3, err := Parse(compact)
		if err != nil {
			t.Fatalf("compact form %q does not parse: %v", compact, err)
		}
		if got := AppendCanonical(nil, v3); !bytes.Equal(got, canon) {
			t.Fatalf("compact form re-encodes differently:\n%q\n%q", canon, got)
		}
	})
}

// checkSorted verifies the invariant Get and the encoders rely on.
func checkSorted(t *testing.T, v Value) {
	t.Helper()
	switch v.Kind {
	case Array:
		for _, e := range v.Arr {
			checkSorted(t, e)
		}
	case Object:
		for i, m := range v.Obj {
			if i > 0 && v.Obj[i-1].Key >= m.Key {
				t.Fatalf("object keys not sorted and unique: %q before %q", v.Obj[i-1].Key, m.Key)
			}
			checkSorted(t, m.Value)
		}
	}
}
