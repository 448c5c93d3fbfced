package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// sessionCookie holds the wallet's logged-in address, signed by the node.
const sessionCookie = "pybtc_wallet"

// sessionLifetime is how long a wallet login lasts.
const sessionLifetime = 12 * time.Hour

// maxSessions bounds the logins a node remembers. Past it the login that
// expires first is forgotten, which logs it out: memory stays bounded and
// a forgotten session can never come back.
const maxSessions = 10_000

// sessions signs and checks wallet logins. The key is made when the server
// starts: a restart logs everyone out, and nothing secret is stored. A
// session is valid while its id is in live: logout removes it, so a copy
// of the cookie stops working at once, not when it expires.
type sessions struct {
	key []byte
	now func() time.Time

	mu   sync.Mutex
	live map[string]time.Time // session id → expiry
}

// session is a logged-in visitor.
type session struct {
	Address string
	// ID names the login; the CSRF token of its forms is bound to it.
	ID string
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{key: randomBytes(32), now: now, live: map[string]time.Time{}}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return b
}

func (s *sessions) sign(payload string) string {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// login opens a session for address and sets its cookie.
func (s *sessions) login(c echo.Context, address string) {
	now := s.now()
	expires := now.Add(sessionLifetime)
	id := base64.RawURLEncoding.EncodeToString(randomBytes(16))
	s.remember(now, id, expires)
	payload := base64.RawURLEncoding.EncodeToString([]byte(address)) + "." + strconv.FormatInt(expires.Unix(), 10) + "." + id
	c.SetCookie(&http.Cookie{
		Name:     sessionCookie,
		Value:    payload + "." + s.sign(payload),
		Path:     "/wallet",
		Expires:  expires,
		HttpOnly: true,
		Secure:   c.IsTLS(),
		SameSite: http.SameSiteLaxMode,
	})
}

// remember adds session id, making room first if the node holds
// maxSessions: expired sessions go, then the one that expires first.
func (s *sessions) remember(now time.Time, id string, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.live) >= maxSessions {
		for k, exp := range s.live {
			if !now.Before(exp) {
				delete(s.live, k)
			}
		}
	}
	for len(s.live) >= maxSessions {
		first := ""
		for k, exp := range s.live {
			if first == "" || exp.Before(s.live[first]) {
				first = k
			}
		}
		delete(s.live, first)
	}
	s.live[id] = expires
}

// logout ends the visitor's session on the server and removes its cookie.
func (s *sessions) logout(c echo.Context) {
	if sess, ok := s.current(c); ok {
		s.mu.Lock()
		delete(s.live, sess.ID)
		s.mu.Unlock()
	}
	c.SetCookie(&http.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     "/wallet",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   c.IsTLS(),
		SameSite: http.SameSiteLaxMode,
	})
}

// address returns the logged-in address, if the cookie is one this server
// signed, it has not expired and it was not logged out.
func (s *sessions) address(c echo.Context) (string, bool) {
	sess, ok := s.current(c)
	return sess.Address, ok
}

// current returns the visitor's session, if it is valid.
func (s *sessions) current(c echo.Context) (session, bool) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	payload, sig, ok := cutLast(ck.Value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(payload))) {
		return session{}, false
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 3 {
		return session{}, false
	}
	unix, err := strconv.ParseInt(parts[1], 10, 64)
	now := s.now()
	if err != nil || now.Unix() >= unix {
		return session{}, false
	}
	address, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return session{}, false
	}
	s.mu.Lock()
	exp, live := s.live[parts[2]]
	s.mu.Unlock()
	if !live || !now.Before(exp) {
		return session{}, false
	}
	return session{Address: string(address), ID: parts[2]}, true
}

// csrfToken is the token the wallet's forms must carry for binding: a
// session's id, or the random value of a visitor's CSRF cookie before
// login. Derived with the server's key, it cannot be made for a binding
// by anyone else, and a cookie planted from another port of localhost
// (cookies are not kept apart by port) does not match the victim's
// session.
func (s *sessions) csrfToken(binding string) string {
	return s.sign("csrf\x00" + binding)
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
