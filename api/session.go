package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// sessionCookie holds the wallet's logged-in address, signed by the node.
const sessionCookie = "pybtc_wallet"

// sessionLifetime is how long a wallet login lasts.
const sessionLifetime = 12 * time.Hour

// sessions signs and checks wallet logins. The key is made when the server
// starts: a restart logs everyone out, and nothing secret is stored.
type sessions struct {
	key []byte
	now func() time.Time
}

func newSessions(now func() time.Time) *sessions {
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand panics instead)
	return &sessions{key: key, now: now}
}

func (s *sessions) sign(payload string) string {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// login sets the session cookie for address.
func (s *sessions) login(c echo.Context, address string) {
	expires := s.now().Add(sessionLifetime)
	payload := base64.RawURLEncoding.EncodeToString([]byte(address)) + "." + strconv.FormatInt(expires.Unix(), 10)
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

// logout removes the session cookie.
func (s *sessions) logout(c echo.Context) {
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
// signed and it has not expired.
func (s *sessions) address(c echo.Context) (string, bool) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	payload, sig, ok := cutLast(ck.Value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(payload))) {
		return "", false
	}
	encoded, expiry, ok := cutLast(payload, ".")
	if !ok {
		return "", false
	}
	unix, err := strconv.ParseInt(expiry, 10, 64)
	if err != nil || s.now().Unix() >= unix {
		return "", false
	}
	address, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return "", false
	}
	return string(address), true
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
