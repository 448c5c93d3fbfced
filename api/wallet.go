package api

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/refusal"
	"github.com/pybtc/pybtc/views/qr"
	"github.com/pybtc/pybtc/wire"
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
	// Error is one sentence saying why the send was refused, when no one
	// field is to blame; RecipientError and AmountError are shown beside
	// their inputs.
	Error, RecipientError, AmountError string
}

// refuse records why the send was refused, beside field's input if the
// refusal is about one.
func (f *sendForm) refuse(field, sentence string) {
	switch field {
	case "recipient":
		f.RecipientError = sentence
	case "amount":
		f.AmountError = sentence
	default:
		f.Error = sentence
	}
}

// refused reports whether anything was refused.
func (f sendForm) refused() bool {
	return f.Error != "" || f.RecipientError != "" || f.AmountError != ""
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
	hint, err := s.loginHint(c.Request().Context())
	if err != nil {
		return err
	}
	p.Title = p.T("Log in to your wallet")
	p.Data = struct {
		Address, Error string
		Hint           loginHint
	}{address, refusal, hint}
	return s.render(c, status, "wallet_login.html", p)
}

// knownAddresses bounds the addresses the login page offers, and
// hintBlocks the recent blocks it takes them from.
const (
	knownAddresses = 6
	hintBlocks     = 10
)

// loginHint names addresses that can log in on this node: a learner's
// first wallet is the address their node mines to, which differs from
// node to node, or one a recent payment named.
type loginHint struct {
	// Miner is the address this node mines to; MinerSeen says whether a
	// transaction names it yet (before the first block, none does).
	Miner     string
	MinerSeen bool
	// Known are addresses the latest blocks name, newest first, the
	// miner's first if seen.
	Known []string
}

func (s *Server) loginHint(ctx context.Context) (loginHint, error) {
	h := loginHint{Miner: s.Node.Miner()}
	info, err := s.Explorer.AddressInfo(ctx, h.Miner)
	if err != nil {
		return h, fmt.Errorf("login hint: miner %q: %w", h.Miner, err)
	}
	h.MinerSeen = info.Seen()
	seen := map[string]bool{pybtc.CoinbaseSender: true}
	add := func(a string) {
		if !seen[a] && len(h.Known) < knownAddresses {
			seen[a] = true
			h.Known = append(h.Known, a)
		}
	}
	if h.MinerSeen {
		add(h.Miner)
	}
	blocks, err := s.Explorer.BlockSummaries(ctx, s.Node.Tip().Height, hintBlocks)
	if err != nil {
		return h, fmt.Errorf("login hint: recent blocks: %w", err)
	}
	for _, b := range blocks {
		if len(h.Known) >= knownAddresses {
			break
		}
		txs, err := s.Explorer.BlockTransactions(ctx, b.Height, 0, txsPerPage)
		if err != nil {
			return h, fmt.Errorf("login hint: block %d: %w", b.Height, err)
		}
		// The coinbase is last; the payments before it are the block's news.
		for i := len(txs) - 1; i >= 0; i-- {
			add(txs[i].Recipient)
			add(txs[i].Sender)
		}
	}
	return h, nil
}

// handleLogin handles "POST /wallet/login": an address some transaction
// named opens its wallet; any other is refused, as the tutorial does. A
// key address opens its wallet before any transaction names it: it is
// made in the browser, so its wallet is where its owner first reads it
// and shows it to be paid, and its checksum already says it is no typo.
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
	if !info.Seen() && !keys.IsKeyAddress(address) {
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

// amountPattern is what the wallet sends as a JSON number: digits with an
// optional dot and decimals, without sign or exponent. Anything else typed
// goes as a string, which the node refuses as not a number: the typed
// text can never become JSON of another shape.
var amountPattern = regexp.MustCompile(`^(0|[1-9][0-9]*)(\.[0-9]+)?$`)

// sendTransaction is the new transaction the send form asks for, as the
// node reads a POST /transactions/new. An amount left empty is left out, so
// that the node refuses it as missing; a number JSON cannot hold (too many
// digits) is refused as the node refuses such a body.
func sendTransaction(from string, f sendForm) (wire.Transaction, error) {
	t := wire.Transaction{Kind: wire.Object, Sender: wire.StringField(from), Recipient: wire.StringField(f.Recipient)}
	switch {
	case f.Amount == "":
	case amountPattern.MatchString(f.Amount):
		amount, err := wire.NumberField(f.Amount)
		if err != nil {
			detail := err.Error()
			var se *wire.SyntaxError
			if errors.As(err, &se) {
				detail = se.Msg
			}
			return t, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonBadJSON, pybtc.Args{Field: "amount", Detail: detail})
		}
		t.Amount = amount
	default:
		t.Amount = wire.StringField(f.Amount)
	}
	return t, nil
}

