package api

import (
	"crypto/hmac"
	"encoding/base64"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/views/qr"
)

const walletSection = "Wallet"

// csrfKey is where the CSRF middleware leaves the token for the forms.
const csrfKey = "csrf"

// csrfCookie holds a random value that binds the forms of a visitor who is
// not logged in (the login form) to that browser.
const csrfCookie = "pybtc_csrf"

// walletCSRF guards every wallet form: a POST must carry the token of its
// session, or, before login, of the visitor's CSRF cookie. A token equal to
// a cookie (double submit) would not do: another port of localhost can set
// the node's cookies, so it could plant a cookie with a token it knows.
func (s *Server) walletCSRF() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			binding := s.csrfBinding(c)
			switch c.Request().Method {
			case http.MethodGet, http.MethodHead:
				if binding == "" {
					value := base64.RawURLEncoding.EncodeToString(randomBytes(32))
					c.SetCookie(&http.Cookie{
						Name:     csrfCookie,
						Value:    value,
						Path:     "/wallet",
						HttpOnly: true,
						Secure:   c.IsTLS(),
						SameSite: http.SameSiteStrictMode,
					})
					binding = "visitor:" + value
				}
			default:
				sent := c.FormValue(csrfKey)
				if binding == "" || !hmac.Equal([]byte(sent), []byte(s.sessions.csrfToken(binding))) {
					p := s.newPage(c, walletSection)
					return echo.NewHTTPError(http.StatusForbidden,
						p.T("This form is out of date or was sent from another site. Reload the wallet and try again."))
				}
			}
			c.Set(csrfKey, s.sessions.csrfToken(binding))
			return next(c)
		}
	}
}

// csrfBinding names what the visitor's forms are bound to: the session if
// one is logged in, else the CSRF cookie; "" for neither.
func (s *Server) csrfBinding(c echo.Context) string {
	if sess, ok := s.sessions.current(c); ok {
		return "session:" + sess.ID
	}
	if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		return "visitor:" + ck.Value
	}
	return ""
}

func (s *Server) walletPage(c echo.Context) *Page {
	p := s.newPage(c, walletSection)
	if token, ok := c.Get(csrfKey).(string); ok {
		p.CSRF = token
	}
	return p
}

// sendForm is the send form as the visitor filled it in, and what was
// wrong with it.
type sendForm struct {
	Recipient, Amount string
	// Error is one sentence saying why the send was refused; Field names
	// the input it is about ("recipient" or "amount").
	Error, Field string
}

// handleWallet handles "GET /wallet": the login form, or the wallet of the
// logged-in address.
func (s *Server) handleWallet(c echo.Context) error {
	p := s.walletPage(c)
	address, ok := s.sessions.address(c)
	if !ok {
		return s.renderLogin(c, p, http.StatusOK, "", "")
	}
	return s.renderWallet(c, p, address, http.StatusOK, sendForm{})
}

func (s *Server) renderLogin(c echo.Context, p *Page, status int, address, refusal string) error {
	p.Title = p.T("Log in to your wallet")
	p.Data = struct{ Address, Error string }{address, refusal}
	return s.render(c, status, "wallet_login.html", p)
}

// handleLogin handles "POST /wallet/login": an address some transaction
// named opens its wallet; any other is refused, as the tutorial does.
func (s *Server) handleLogin(c echo.Context) error {
	p := s.walletPage(c)
	address := strings.TrimSpace(c.FormValue("address"))
	if address == "" {
		return s.renderLogin(c, p, http.StatusBadRequest, address, p.T("Type your wallet address."))
	}
	info, err := s.Explorer.AddressInfo(c.Request().Context(), address)
	if err != nil {
		return err
	}
	if !info.Seen() {
		return s.renderLogin(c, p, http.StatusBadRequest, address,
			p.T("Invalid wallet address! No transaction has ever named %q.", address))
	}
	s.sessions.login(c, address)
	return c.Redirect(http.StatusSeeOther, "/wallet")
}

// handleLogout handles "POST /wallet/logout".
func (s *Server) handleLogout(c echo.Context) error {
	s.sessions.logout(c)
	return c.Redirect(http.StatusSeeOther, "/wallet")
}

// amountPattern is what the amount field takes: digits with an optional
// dot and decimals, as a JSON number without sign or exponent.
var amountPattern = regexp.MustCompile(`^(0|[1-9][0-9]*)(\.[0-9]+)?$`)

// checkSend applies the rules of a new transaction to the form, saying in
// one sentence of the visitor's language what is wrong. The node applies
// them again; this only explains them better.
func checkSend(p *Page, from string, f sendForm) sendForm {
	fail := func(field, key string, args ...any) sendForm {
		f.Field, f.Error = field, p.T(key, args...)
		return f
	}
	switch {
	case f.Recipient == "":
		return fail("recipient", "Type the address to send to.")
	case f.Recipient == from:
		return fail("recipient", "You cannot send coins to your own address.")
	case !utf8.ValidString(f.Recipient):
		return fail("recipient", "The recipient's address must be valid UTF-8.")
	case utf8.RuneCountInString(f.Recipient) > consensus.MaxAddressLength:
		return fail("recipient", "The recipient's address must be at most %d characters.", consensus.MaxAddressLength)
	case strings.IndexFunc(f.Recipient, unicode.IsControl) >= 0:
		return fail("recipient", "The recipient's address must not contain control characters.")
	case f.Amount == "":
		return fail("amount", "Type the amount to send.")
	case !amountPattern.MatchString(f.Amount):
		return fail("amount", "The amount must be a number such as 0.5, with a dot before the decimals.")
	}
	if _, decimals, ok := strings.Cut(f.Amount, "."); ok && len(decimals) > 8 {
		return fail("amount", "The amount can have at most 8 decimal places.")
	}
	amount, _, ok := consensus.AmountOf(consensus.Num{Text: f.Amount})
	switch {
	case !ok || amount > consensus.MaxTransferAmount:
		return fail("amount", "The amount can be at most %s pyBTC.", consensus.MaxTransferAmount)
	case amount <= 0:
		return fail("amount", "The amount must be more than 0.")
	}
	return f
}

