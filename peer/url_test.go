package peer

import (
	"errors"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/refusal"
)

func TestParseURLAccepts(t *testing.T) {
	tests := []struct {
		name, in   string
		want       URL
		wantString string
		wantNetloc string
	}{
		{"Loopback", "http://127.0.0.1:5000", URL{"http", "127.0.0.1:5000"}, "http://127.0.0.1:5000", "127.0.0.1:5000"},
		{"UpperCaseAndSlash", "HTTP://LOCALHOST:5001/", URL{"http", "localhost:5001"}, "http://localhost:5001", "localhost:5001"},
		{"HTTPSIPv6", "https://[::1]:443", URL{"https", "[::1]:443"}, "https://[::1]:443", "[::1]:443"},
		{"HostName", "http://node.example:80", URL{"http", "node.example:80"}, "http://node.example:80", "node.example:80"},
		{"MixedCaseScheme", "hTTpS://Node-1.Example:8443", URL{"https", "node-1.example:8443"}, "https://node-1.example:8443", "node-1.example:8443"},
		{"Wildcard", "http://0.0.0.0:5000", URL{"http", "0.0.0.0:5000"}, "http://0.0.0.0:5000", "0.0.0.0:5000"},
		{"IPv6Shortened", "http://[0:0:0:0:0:0:0:1]:5000", URL{"http", "[::1]:5000"}, "http://[::1]:5000", "[::1]:5000"},
		{"IPv6UpperCase", "http://[FE80::AB]:5000", URL{"http", "[fe80::ab]:5000"}, "http://[fe80::ab]:5000", "[fe80::ab]:5000"},
		{"Underscore", "http://my_node:5000", URL{"http", "my_node:5000"}, "http://my_node:5000", "my_node:5000"},
		{"LowestPort", "http://a:1", URL{"http", "a:1"}, "http://a:1", "a:1"},
		{"HighestPort", "http://a:65535", URL{"http", "a:65535"}, "http://a:65535", "a:65535"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseURL(tt.in)
			if err != nil {
				t.Fatalf("ParseURL(%q) = %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseURL(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			if got, want := got.String(), tt.wantString; got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
			if got, want := got.Netloc(), tt.wantNetloc; got != want {
				t.Errorf("Netloc() = %q, want %q", got, want)
			}
		})
	}
}

func TestParseURLRefuses(t *testing.T) {
	tests := []struct {
		name, in string
		wantRule string // part of the message naming the rule
	}{
		{"NoScheme", "127.0.0.1:5000", "must start with http:// or https://"},
		{"FTP", "ftp://x:1", "must start with http:// or https://"},
		{"SchemeWithoutSlashes", "http:x:1", "must start with http:// or https://"},
		{"Empty", "", "must start with http:// or https://"},
		{"MissingPort", "http://127.0.0.1", "must have an explicit port"},
		{"MissingPortSlash", "http://127.0.0.1/", "must have an explicit port"},
		{"MissingPortIPv6", "http://[::1]", "must have an explicit port"},
		{"EmptyPort", "http://127.0.0.1:", "must have a port from 1 to 65535"},
		{"PortZero", "http://127.0.0.1:0", "must have a port from 1 to 65535"},
		{"Port70000", "http://127.0.0.1:70000", "must have a port from 1 to 65535"},
		{"PortNonNumeric", "http://127.0.0.1:http", "must have a port from 1 to 65535"},
		{"PortLeadingZero", "http://127.0.0.1:05000", "must have a port from 1 to 65535"},
		{"PortSigned", "http://127.0.0.1:+5000", "must have a port from 1 to 65535"},
		{"Path", "http://127.0.0.1:5000/x", "must not have a path"},
		{"DoubleSlashPath", "http://127.0.0.1:5000//", "must not have a path"},
		{"Query", "http://127.0.0.1:5000?a=1", "must not have a query"},
		{"EmptyQuery", "http://127.0.0.1:5000/?", "must not have a query"},
		{"Fragment", "http://127.0.0.1:5000#top", "must not have a fragment"},
		{"EmptyFragment", "http://127.0.0.1:5000#", "must not have a fragment"},
		{"UserInfo", "http://user:pass@127.0.0.1:5000", "must not contain a user name or password"},
		{"EmptyHost", "http://:5000", "must name a host"},
		{"NothingAfterScheme", "http://", "must name a host"},
		{"Spaces", "http://127.0.0.1:5000 ", "must not contain spaces"},
		{"SpaceInHost", "http://node example:5000", "must not contain spaces"},
		{"ControlCharacter", "http://127.0.0.1:5000\n", "must not contain spaces or control characters"},
		{"PercentInHost", "http://a%2eb:5000", "must have a host name"},
		{"NonASCIIHost", "http://노드:5000", "must have a host name"},
		{"EmptyLabel", "http://a..b:5000", "must have a host name"},
		{"LeadingHyphen", "http://-a:5000", "must have a host name"},
		{"UnbracketedIPv6", "http://::1:5000", "must have a host name"},
		{"IPv4InBrackets", "http://[127.0.0.1]:5000", "valid IPv6 address"},
		{"IPv6Zone", "http://[fe80::1%25eth0]:5000", "without a zone"},
		{"IPv6Unclosed", "http://[::1:5000", "without its closing ]"},
		{"IPv6JunkAfter", "http://[::1]x:5000", "must have a port after the host"},
		{"VeryLong", "http://" + strings.Repeat("a", 5000) + ":5000", "is longer than 2048 characters"},
		{"LongHost", "http://" + strings.Repeat("a.", 130) + "a:5000", "must have a host name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseURL(tt.in)
			if err == nil {
				t.Fatalf("ParseURL(%q) = %#v, want an error", tt.in, got)
			}
			var perr *pybtc.Error
			if !errors.As(err, &perr) {
				t.Fatalf("ParseURL(%q) error %T, want *pybtc.Error", tt.in, err)
			}
			if got, want := perr.Code, pybtc.EINVALID; got != want {
				t.Errorf("code = %q, want %q", got, want)
			}
			msg := refusal.Message(err)
			if perr.Reason != pybtc.ReasonPeerURL || !strings.HasPrefix(msg, `node URL "`) || !strings.Contains(msg, tt.wantRule) {
				t.Errorf("reason %s, message %q, want %s quoting the URL and saying %q", perr.Reason, msg, pybtc.ReasonPeerURL, tt.wantRule)
			}
			if got, want := len(msg), 300; got > want {
				t.Errorf("message is %d bytes, want at most %d", got, want)
			}
		})
	}
}