// handleSend handles "POST /wallet/send": the logged-in address sends
// coins. The sender is the session's address, whatever the form says. The
// node applies its rules; a refusal shows the form again with what was
// typed and the rule that refused, in the visitor's language, with the
// numbers the refusal carries. A success redirects to the wallet, which
// names the new transaction.
func (s *Server) handleSend(c echo.Context) error {
	p := s.walletPage(c)
	address, ok := s.sessions.address(c)
	if !ok {
		return s.renderLogin(c, p, http.StatusUnauthorized, "", p.T("Log in to send coins."))
	}
	f := sendForm{
		Recipient: strings.TrimSpace(c.FormValue("recipient")),
		Amount:    strings.TrimSpace(c.FormValue("amount")),
	}
	if c.FormValue("back") != "" {
		// Back from the confirmation: the form again, as it was filled.
		return s.renderWallet(c, p, address, http.StatusOK, f)
	}
	if c.FormValue("max") != "" && c.FormValue("confirm") == "" {
		// "Send everything", the Max button of a page without script:
		// what the address can send now, which the confirmation shows.
		info, err := s.Explorer.AddressInfo(c.Request().Context(), address)
		if err != nil {
			return fmt.Errorf("send everything from %q: %w", address, err)
		}
		if spendable := info.Spendable(); spendable.Sign() > 0 {
			f.Amount = spendable.String()
		} else {
			f.refuse("amount", p.T("Nothing is available to send: the balance is 0 or already on its way out."))
			return s.renderWallet(c, p, address, http.StatusBadRequest, f)
		}
	}
	if keys.IsKeyAddress(address) {
		// Only the key can sign, and the key is in the browser: the
		// server never sends an unsigned spend that rule K refuses. The
		// page's script signs and posts to /transactions/new instead.
		f.Error = p.T("Payments from a key address are signed by its key in the page, which needs JavaScript: the wallet does not send them unsigned.")
		return s.renderWallet(c, p, address, http.StatusBadRequest, f)
	}
	if f.Recipient != "" && f.Recipient == address {
		// The node takes such a payment; the wallet does not make one.
		f.refuse("recipient", p.T("You cannot send coins to your own address."))
		return s.renderWallet(c, p, address, http.StatusBadRequest, f)
	}
	confirmed := c.FormValue("confirm") != ""
	var acc node.Accepted
	var checked consensus.NewTransaction
	t, err := sendTransaction(address, f)
	if err == nil && !confirmed {
		// The fields are checked before the visitor confirms, by the
		// node's own rules, so that a typo is refused beside its field
		// instead of after a confirmation. Nothing is stored.
		checked, err = consensus.AdmitTransaction(&t, s.now())
	} else if err == nil {
		acc, err = s.Node.SubmitTransaction(c.Request().Context(), t)
		s.metrics.countSubmission("wallet", acc, err)
	}
	if e, ok := refusal.Of(err); ok && e.Code != pybtc.EINTERNAL {
		// Most refusals are about the amount (an overdraft names no
		// field); one about the sender, the session's address, is about
		// no input of the form.
		field := "amount"
		switch e.Args.Field {
		case "recipient":
			field = "recipient"
		case "sender":
			field = ""
		}
		f.refuse(field, refusal.Sentence(p.Lang, e))
		status, ok := statusOf[e.Code]
		if !ok {
			status = http.StatusBadRequest
		}
		return s.renderWallet(c, p, address, status, f)
	} else if err != nil {
		return err
	}
	if !confirmed {
		return s.renderConfirm(c, p, address, f, checked.Transaction.Amount)
	}
	return c.Redirect(http.StatusSeeOther, "/wallet?sent="+acc.Transaction.ID)
}

// renderConfirm shows the payment the visitor asked for, to confirm or
// take back: what leaves, to whom, and what the address keeps.
func (s *Server) renderConfirm(c echo.Context, p *Page, address string, f sendForm, amount pybtc.Amount) error {
	info, err := s.Explorer.AddressInfo(c.Request().Context(), address)
	if err != nil {
		return fmt.Errorf("confirm a payment from %q: %w", address, err)
	}
	after := info.Spendable().SubAmount(amount)
	p.Title = p.T("Confirm the payment")
	p.Data = struct {
		Address   string
		Form      sendForm
		Spendable pybtc.Sum
		After     pybtc.Sum
		Overdraft bool
		Amount    pybtc.Amount
	}{address, f, info.Spendable(), after, after.Sign() < 0, amount}
	return s.render(c, http.StatusOK, "wallet_confirm.html", p)
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
	// Only a key address logs in unseen.
	a, err := s.readAddress(c, p, address)
	isKey := keys.IsKeyAddress(address)
	if e, ok := refusal.Of(err); ok && e.Reason == pybtc.ReasonNoAddress && isKey {
		// A new key address: nothing has named it yet.
		a, err = addressView{page: 1, pages: 1}, nil
	}
	if err != nil {
		return err
	}
	info, page, pages, history := a.info, a.page, a.pages, a.history
	if c.Request().Method == http.MethodGet {
		// The balances and the history follow the chain and the mempool;
		// a page answering a form is not read again.
		p.Events = "/scan/events"
	}
	code, err := qr.SVG(address, 160)
	if err != nil {
		code = "" // an address too long for a QR code still has its text
	}
	data := struct {
		Address      string
		KeyAddress   bool
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
		Address: address, KeyAddress: isKey, Info: info, QR: code, Form: f, Dev: s.Dev,
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
