package views

import (
	"fmt"

	"golang.org/x/text/language"
)

// Language is one language the pages speak.
type Language struct {
	// Code is the BCP 47 code: "en" or "ko".
	Code string
	// Name is the language's name in itself, for the switch.
	Name string
}

// Languages lists the languages of the pages; the first is the default.
var Languages = []Language{{"en", "English"}, {"ko", "한국어"}}

// Supported reports whether code is one of Languages.
func Supported(code string) bool {
	for _, l := range Languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// matcher matches a browser's languages with Languages, in that order.
var matcher = func() language.Matcher {
	tags := make([]language.Tag, len(Languages))
	for i, l := range Languages {
		tags[i] = language.MustParse(l.Code)
	}
	return language.NewMatcher(tags)
}()

// FromAcceptLanguage picks the supported language a browser prefers most
// from its Accept-Language header ("ko-KR,ko;q=0.9,en;q=0.8"); English when
// it names none.
func FromAcceptLanguage(header string) string {
	prefs, _, err := language.ParseAcceptLanguage(header)
	if err != nil {
		return Languages[0].Code
	}
	_, i, confidence := matcher.Match(prefs...)
	if confidence == language.No {
		return Languages[0].Code
	}
	return Languages[i].Code
}

// Translate returns the message key in language lang, with args formatted
// into it as fmt.Sprintf does. Keys are the English messages, so a missing
// translation still reads well.
func Translate(lang, key string, args ...any) string {
	msg := key
	if lang != "en" {
		if t, ok := catalog[lang][key]; ok {
			msg = t
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// HasTranslation reports whether key has a translation into lang; English
// needs none.
func HasTranslation(lang, key string) bool {
	if lang == "en" {
		return true
	}
	_, ok := catalog[lang][key]
	return ok
}

// catalog holds the translations, by language, of each English message.
var catalog = map[string]map[string]string{
	"ko": {
		// Frame.
		"Block Scan": "블록 스캔",
		"Wallet":     "지갑",
		"Search":     "검색",
		"Height, block hash, transaction id or address": "높이, 블록 해시, 거래 ID 또는 주소",
		"pyBTC node":                "pyBTC 노드",
		"About this node":           "이 노드에 대해",
		"Peers":                     "피어",
		"Live":                      "실시간",
		"Pages":                     "페이지",
		"page %d of %d":             "%d / %d 페이지",
		"first":                     "처음",
		"last":                      "마지막",
		"newer":                     "최신",
		"older":                     "이전",
		"previous":                  "이전",
		"next":                      "다음",
		"Back to the latest blocks": "최신 블록으로 돌아가기",

		// Home of the node.
		"the explorer: blocks, transactions, addresses": "탐색기: 블록, 거래, 주소",
		"send coins from an address":                    "주소에서 코인 보내기",
		"the whole chain as JSON":                       "전체 체인 (JSON)",
		"peers and their state":                         "피어와 상태",
		"send":                                          "보내기",
		"mine a block":                                  "블록 채굴",

		// Block Scan.
		"Summary":              "요약",
		"Charts":               "차트",
		"Height":               "높이",
		"Tip hash":             "최신 블록 해시",
		"Pending transactions": "대기 중인 거래",
		"Since last block":     "마지막 블록 이후",
		"Average block time":   "평균 블록 시간",
		"Latest blocks":        "최신 블록",
		"Time":                 "시간",
		"Hash":                 "해시",
		"Previous hash":        "이전 해시",
		"Nonce":                "논스",
		"Transactions":         "거래",
		"Block":                "블록",
		"Block %d":             "블록 %d",
		"genesis block":        "제네시스 블록",
		"Confirmations":        "확인 수",
		"%d confirmations":     "%d회 확인",
		"1 confirmation":       "1회 확인",
		"Transaction":          "거래",
		"Id":                   "ID",
		"Status":               "상태",
		"Pending":              "대기 중",
		"pending":              "대기 중",
		"Confirmed":            "확인됨",
		"in block":             "블록",
		"waiting in the mempool for the next block": "다음 블록을 기다리는 중 (멤풀)",
		"Dropped":                                "버려짐",
		"as a copy a tutorial node stamped anew": "튜토리얼 노드가 새로 타임스탬프를 찍은 사본으로",
		"Why":                                    "이유",
		"a reorganisation took its block away, and it no longer passes this node's rules": "체인 재구성으로 블록이 사라졌고, 이제 이 노드의 규칙을 통과하지 못합니다",
		"the miner left it out: it no longer passes this node's rules":                    "채굴자가 제외했습니다: 이제 이 노드의 규칙을 통과하지 못합니다",
		"From":                     "보낸 사람",
		"To":                       "받는 사람",
		"Amount":                   "금액",
		"coinbase (mining reward)": "코인베이스 (채굴 보상)",
		"mining reward":            "채굴 보상",
		// Block Scan's layout: ages, amounts, charts, mempool totals.
		"Site":                                 "사이트",
		"Age":                                  "경과",
		"%d s ago":                             "%d초 전",
		"%d min ago":                           "%d분 전",
		"%d h ago":                             "%d시간 전",
		"%d d ago":                             "%d일 전",
		"s":                                    "초",
		"Balance (pyBTC)":                      "잔액 (pyBTC)",
		"none":                                 "없음",
		"QR code of this address":              "이 주소의 QR 코드",
		"Download the history as CSV":          "내역을 CSV로 내려받기",
		"(the latest %d transactions at most)": "(최근 거래 최대 %d건)",
		"master is not an address anyone holds: the tutorial names it as the sender of every mining reward, the coinbase. Its balance goes below zero by every reward paid.": "master는 누군가 가진 주소가 아닙니다. 튜토리얼은 모든 채굴 보상(코인베이스)의 보낸 사람을 master라고 부릅니다. 그래서 보상이 지급될 때마다 잔액이 0 아래로 내려갑니다.",
		"Mine your first block": "첫 블록을 채굴하세요",
		"This node holds only the genesis block, which nobody mined. Mine a block to start the chain:": "이 노드에는 아무도 채굴하지 않은 제네시스 블록만 있습니다. 블록을 채굴해 체인을 시작하세요:",
		"no block yet":              "아직 없음",
		"press Mine in the wallet":  "지갑에서 채굴 버튼 누르기",
		"run %s in a terminal,":     "터미널에서 %s 실행,",
		"or open %s.":               "또는 %s 열기.",
		"All in block %d, with %s.": "모두 블록 %d에 있으며, %s입니다.",
		"A chart needs two mined blocks or more: mine another block to see one.":                               "차트에는 채굴된 블록이 둘 이상 필요합니다. 블록을 하나 더 채굴하면 보입니다.",
		"A chart of the time between blocks needs three mined blocks or more.":                                 "블록 사이 시간 차트에는 채굴된 블록이 셋 이상 필요합니다.",
		"A chart of the balance needs two blocks or more that moved it.":                                       "잔액 차트에는 잔액을 바꾼 블록이 둘 이상 필요합니다.",
		"Only the latest %d transactions are drawn; older history is left out of the chart, and listed below.": "최근 거래 %d건만 그렸습니다. 더 오래된 내역은 차트에서 빠졌으며 아래 목록에 있습니다.",
		"Waiting":            "대기",
		"Total amount":       "총 금액",
		"Oldest waits since": "가장 오래 기다린 거래",
		"Senders":            "보낸 사람 수",
		"Sender":             "보낸 사람",
		"By sender":          "보낸 사람별",
		"%d more senders.":   "보낸 사람 %d명 더.",
		"The totals count the oldest %d transactions.": "합계는 가장 오래된 거래 %d건을 셉니다.",
		"Position in block":                            "블록 내 위치",
		"Address":                                      "주소",
		"Balance":                                      "잔액",
		"Received":                                     "받은 금액",
		"Sent":                                         "보낸 금액",
		"History":                                      "거래 내역",
		"Direction":                                    "방향",
		"Counterparty":                                 "상대방",
		"in":                                           "받음",
		"out":                                          "보냄",
		"self":                                         "자기 자신",
		"No transactions.":                             "거래가 없습니다.",
		"Mempool":                                      "멤풀",
		"%d transactions wait for the next block, in arrival order.": "%d건의 거래가 도착 순서대로 다음 블록을 기다리고 있습니다.",
		"Peer":                          "피어",
		"State":                         "상태",
		"Failures":                      "실패",
		"Last success":                  "마지막 성공",
		"Last error":                    "마지막 오류",
		"retry at":                      "재시도",
		"This node has no peers yet.":   "이 노드에는 아직 피어가 없습니다.",
		"new":                           "신규",
		"ok":                            "정상",
		"failing":                       "실패 중",
		"backing off":                   "대기 중 (재시도 지연)",
		"Several matches for %q:":       "%q에 해당하는 결과가 여럿 있습니다:",
		"Nothing found for %q.":         "%q에 대한 결과가 없습니다.",
		"Type something to search for.": "검색할 내용을 입력하세요.",
		"Search takes:":                 "검색할 수 있는 것:",
		"a block height, from 1 to %d":  "블록 높이 (1부터 %d까지)",
		"a block hash or a transaction id: 64 hex characters, or the first 4 or more of them": "블록 해시 또는 거래 ID: 16진수 64자, 또는 그 앞부분 4자 이상",
		"an address that appears in a transaction, such as %s":                                "거래에 나타난 주소 (예: %s)",
		"in the future":                       "미래",
		"%s ago":                              "%s 전",
		"%d h":                                "%d시간",
		"%d min":                              "%d분",
		"%d s":                                "%d초",
		"%.1f s":                              "%.1f초",
		"Transactions per block":              "블록당 거래 수",
		"Seconds between blocks":              "블록 사이 시간 (초)",
		"Balance over time":                   "시간에 따른 잔액",
		"Show the numbers":                    "숫자로 보기",
		"The latest %d blocks, oldest first.": "최근 %d개 블록, 오래된 것부터.",
		"The balance after each of the latest %d blocks that moved it.": "잔액을 바꾼 최근 %d개 블록 각각의 뒤 잔액.",
		"Not found":            "찾을 수 없음",
		"Bad request":          "잘못된 요청",
		"Something went wrong": "문제가 발생했습니다",

		// The peers' chains, as the sync sees them.
		"This node is at height %d. The sync asks each peer for the blocks after it every few seconds; the answer tells the peer's height, and its tip when it sends its last block.": "이 노드의 높이는 %d입니다. 동기화는 몇 초마다 각 피어에게 그 다음 블록들을 요청하며, 그 응답으로 피어의 높이를, 마지막 블록을 보내면 그 팁까지 알 수 있습니다.",
		"A peer that is not ahead sends no block, so its tip is known only from an earlier answer at the same height.":                                                                "앞서 있지 않은 피어는 블록을 보내지 않으므로, 그 팁은 같은 높이에서 받은 이전 응답으로만 알 수 있습니다.",
		"Against this node": "이 노드와 비교",
		"Its tip":           "피어의 팁",
		"Last answer":       "마지막 응답",
		"Round trip":        "왕복 시간",
		"%d ahead":          "%d블록 앞섬",
		"%d behind":         "%d블록 뒤처짐",
		"same height":       "같은 높이",
		"%.1f ms":           "%.1f밀리초",
		"not sent":          "보내지 않음",

		// Forks.
		"Block tree":                      "블록 트리",
		"Blocks near the tip":             "최신 블록 근처의 블록",
		"Chain tips":                      "체인 끝 (팁)",
		"Fork height":                     "분기 높이",
		"Branch length":                   "분기 길이",
		"active":                          "활성",
		"valid-fork":                      "유효한 분기",
		"invalid":                         "무효",
		"main":                            "메인",
		"main chain":                      "메인 체인",
		"stale":                           "스테일",
		"replaced by":                     "대체한 블록",
		"Miner":                           "채굴자",
		"Arrived":                         "도착",
		"this node":                       "이 노드",
		"unknown":                         "알 수 없음",
		"%d older blocks are not listed.": "더 오래된 블록 %d개는 나오지 않습니다.",
		"%d more tips, lower: every tip is in the JSON API.": "더 낮은 팁 %d개는 나오지 않습니다. 모든 팁은 JSON API에 있습니다.",
		"No blocks yet.": "아직 블록이 없습니다.",
		"None.":          "없음.",
		"Each column is a height, the newest on the right. The top row is the main chain; the rows below hold stale blocks, each beside the block it builds on: blocks that lost the race for their height, or were replaced when a longer branch arrived.": "한 열은 한 높이이며, 가장 최근 것이 오른쪽에 있습니다. 맨 위 줄은 메인 체인이고, 아래 줄에는 스테일 블록이 자신이 이어 붙은 블록 옆에 있습니다: 그 높이의 경쟁에서 졌거나, 더 긴 분기가 도착해서 대체된 블록입니다.",
		"The main chain on the top row, oldest left, and %d stale blocks on the rows below, each beside the block it builds on.":                                                                                                                            "맨 위 줄은 메인 체인(오래된 것이 왼쪽)이고, 아래 줄에는 스테일 블록 %d개가 각자 이어 붙은 블록 옆에 있습니다.",
		"Blocks that do not fit in the picture; the table lists them.": "그림에 들어가지 않은 블록입니다. 표에 모두 나옵니다.",
		"The block tree and its numbers":                               "블록 트리와 그 숫자",
		"Reorganisation":                                               "체인 재구성",
		"Reorganisations":                                              "체인 재구성",
		"Reorganisation %d":                                            "체인 재구성 %d",
		"All reorganisations":                                          "모든 체인 재구성",
		"A reorganisation happens when another branch becomes longer than the main chain: the node removes its blocks above the fork and adds the branch's. Their transactions go back to the mempool, or are dropped when they no longer pass the rules.": "다른 분기가 메인 체인보다 길어지면 체인 재구성이 일어납니다: 노드는 분기점 위의 자기 블록을 빼고 그 분기의 블록을 더합니다. 빠진 블록의 거래는 멤풀로 돌아가거나, 더 이상 규칙을 통과하지 못하면 버려집니다.",
		"Depth":    "깊이",
		"Old tip":  "이전 팁",
		"New tip":  "새 팁",
		"Returned": "돌아감",
		"This node has not reorganised its chain yet.": "이 노드는 아직 체인을 재구성한 적이 없습니다.",
		"%d removed, %d added":                         "%d개 제거, %d개 추가",
		"Blocks removed":                               "제거된 블록",
		"Blocks added":                                 "추가된 블록",
		"Transactions returned to the mempool":         "멤풀로 돌아간 거래",
		"Transactions of the removed blocks that the new branch does not hold wait again for a block.": "제거된 블록의 거래 중 새 분기에 없는 것은 다시 블록을 기다립니다.",
		"Transactions dropped":                      "버려진 거래",
		"reorganised 1 block above height %d, %s":   "높이 %d 위의 블록 1개를 재구성했습니다, %s",
		"reorganised %d blocks above height %d, %s": "높이 %[2]d 위의 블록 %[1]d개를 재구성했습니다, %[3]s",
		"Refused blocks":                            "거부된 블록",
		"Rule":                                      "규칙",
		"Blocks this node was offered and refused, the latest first, with the rule each broke. A refused block is not kept, so its hash has no page.": "이 노드가 받았지만 거부한 블록입니다. 최근 것부터, 각각 어긴 규칙과 함께 나옵니다. 거부된 블록은 저장하지 않으므로 해시에 페이지가 없습니다.",
		"This node has refused no block.":  "이 노드는 거부한 블록이 없습니다.",
		"Stale block %d":                   "스테일 블록 %d",
		"stale — replaced at height %d by": "스테일 — 높이 %d에서 다음 블록으로 대체됨:",
		"stale — not on the main chain":    "스테일 — 메인 체인에 없음",
		"A stale block's transactions are not on the main chain because of it: each is on the main chain in another block, back in the mempool, or dropped.": "스테일 블록의 거래는 이 블록 때문에 메인 체인에 있는 것이 아닙니다: 각 거래는 다른 블록에 담겨 메인 체인에 있거나, 멤풀로 돌아갔거나, 버려졌습니다.",
		"Blocks that have held it":      "이 거래를 담았던 블록",
		"Blocks that lost this height:": "이 높이에서 진 블록:",
		"Proof of work":                 "작업 증명",
		"Proof":                         "증명",
		"Digest":                        "다이제스트",
		"meets the target":              "목표 충족",
		"misses the target":             "목표 미달",
		"Target":                        "목표",
		"4 leading hex zeros":           "앞자리 16진수 0이 4개",
		"Expected tries":                "예상 시도 횟수",
		"Block hash":                    "블록 해시",
		"Under the tutorial's rules the proof covers only the two nonces, not the block's contents, so the block's own hash, taken over its transactions and time as well, starts with zeros only by chance.": "튜토리얼의 규칙에서 작업 증명은 블록의 내용이 아니라 두 논스만 다루므로, 거래와 시간까지 포함해 계산하는 블록 자신의 해시는 우연히만 0으로 시작합니다.",

		// Block Scan: key addresses and the rules of the two soft forks (SPEC §11).
		"signed": "서명됨",
		"The sender is a key address: the node checked its key's signature on this payment (rule K).": "보낸 주소가 키 주소입니다: 노드가 이 거래에 대한 키의 서명을 확인했습니다 (규칙 K).",
		"key": "키",
		"A key address: only its key can spend from it (rule K).":                       "키 주소: 이 주소에서는 그 키로만 보낼 수 있습니다 (규칙 K).",
		"This is a key address: only its key can spend from this address.":              "키 주소입니다: 이 주소에서는 그 키로만 보낼 수 있습니다.",
		"This is a plain address: under the tutorial's rules anyone can spend from it.": "일반 주소입니다: 튜토리얼의 규칙에서는 누구나 이 주소에서 보낼 수 있습니다.",
		"Signature":       "서명",
		"does not verify": "서명이 맞지 않음",
		"no signature":    "서명 없음",
		"The node checked its key's signature when it took this payment; the signature shows here once the payment is in a block.": "노드는 이 거래를 받을 때 키의 서명을 확인했습니다. 서명은 거래가 블록에 들어가면 여기에 나옵니다.",
		"Refused at this height":            "이 높이에서 거부된 블록",
		"Rule K: bad or missing signature":  "규칙 K: 서명이 틀렸거나 없음",
		"Rule K: replayed payment":          "규칙 K: 이미 체인에 있는 거래의 재사용",
		"Rule K: key address overdrawn":     "규칙 K: 키 주소의 잔액을 넘는 지출",
		"Rule W: block hash lacks the work": "규칙 W: 블록 해시에 작업이 부족함",

		// Wallet.
		"Log in to your wallet": "지갑 로그인",
		"Your wallet is an address that has sent or received coins, such as the address a node mines to (node_5000).": "지갑은 코인을 보내거나 받은 적이 있는 주소입니다. 예: 노드가 채굴 보상을 받는 주소 (node_5000).",
		"Wallet address": "지갑 주소",
		"Your wallet is an address that has sent or received coins.":                                        "지갑은 코인을 보내거나 받은 적이 있는 주소입니다.",
		"This node mines to %s: its rewards make a first wallet.":                                           "이 노드는 %s(으)로 채굴합니다: 그 보상이 첫 지갑이 됩니다.",
		"This node mines to %s: once it has mined a block, that address is a wallet with the reward in it.": "이 노드는 %s(으)로 채굴합니다: 블록을 하나 채굴하면 그 주소가 보상이 든 지갑이 됩니다.",
		"Addresses this node knows": "이 노드가 아는 주소",
		"From its latest blocks, newest first. Any of them opens its wallet here; the wallet is for learning and asks for no password.": "최근 블록에서 찾은 주소이며 최신순입니다. 어느 주소든 여기서 지갑을 열 수 있습니다. 이 지갑은 학습용이라 비밀번호를 묻지 않습니다.",
		"%s (this node's miner)": "%s (이 노드의 채굴 주소)",
		"nothing pending":        "대기 중인 거래 없음",
		"Max":                    "최대",
		"Fill in everything this address can send":                                  "이 주소에서 보낼 수 있는 금액 전부를 채웁니다",
		"Send everything available to send (the amount is then left out)":           "보낼 수 있는 금액 전부 보내기 (금액 칸은 비워 둡니다)",
		"Nothing is available to send: the balance is 0 or already on its way out.": "보낼 수 있는 금액이 없습니다: 잔액이 0이거나 이미 모두 보내는 중입니다.",
		"Review the payment": "거래 확인하기",
		"The next page shows the payment to confirm before anything is sent.": "다음 페이지에서 보내기 전에 거래를 확인합니다.",
		"Confirm the payment": "거래 확인",
		"Check the payment before it is sent: once the node takes it, it cannot be taken back.": "보내기 전에 거래를 확인하세요: 노드가 받은 거래는 되돌릴 수 없습니다.",
		"Available after this payment": "이 거래 후 보낼 수 있는 금액",
		"This is more than this address can send now: the node will refuse it unless it allows overdrafts.": "이 주소가 지금 보낼 수 있는 금액보다 많습니다: 노드가 초과 지출을 허용하지 않으면 거부합니다.",
		"Confirm and send": "확인하고 보내기",
		"Back":             "뒤로",
		"Sign and send":    "서명하고 보내기",
		"Send %s pyBTC to %s? The payment is signed with this address's key in this page, then sent to the node.": "%s pyBTC를 %s에게 보낼까요? 지급은 이 페이지에서 이 주소의 키로 서명한 뒤 노드로 보냅니다.",
		"Log in":                    "로그인",
		"Log out":                   "로그아웃",
		"Type your wallet address.": "지갑 주소를 입력하세요.",
		"Invalid wallet address! No transaction has ever named %q.": "잘못된 지갑 주소입니다! %q가 나오는 거래가 없습니다.",
		"Log in to send coins.":                     "코인을 보내려면 로그인하세요.",
		"Sent. Transaction":                         "보냈습니다. 거래",
		"is pending until the next block is mined.": "는 다음 블록이 채굴될 때까지 대기 중입니다.",
		"is in block %d.":                           "는 블록 %d에 들어 있습니다.",
		"Block %d mined.":                           "블록 %d을(를) 채굴했습니다.",
		"See it in Block Scan":                      "블록 스캔에서 보기",
		"See this address in Block Scan":            "블록 스캔에서 이 주소 보기",
		"Copy":                                      "복사",
		"Copied":                                    "복사됨",
		"Confirmed balance":                         "확인된 잔액",
		"Available to send":                         "보낼 수 있는 금액",
		"Send coins":                                "코인 보내기",
		"Amount (pyBTC)":                            "금액 (pyBTC)",
		"A number such as 0.5, with at most 8 decimal places": "0.5 같은 숫자, 소수점 이하 최대 8자리",
		"Send":         "보내기",
		"Mine a block": "블록 채굴하기",
		"Development mode: confirms pending transactions now.":                                                "개발 모드: 대기 중인 거래를 지금 확정합니다.",
		"You cannot send coins to your own address.":                                                          "자기 자신의 주소로는 보낼 수 없습니다.",
		"This form is out of date or was sent from another site. Reload the wallet and try again.":            "이 양식은 오래되었거나 다른 사이트에서 보낸 것입니다. 지갑을 새로 고친 뒤 다시 시도하세요.",
		"This form was sent from another site, so it is refused. Open the wallet on this node and try again.": "이 양식은 다른 사이트에서 보낸 것이라 거부되었습니다. 이 노드에서 지갑을 열고 다시 시도하세요.",

		// Key addresses in the wallet.
		"Key address": "키 주소",
		"A key address (pb1…) belongs to a key: only that key can spend from it. The key is made and kept in this browser; the node never sees it.": "키 주소(pb1…)는 키에 속합니다. 그 키만 이 주소에서 코인을 쓸 수 있습니다. 키는 이 브라우저에서 만들어지고 보관되며, 노드는 키를 보지 못합니다.",
		"Key addresses need JavaScript: their keys are made, kept and used in the page. Turn JavaScript on to create or load one.":                  "키 주소에는 JavaScript가 필요합니다. 키는 페이지 안에서 만들어지고 보관되고 사용됩니다. 키 주소를 만들거나 불러오려면 JavaScript를 켜세요.",
		"Create a key address":  "키 주소 만들기",
		"Your new key address:": "새 키 주소:",
		"Download its key file now and keep it safe: this page shows the key only once, and without it nobody can spend from the address.": "지금 키 파일을 내려받아 안전하게 보관하세요. 이 페이지는 키를 한 번만 보여 주며, 키가 없으면 아무도 이 주소에서 코인을 쓸 수 없습니다.",
		"Download the key file": "키 파일 내려받기",
		"Open its wallet":       "지갑 열기",
		"Or load a key file":    "또는 키 파일 불러오기",
		"Key file":              "키 파일",
		"Only its key can spend from this address: every payment from it must carry the key's signature.":                                                                               "이 주소에서는 그 키만 코인을 쓸 수 있습니다. 이 주소에서 보내는 모든 거래에는 키의 서명이 있어야 합니다.",
		"Key addresses need JavaScript: a payment from a key address is signed in this page by its key, which never leaves your browser. Turn JavaScript on to send from this address.": "키 주소에는 JavaScript가 필요합니다. 키 주소에서 보내는 거래는 이 페이지에서 키로 서명되며, 키는 브라우저 밖으로 나가지 않습니다. 이 주소에서 보내려면 JavaScript를 켜세요.",
		"The key of this address is not in this browser. Load its key file to send from it; the file is read here and never sent to the node.":                                          "이 주소의 키가 이 브라우저에 없습니다. 이 주소에서 보내려면 키 파일을 불러오세요. 파일은 여기서 읽히며 노드로 보내지지 않습니다.",
		"Payments from a key address are signed by its key in the page, which needs JavaScript: the wallet does not send them unsigned.":                                                "키 주소에서 보내는 거래는 페이지 안에서 키로 서명되므로 JavaScript가 필요합니다. 지갑은 서명 없는 거래를 보내지 않습니다.",
		"This browser cannot make Ed25519 keys. Use a recent Chromium, Chrome, Edge, Firefox or Safari, on this node's own address.":                                                    "이 브라우저는 Ed25519 키를 만들 수 없습니다. 최신 Chromium, Chrome, Edge, Firefox 또는 Safari로 이 노드의 주소에서 여세요.",
		"This file is not a key file: a key file holds an address and a seed, as pybtc key new writes it.":                                                                              "키 파일이 아닙니다. 키 파일에는 pybtc key new가 쓰는 것처럼 주소와 시드가 들어 있습니다.",
		"The key file's address is not a key address (pb1…).":                                                                                                                           "키 파일의 주소가 키 주소(pb1…)가 아닙니다.",
		"The key file's seed must be 64 hex characters (32 bytes).":                                                                                                                     "키 파일의 시드는 16진수 64자(32바이트)여야 합니다.",
		"The key file's seed is not the key of its address, so it is refused.":                                                                                                          "키 파일의 시드가 그 주소의 키가 아니므로 거부되었습니다.",
		"This key file is the key of %s, not of this wallet's address.":                                                                                                                 "이 키 파일은 이 지갑 주소가 아니라 %s의 키입니다.",
		"The key of this address is in this browser: each payment is signed in this page before it is sent. Logging out removes the key from this browser.":                             "이 주소의 키가 이 브라우저에 있습니다. 모든 거래는 보내기 전에 이 페이지에서 서명됩니다. 로그아웃하면 이 브라우저에서 키가 지워집니다.",
		"Signed and sent. The node says:":          "서명해서 보냈습니다. 노드의 답:",
		"The node refused the payment:":            "노드가 거래를 거부했습니다:",
		"The payment could not be signed or sent:": "거래를 서명하거나 보낼 수 없었습니다:",
		// The lab.
		"Lab": "실험실",
		"Each experiment starts a small network of real nodes on this machine, each with its own throw-away database, and shows one weakness of the tutorial's blockchain, or the rule that closes it, step by step and in numbers. Your own node and its chain are never touched.": "각 실험은 이 컴퓨터에 실제 노드로 이루어진 작은 네트워크를 띄웁니다. 노드마다 실험이 끝나면 지워지는 데이터베이스를 쓰며, 튜토리얼 블록체인의 약점 하나, 또는 그 약점을 막는 규칙을 단계별로, 숫자로 보여 줍니다. 여러분의 노드와 그 체인은 건드리지 않습니다.",
		"The lab is off on this node. Start the node with --lab (or --dev) to run experiments.": "이 노드에서는 실험실이 꺼져 있습니다. 실험을 실행하려면 노드를 --lab (또는 --dev) 옵션으로 시작하세요.",
		"Open the experiment":           "실험 열기",
		"This node has no experiments.": "이 노드에는 실험이 없습니다.",
		"All experiments":               "모든 실험",
		"Run the experiment":            "실험 실행",
		"Run it again":                  "다시 실행",
		"A run starts its own nodes on this machine and takes a few seconds; one experiment runs at a time. The command pybtc lab %s runs it in a terminal.": "실행하면 이 컴퓨터에 실험용 노드를 따로 띄우며 몇 초 걸립니다. 실험은 한 번에 하나만 실행됩니다. 터미널에서는 pybtc lab %s 명령으로 실행할 수 있습니다.",
		"Outcome":                 "결과",
		"Steps":                   "단계",
		"The experiment took %s.": "실험에 %s 걸렸습니다.",
		"Running…":                "실행 중…",
		"Done.":                   "끝났습니다.",
		"The connection to the node was lost before the experiment ended.":                   "실험이 끝나기 전에 노드와의 연결이 끊어졌습니다.",
		"There is no experiment called %q.":                                                  "%q라는 실험은 없습니다.",
		"Another experiment is running on this node. Wait for it to end, then run this one.": "이 노드에서 다른 실험이 실행 중입니다. 그 실험이 끝난 뒤에 이 실험을 실행하세요.",
		"%s hashes":                                     "해시 %s번",
		"What the lesson claims happened.":              "수업에서 말한 대로 일어났습니다.",
		"This run did not show what the lesson claims.": "이번 실행에서는 수업에서 말한 결과가 나오지 않았습니다.",
		"The experiment took too long and was stopped.": "실험이 너무 오래 걸려서 중단했습니다.",
		"The experiment could not run: %s":              "실험을 실행할 수 없었습니다: %s",
	},
}