func TestParseURLMessage(t *testing.T) {
	_, err := ParseURL("ftp://x:1")
	if got, want := refusal.Message(err), `node URL "ftp://x:1" must start with http:// or https://`; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestSameNode(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"Equal", "http://127.0.0.1:5000", "http://127.0.0.1:5000", true},
		{"SpellingNormalised", "HTTP://Node.Example:5000/", "http://node.example:5000", true},
		{"LocalhostAndLoopback", "http://localhost:5000", "http://127.0.0.1:5000", true},
		{"IPv6Loopback", "http://[::1]:5000", "http://127.0.0.1:5000", true},
		{"Wildcard", "http://0.0.0.0:5000", "http://localhost:5000", true},
		{"SchemeIgnored", "https://127.0.0.1:5000", "http://localhost:5000", true},
		{"OtherPort", "http://127.0.0.1:5000", "http://127.0.0.1:5001", false},
		{"LocalAliasesOtherPort", "http://localhost:5000", "http://0.0.0.0:5001", false},
		{"OtherHost", "http://10.0.0.1:5000", "http://10.0.0.2:5000", false},
		{"LocalAndRemote", "http://127.0.0.1:5000", "http://10.0.0.1:5000", false},
		// A node on the wildcard answers at every loopback address.
		{"OtherLoopbackAddress", "http://127.0.0.2:5000", "http://127.0.0.1:5000", true},
		{"NameAndLoopback", "http://node.example:5000", "http://127.0.0.1:5000", false},
		{"MappedLoopback", "http://[::ffff:127.0.0.1]:5000", "http://127.0.0.1:5000", true},
		{"MappedWildcard", "http://[::ffff:0.0.0.0]:5000", "http://localhost:5000", true},
		{"IPv6Wildcard", "http://[::]:5000", "http://127.0.0.1:5000", true},
		{"IPv6LoopbackLongForm", "http://[0:0:0:0:0:0:0:1]:5000", "http://localhost:5000", true},
		{"LoopbackNetwork", "http://127.255.0.9:5000", "http://[::1]:5000", true},
		{"ShortIPv4", "http://127.1:5000", "http://127.0.0.1:5000", true},
		{"DecimalIPv4", "http://2130706433:5000", "http://localhost:5000", true},
		{"HexIPv4", "http://0x7f000001:5000", "http://localhost:5000", true},
		{"OctalIPv4", "http://0177.0.0.1:5000", "http://localhost:5000", true},
		{"LocalhostSubdomain", "http://node.localhost:5000", "http://127.0.0.1:5000", true},
		{"MappedLoopbackOtherPort", "http://[::ffff:127.0.0.1]:5001", "http://127.0.0.1:5000", false},
		{"MappedRemote", "http://[::ffff:10.0.0.1]:5000", "http://127.0.0.1:5000", false},
		{"NumericName", "http://10.1:5000", "http://127.0.0.1:5000", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := mustParse(t, tt.a), mustParse(t, tt.b)
			if got := SameNode(a, b); got != tt.want {
				t.Errorf("SameNode(%s, %s) = %v, want %v", a, b, got, tt.want)
			}
			if got := SameNode(b, a); got != tt.want {
				t.Errorf("SameNode(%s, %s) = %v, want %v", b, a, got, tt.want)
			}
		})
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"http://127.0.0.1:5000",
		"HTTP://LOCALHOST:5001/",
		"https://[::1]:443",
		"http://[::ffff:127.0.0.1]:80",
		"http://user@x:1",
		"http://x:1/?#",
		"http://[fe80::1%25eth0]:5000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			if got, want := pybtc.ErrorCode(err), pybtc.EINVALID; got != want {
				t.Fatalf("ParseURL(%q) error code %q, want %q", s, got, want)
			}
			if u != (URL{}) {
				t.Fatalf("ParseURL(%q) refused but returned %#v", s, u)
			}
			return
		}
		again, err := ParseURL(u.String())
		if err != nil {
			t.Fatalf("ParseURL(%q) = %#v, whose String %q is refused: %v", s, u, u.String(), err)
		}
		if again != u {
			t.Fatalf("ParseURL(%q) = %#v, but ParseURL(%q) = %#v", s, u, u.String(), again)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("ParseURL(%q) scheme %q", s, u.Scheme)
		}
		if !SameNode(u, u) {
			t.Fatalf("SameNode(%s, itself) = false", u)
		}
	})
}

func mustParse(tb testing.TB, s string) URL {
	tb.Helper()
	u, err := ParseURL(s)
	if err != nil {
		tb.Fatalf("ParseURL(%q): %v", s, err)
	}
	return u
}
