package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// apiEndpoint is one route of the JSON API as /api describes it.
type apiEndpoint struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	// About is what it answers, in English; AboutKo in Korean.
	About   string `json:"description"`
	AboutKo string `json:"-"`
	// Example is a URL that works on this node.
	Example string `json:"example"`
}

// apiEndpoints lists the routes of the /api group (routes.go), with
// examples taken from this node's chain: its tip and the tip's coinbase.
func apiEndpoints(tip int64, txID, address string) []apiEndpoint {
	h := strconv.FormatInt(tip, 10)
	tx := "/api/tx/" + txID
	if len(txID) > 8 {
		tx = "/api/tx/" + txID[:8]
	}
	return []apiEndpoint{
		{"GET", "/api/status", "The height, the tip, the pending transactions and the peers.",
			"높이, 마지막 블록, 대기 중인 거래, 피어.", "/api/status"},
		{"GET", "/api/blocks?page=N", "The latest blocks, newest first, 20 a page.",
			"최근 블록, 최신순, 한 페이지에 20개.", "/api/blocks?page=1"},
		{"GET", "/api/blocks/{height or hash}?page=N", "A block (of the main chain, or stale by its hash) and its transactions, 50 a page.",
			"블록 하나(본 체인의 블록, 또는 해시로 찾은 버려진 블록)와 그 거래, 한 페이지에 50개.", "/api/blocks/" + h},
		{"GET", "/api/tx/{id}", "A transaction: pending, confirmed with its block and confirmations, or dropped and why. The id's first 4 or more characters do when no other id starts so.",
			"거래 하나: 대기 중, 확정(블록과 확인 수), 또는 버려짐(이유). ID의 앞 4자 이상으로도 찾습니다(다른 ID와 겹치지 않을 때).", tx},
		{"GET", "/api/address/{address}?page=N", "An address's balance, received, sent, pending and history, 25 a page.",
			"주소의 잔액, 받은 금액, 보낸 금액, 대기 중인 금액, 내역, 한 페이지에 25개.", addressAPIURL(address)},
		{"GET", "/api/mempool?page=N", "The pending transactions, in arrival order.",
			"대기 중인 거래, 도착한 순서.", "/api/mempool"},
		{"GET", "/api/peers", "The peers, their state and the height each claims.",
			"피어, 상태, 각 피어가 알린 높이.", "/api/peers"},
		{"GET", "/api/tips", "Every chain tip: the active one, stale branches and refused blocks.",
			"모든 체인 끝: 활성 체인, 버려진 가지, 거부된 블록.", "/api/tips"},
		{"GET", "/api/reorgs?limit=N", "The latest reorganisations, newest first.",
			"최근 재구성, 최신순.", "/api/reorgs?limit=5"},
	}
}

// addressAPIURL is the API's URL of address: each byte that is not safe in
// a path segment is escaped, a slash included.
func addressAPIURL(address string) string {
	return "/api/address/" + url.PathEscape(address)
}

// handleAPIIndex handles "GET /api": the JSON API's routes, each with what
// it answers and an example, as a page, or as JSON for a client that asks
// for it.
func (s *Server) handleAPIIndex(c echo.Context) error {
	ctx := c.Request().Context()
	tip := s.Node.Tip()
	txID, address := "ID", "node_5000"
	if b, err := s.Explorer.BlockSummary(ctx, tip.Height); err == nil && b.TxCount > 0 {
		if last, err := s.Explorer.BlockTransactions(ctx, tip.Height, b.TxCount-1, 1); err == nil && len(last) == 1 {
			txID, address = last[0].ID, last[0].Recipient
		}
	}
	endpoints := apiEndpoints(tip.Height, txID, address)
	accept := c.Request().Header.Get(echo.HeaderAccept)
	if strings.Contains(accept, echo.MIMEApplicationJSON) && !strings.Contains(accept, echo.MIMETextHTML) {
		return c.JSON(http.StatusOK, struct {
			Endpoints []apiEndpoint `json:"endpoints"`
		}{endpoints})
	}
	p := s.newPage(c, scanSection)
	// The page's words live here, not in the shared catalogue: they
	// describe this list only.
	words := apiIndexWords["en"]
	if w, ok := apiIndexWords[p.Lang]; ok {
		words = w
	}
	if p.Lang == "ko" {
		for i := range endpoints {
			endpoints[i].About = endpoints[i].AboutKo
		}
	}
	p.Data = struct {
		Words     apiIndexText
		Endpoints []apiEndpoint
	}{words, endpoints}
	return s.render(c, http.StatusOK, "api_index.html", p)
}

// apiIndexText is the wording of the /api page in one language.
type apiIndexText struct {
	Title, Lead, Route, Answers, Example, More string
}

var apiIndexWords = map[string]apiIndexText{
	"en": {
		Title:   "JSON API",
		Lead:    "Block Scan's data as JSON, for scripts: amounts are exact decimal numbers of pyBTC with the same value in satoshis beside them (amount_sat), times are seconds since 1970 (UTC), errors are {\"message\": \"…\"} with a 4xx status. The examples work on this node.",
		Route:   "Route",
		Answers: "What it answers",
		Example: "Example",
		More:    "The tutorial's own routes (/chain, /mine, /transactions/new, /nodes/…) and every field are described in the README's API reference. curl -H 'Accept: application/json' on this page gives this list as JSON.",
	},
	"ko": {
		Title:   "JSON API",
		Lead:    "스크립트를 위한 Block Scan의 데이터(JSON): 금액은 pyBTC의 정확한 십진수이고 옆에 같은 값의 사토시(amount_sat)가 있습니다. 시각은 1970년(UTC)부터의 초, 오류는 4xx 상태와 {\"message\": \"…\"}입니다. 예시는 이 노드에서 그대로 동작합니다.",
		Route:   "경로",
		Answers: "응답 내용",
		Example: "예시",
		More:    "튜토리얼의 경로(/chain, /mine, /transactions/new, /nodes/…)와 모든 필드는 README의 API 참조에 설명되어 있습니다. 이 페이지를 curl -H 'Accept: application/json'으로 요청하면 이 목록을 JSON으로 받습니다.",
	},
}