// handleSend handles "POST /wallet/send": the logged-in address sends
// coins. The sender is the session's address, whatever the form says. A
// refusal shows the form again with what was typed and why; a success
// redirects to the wallet, which names the new transaction.
func (s *Server) handleSend(c echo.Context) error {
	p := s.walletPage(c)
	address, ok := s.sessions.address(c)
	if !ok {
		return s.renderLogin(c, p, http.StatusUnauthorized, "", p.T("Log in to send coins."))
	}
	f := checkSend(p, address, sendForm{
		Recipient: strings.TrimSpace(c.FormValue("recipient")),
		Amount:    strings.TrimSpace(c.FormValue("amount")),
	})
	if f.Error != "" {
		return s.renderWallet(c, p, address, http.StatusBadRequest, f)
	}
	ctx := c.Request().Context()
	// The amount passed checkSend's pattern: it is a JSON number as typed.
	body := consensus.AppendString([]byte(`{"sender": `), address)
	body = append(body, `, "recipient": `...)
	body = consensus.AppendString(body, f.Recipient)
	body = append(body, `, "amount": `+f.Amount+`}`...)
	acc, err := s.Node.SubmitTransaction(ctx, body)
	s.metrics.countSubmission("wallet", acc, err)
	if pybtc.ErrorCode(err) == pybtc.EINVALID {
		f.Field, f.Error = "amount", pybtc.ErrorMessage(err)
		if info, ierr := s.Explorer.AddressInfo(ctx, address); ierr == nil {
			amount, _, _ := consensus.AmountOf(consensus.Num{Text: f.Amount})
			if spendable := info.Spendable(); pybtc.SumOf(amount).Cmp(spendable) > 0 {
				if spendable.Sign() < 0 {
					spendable = pybtc.Sum{}
				}
				f.Error = p.T("You can send at most %s pyBTC: your balance is %s and %s is already on its way out.",
					spendable, info.Total(), info.PendingSent)
			}
		}
		return s.renderWallet(c, p, address, http.StatusBadRequest, f)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/wallet?sent="+acc.Transaction.ID)
}

// handleWalletMine handles "POST /wallet/mine", on nodes started with
// --dev only: mines a block so a learner sees a payment confirmed.
func (s *Server) handleWalletMine(c echo.Context) error {
	if !s.Dev {
		return echo.ErrNotFound
	}
	if _, ok := s.sessions.address(c); !ok {
		return c.Redirect(http.StatusSeeOther, "/wallet")
	}
	b, err := s.Node.Mine(c.Request().Context(), "")
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/wallet?mined="+strconv.FormatInt(b.Index, 10))
}

// sentFlash returns id, and the height of its block (0: pending), if id is
// a transaction address sent; "" otherwise.
func (s *Server) sentFlash(c echo.Context, address, id string) (string, int64) {
	if !isHex(id, 64) {
		return "", 0
	}
	recs, err := s.Explorer.FindTransaction(c.Request().Context(), id)
	if err != nil {
		return "", 0
	}
	for _, r := range recs {
		if r.Sender == address {
			return id, r.Height
		}
	}
	return "", 0
}

// renderWallet shows address's wallet: balances, QR code, the send form
// (f, possibly refused) and the history, page by page.
func (s *Server) renderWallet(c echo.Context, p *Page, address string, status int, f sendForm) error {
	// A logged-in address was seen at login, so readAddress finds it: the
	// chain cannot forget it (a reorganisation keeps what it drops pending).
	a, err := s.readAddress(c, p, address)
	if err != nil {
		return err
	}
	info, page, pages, history := a.info, a.page, a.pages, a.history
	code, err := qr.SVG(address, 160)
	if err != nil {
		code = "" // an address too long for a QR code still has its text
	}
	data := struct {
		Address      string
		Info         pybtc.AddressInfo
		QR           template.HTML
		Form         sendForm
		Sent         string
		SentHeight   int64
		Mined        int64
		Dev          bool
		Txs          []txView
		Pager        pager
		ScanAddress  string
		HasHistory   bool
		PendingCount int64
	}{
		Address: address, Info: info, QR: code, Form: f, Dev: s.Dev,
		Txs:         txViews(history, s.Node.Tip().Height, address),
		Pager:       p.newPager(page, pages, "newer", "older"),
		ScanAddress: addressURL(address),
	}
	if status == http.StatusOK {
		// The messages come from a link anyone can write: each is shown
		// only if what it says happened.
		data.Sent, data.SentHeight = s.sentFlash(c, address, c.QueryParam("sent"))
		if h, err := strconv.ParseInt(c.QueryParam("mined"), 10, 64); err == nil && h > 1 && h <= s.Node.Tip().Height && s.Dev {
			data.Mined = h
		}
	}
	p.Title = p.T("Wallet")
	p.Data = data
	return s.render(c, status, "wallet.html", p)
}
