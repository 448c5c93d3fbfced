package peer

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/pybtc/pybtc"
)

// URL is a validated peer address: scheme http or https, a host and a
// port, nothing else.
type URL struct {
	Scheme string
	Host   string // host:port
}

// String returns the URL as "http://host:port".
func (u URL) String() string { return u.Scheme + "://" + u.Host }

// Netloc returns "host:port", as the tutorial lists its nodes.
func (u URL) Netloc() string { return u.Host }

// maxURLLength bounds what ParseURL reads.
const maxURLLength = 2048

// ParseURL validates s as a peer URL: http or https, a host, an explicit
// port from 1 to 65535, no user, query or fragment, and no path beyond
// "/". Errors are EINVALID with a message naming the rule.
func ParseURL(s string) (URL, error) {
	invalid := func(rule string) (URL, error) {
		shown := s
		if len(shown) > 80 {
			shown = shown[:80] + "…"
		}
		return URL{}, pybtc.Errorf(pybtc.EINVALID, "node URL %q %s", shown, rule)
	}
	if len(s) > maxURLLength {
		return invalid("is too long")
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return invalid("must not contain spaces")
	}
	u, err := url.Parse(s)
	if err != nil {
		return invalid("is not a URL like http://127.0.0.1:5001")
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "http" && scheme != "https":
		return invalid("must start with http:// or https://")
	case u.Opaque != "" || u.User != nil:
		return invalid("must be http://host:port with nothing else")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		return invalid("must not have a query or fragment")
	case u.Path != "" && u.Path != "/":
		return invalid("must not have a path")
	}
	host, portText, err := net.SplitHostPort(u.Host)
	if err != nil || host == "" {
		return invalid("must name a host and a port, like http://127.0.0.1:5001")
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 || strconv.Itoa(port) != portText {
		return invalid("must have a port from 1 to 65535")
	}
	host = strings.ToLower(host)
	return URL{Scheme: scheme, Host: net.JoinHostPort(host, portText)}, nil
}

// SameNode reports whether a and b name the same node: the same port on
// the same host, counting localhost and the loopback and wildcard
// addresses as one host.
func SameNode(a, b URL) bool {
	ah, ap, _ := net.SplitHostPort(a.Host)
	bh, bp, _ := net.SplitHostPort(b.Host)
	return ap == bp && (ah == bh || (isLocal(ah) && isLocal(bh)))
}

func isLocal(host string) bool {
	switch host {
	case "localhost", "127.0.0.1", "::1", "0.0.0.0", "::":
		return true
	}
	return false
}
