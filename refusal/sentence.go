package refusal

import (
	"fmt"

	"github.com/pybtc/pybtc"
)

// Sentence words a refusal for a person reading lang ("en" or "ko"): what
// to change, with the numbers the refusal carries. The wallet shows it
// under its form; an unknown language reads English.
func Sentence(lang string, e *pybtc.Error) string {
	format, args := reader(e.Reason, e.Args)
	if lang == "ko" {
		if ko, ok := korean[format]; ok {
			format = ko
		}
		for i, arg := range args {
			if label, ok := arg.(label); ok {
				args[i] = label.ko
			}
		}
	} else {
		for i, arg := range args {
			if label, ok := arg.(label); ok {
				args[i] = label.en
			}
		}
	}
	return fmt.Sprintf(format, args...)
}

// label is a phrase of a sentence in each language.
type label struct{ en, ko string }

// fieldLabel names an address field for a person.
func fieldLabel(field string) label {
	switch field {
	case "sender":
		return label{"The sender's address", "보내는 사람 주소"}
	case "recipient":
		return label{"The recipient's address", "받는 사람 주소"}
	}
	return label{"The field " + field, field + " 필드"}
}

// reader returns the English format of a refusal's sentence for people,
// which is also the key of its Korean format, and the format's arguments.
func reader(r pybtc.Reason, a pybtc.Args) (string, []any) {
	switch r {
	case pybtc.ReasonBadJSON:
		return "The field %s is not valid JSON: %s.", []any{a.Field, a.Detail}
	case pybtc.ReasonNotJSON:
		return "This is not a JSON object: %s.", []any{a.Detail}
	case pybtc.ReasonBodyKind:
		return "The request must be a JSON object with sender, recipient and amount.", nil
	case pybtc.ReasonTxKind:
		return "The transaction must be a JSON object.", nil
	case pybtc.ReasonFieldMissing, pybtc.ReasonAddressEmpty:
		switch a.Field {
		case "recipient":
			return "Type the address to send to.", nil
		case "sender":
			return "Type the address to send from.", nil
		case "amount":
			return "Type the amount to send.", nil
		}
		return "The field %s is missing.", []any{a.Field}
	case pybtc.ReasonFieldType:
		if a.Field == "amount" {
			return "The amount must be a number such as 0.5, with a dot before the decimals.", nil
		}
		return "%s must be text.", []any{fieldLabel(a.Field)}
	case pybtc.ReasonAddressUTF8:
		return "%s must be valid UTF-8.", []any{fieldLabel(a.Field)}
	case pybtc.ReasonAddressTooLong:
		return "%s must be at most %d characters.", []any{fieldLabel(a.Field), a.Limit}
	case pybtc.ReasonControlChars:
		return "%s must not contain control characters.", []any{fieldLabel(a.Field)}
	case pybtc.ReasonMasterReserved:
		return "The address %q is reserved for the mining reward: it cannot send or be paid.", []any{a.Address}
	case pybtc.ReasonBadType:
		return `The field type must be "sharing" or left out.`, nil
	case pybtc.ReasonAmountNotPositive:
		return "The amount must be more than 0.", nil
	case pybtc.ReasonAmountDecimals:
		return "The amount can have at most 8 decimal places.", nil
	case pybtc.ReasonAmountTooLarge:
		return "The amount can be at most %s pyBTC.", []any{a.Amount}
	case pybtc.ReasonTimestampNotFinite:
		return "The timestamp must be a finite number.", nil
	case pybtc.ReasonTimestampAhead:
		return "The timestamp must not be more than 2 hours ahead of this node's clock.", nil
	case pybtc.ReasonOverdraft:
		if a.Pending.Sign() == 0 {
			return "You can send at most %s pyBTC: your balance is %s.", []any{a.Spendable, a.Balance}
		}
		return "You can send at most %s pyBTC: your balance is %s and %s is already on its way out.",
			[]any{a.Spendable, a.Balance, a.Pending}
	case pybtc.ReasonOverdraftInBlock:
		if a.Pending.Sign() == 0 {
			return "%q can spend only %s pyBTC: its balance is %s.", []any{a.Address, a.Spendable, a.Balance}
		}
		return "%q can spend only %s pyBTC: its balance is %s and it pays %s earlier in the block.",
			[]any{a.Address, a.Spendable, a.Balance, a.Pending}
	case pybtc.ReasonAlreadyMined:
		return "This transaction is already in block %d.", []any{a.Height}
	case pybtc.ReasonAlreadyPending:
		return "This transaction is already waiting for a block.", nil
	case pybtc.ReasonMempoolFull:
		return "The node holds %d transactions waiting for a block, the most it takes. Try again after the next block.", []any{a.Count}
	case pybtc.ReasonMempoolCap:
		return "The mempool holds its cap of %d transactions.", []any{a.Limit}
	case pybtc.ReasonRestampedCopy:
		return "This payment looks like a copy of %s, already in block %d: same sender, recipient and amount, stamped within a minute. A tutorial node stamps relayed payments anew, so one payment can have two ids; it is not paid twice.", []any{a.Hash, a.Height}
	case pybtc.ReasonPendingCopy:
		return "This payment looks like a copy of %s, already waiting for a block: same sender, recipient and amount, stamped within a minute. A tutorial node stamps relayed payments anew, so one payment can have two ids; it is not paid twice.", []any{a.Hash}
	case pybtc.ReasonShuttingDown:
		return "The node is shutting down.", nil
	case pybtc.ReasonPeerCap:
		return "This node has %d peers, the most it takes.", []any{a.Limit}
	case pybtc.ReasonDiskFull:
		return "The node's disk is full: nothing new can be stored until space is freed. Reading still works.", nil
	case pybtc.ReasonReadOnly:
		return "The node's database is read-only: nothing new can be stored. Reading still works.", nil
	case pybtc.ReasonDiskError:
		return "The node cannot write to its database (a disk error): nothing new can be stored. Reading still works.", nil
	case pybtc.ReasonBlockRule:
		return "The block breaks the rule %s: %s.", []any{a.Field, a.Detail}
	case pybtc.ReasonBodyUnreadable:
		return "The request could not be read: %s.", []any{a.Detail}
	case pybtc.ReasonNodeListBody, pybtc.ReasonNodeListItem, pybtc.ReasonNodeListMissing:
		return "Give the peers to add as nodes: a URL like http://127.0.0.1:5001, or a list of them.", nil
	case pybtc.ReasonBodyNotObject:
		return "The request must be a JSON object with %s.", []any{a.Field}
	case pybtc.ReasonURLMissing:
		if a.Field == "miner_node" {
			return "Give miner_node, the URL of the node that mined.", nil
		}
		return "Give %s, the URL of a peer, like http://127.0.0.1:5001.", []any{a.Field}
	case pybtc.ReasonCannotRemovePeers:
		return "This node cannot remove peers.", nil
	case pybtc.ReasonQueryParam:
		return "The parameter %s must be a whole number of %d or more.", []any{a.Field, a.Limit}
	// The page reasons read as Block Scan has always worded them.
	case pybtc.ReasonPageParam:
		return "page must be a whole number of 1 or more, not %q", []any{a.Got}
	case pybtc.ReasonNoSuchPage:
		return "There is no page %d: the last page is %d.", []any{a.Count, a.Limit}
	case pybtc.ReasonAddressPath:
		return "The address in the path is empty, too long or badly escaped.", nil
	case pybtc.ReasonBlockName:
		return "A block is named by its height (1, 2, …) or its 64-character hex hash, not %q.", []any{a.Got}
	case pybtc.ReasonTxIDForm:
		return "A transaction id is 64 hex characters, not %q.", []any{a.Got}
	case pybtc.ReasonTooManyStreams:
		return "Too many live updates are open on this node; try again later.", nil
	case pybtc.ReasonPeerURL:
		return "The node URL %q %s.", []any{a.URL, urlRule(a)}
	case pybtc.ReasonChainRange:
		return "A chain is fetched from block 1 or later, with a limit of 0 or more, not %d and %d.", []any{a.Height, a.Count}
	case pybtc.ReasonUnknownPeer:
		return "%s is not a peer of this node.", []any{a.URL}
	case pybtc.ReasonBlockNotFound:
		return "The node has no block %d.", []any{a.Height}
	case pybtc.ReasonChainEmpty:
		return "The node has no blocks yet.", nil
	case pybtc.ReasonNoBlockAt:
		return "There is no block at height %d.", []any{a.Height}
	case pybtc.ReasonNoBlockHash:
		return "No block of the chain has the hash %s.", []any{a.Hash}
	case pybtc.ReasonNoTransaction:
		return "No transaction has the id %s.", []any{a.ID}
	case pybtc.ReasonReorgID:
		return "A reorganisation is named by its number (1, 2, …), not %q.", []any{a.Got}
	case pybtc.ReasonNoReorg:
		return "This node has seen no reorganisation number %d.", []any{a.Count}
	case pybtc.ReasonNoAddress:
		return "No transaction names the address %q.", []any{a.Address}
	case pybtc.ReasonNotOnTip:
		return "Block %d does not follow the last block, %d.", []any{a.Height, a.Parent}
	case pybtc.ReasonNotLinked:
		return "Block %d does not follow block %d.", []any{a.Height, a.Parent}
	case pybtc.ReasonReorgEmpty:
		return "There are no blocks to put after block %d.", []any{a.Height}
	case pybtc.ReasonNoForkBlock:
		return "The node has no block %d to branch from.", []any{a.Height}
	case pybtc.ReasonNoStaleBlock:
		return "No stale block has the hash %s.", []any{a.Hash}
	case pybtc.ReasonLimitParam:
		return "The parameter %s must be a whole number from 1 to %d, not %q.", []any{a.Field, a.Limit, a.Got}
	case pybtc.ReasonBranchMissing:
		return "Block %d (%s) of the branch was forgotten before the node could switch to it.", []any{a.Height, a.Hash}
	case pybtc.ReasonConstraint:
		return "This is already stored: %s.", []any{a.Detail}
	case pybtc.ReasonKeyAddress:
		return "%q is not a key address: %s.", []any{a.Address, keyAddressRule(a)}
	case pybtc.ReasonSignatureMissing:
		return "Only the key of %q can spend from it: sign the payment with that key.", []any{a.Address}
	case pybtc.ReasonSignatureForm:
		return "A signature is 128 lowercase hex characters, not %q.", []any{a.Got}
	case pybtc.ReasonKeyReplay:
		return "This signed payment from %q is already in block %d: a signed payment is paid only once.", []any{a.Address, a.Height}
	case pybtc.ReasonSignatureWrong:
		return "The signature is not by the key of %q, or the payment was changed after it was signed.", []any{a.Address}
	}
	return "Refused (%s).", []any{string(r)}
}

// korean maps each English format of reader to its Korean.
var korean = map[string]string{
	"This payment looks like a copy of %s, already waiting for a block: same sender, recipient and amount, stamped within a minute. A tutorial node stamps relayed payments anew, so one payment can have two ids; it is not paid twice.": "이 지급은 이미 블록을 기다리는 %s의 사본으로 보입니다: 보낸 주소, 받는 주소, 금액이 같고 1분 안에 찍혔습니다. 튜토리얼 노드는 전달받은 지급에 타임스탬프를 새로 찍으므로 한 지급이 두 id를 가질 수 있습니다. 두 번 지급되지 않습니다.",
	"This payment looks like a copy of %s, already in block %d: same sender, recipient and amount, stamped within a minute. A tutorial node stamps relayed payments anew, so one payment can have two ids; it is not paid twice.":         "이 지급은 이미 블록 %[2]d에 있는 %[1]s의 사본으로 보입니다: 보낸 주소, 받는 주소, 금액이 같고 1분 안에 찍혔습니다. 튜토리얼 노드는 전달받은 지급에 타임스탬프를 새로 찍으므로 한 지급이 두 id를 가질 수 있습니다. 두 번 지급되지 않습니다.",
	"%q is not a key address: %s.":                                                            "%q는 키 주소가 아닙니다: %s.",
	"Only the key of %q can spend from it: sign the payment with that key.":                   "%q에서는 그 키만 보낼 수 있습니다: 그 키로 지급에 서명하세요.",
	"This signed payment from %q is already in block %d: a signed payment is paid only once.": "%q의 이 서명된 지급은 이미 블록 %d에 있습니다: 서명된 지급은 한 번만 지급됩니다.",
	"A signature is 128 lowercase hex characters, not %q.":                                    "서명은 소문자 16진수 128자입니다(%q가 아님).",
	"The signature is not by the key of %q, or the payment was changed after it was signed.":  "서명이 %q의 키로 만든 것이 아니거나, 서명한 뒤에 지급 내용이 바뀌었습니다.",
	"The parameter %s must be a whole number from 1 to %d, not %q.":                           "매개변수 %s는 1부터 %d까지의 정수여야 합니다(%q가 아님).",
	"No stale block has the hash %s.":                                                         "해시가 %s인 버려진 블록이 없습니다.",
	"The node recorded no reorganisation %d.":                                                 "노드에 기록된 재구성 %d번이 없습니다.",
	"Block %d (%s) of the branch was forgotten before the node could switch to it.":           "분기의 블록 %d (%s)가 전환 전에 지워졌습니다.",
	"The field %s is not valid JSON: %s.":                                                     "%s 필드가 올바른 JSON이 아닙니다: %s.",
	"This is not a JSON object: %s.":                                                          "JSON 객체가 아닙니다: %s.",
	"The request must be a JSON object with sender, recipient and amount.":                    "요청은 sender, recipient, amount가 있는 JSON 객체여야 합니다.",
	"The transaction must be a JSON object.":                                                  "거래는 JSON 객체여야 합니다.",
	"Type the address to send to.":                                                            "받는 사람 주소를 입력하세요.",
	"Type the address to send from.":                                                          "보내는 사람 주소를 입력하세요.",
	"Type the amount to send.":                                                                "보낼 금액을 입력하세요.",
	"The field %s is missing.":                                                                "%s 필드가 없습니다.",
	"The amount must be a number such as 0.5, with a dot before the decimals.":                "금액은 0.5처럼 소수점(.)을 쓴 숫자여야 합니다.",
	"%s must be text.":                        "%s는 문자열이어야 합니다.",
	"%s must be valid UTF-8.":                 "%s는 올바른 UTF-8이어야 합니다.",
	"%s must be at most %d characters.":       "%s는 최대 %d자입니다.",
	"%s must not contain control characters.": "%s에 제어 문자를 넣을 수 없습니다.",
	"The address %q is reserved for the mining reward: it cannot send or be paid.":                           "주소 %q는 채굴 보상용이라 보내거나 받을 수 없습니다.",
	`The field type must be "sharing" or left out.`:                                                          `type 필드는 "sharing"이거나 없어야 합니다.`,
	"The amount must be more than 0.":                                                                        "금액은 0보다 커야 합니다.",
	"The amount can have at most 8 decimal places.":                                                          "금액은 소수점 이하 최대 8자리까지입니다.",
	"The amount can be at most %s pyBTC.":                                                                    "금액은 최대 %s pyBTC입니다.",
	"The timestamp must be a finite number.":                                                                 "타임스탬프는 유한한 숫자여야 합니다.",
	"The timestamp must not be more than 2 hours ahead of this node's clock.":                                "타임스탬프는 이 노드의 시계보다 2시간 넘게 앞설 수 없습니다.",
	"You can send at most %s pyBTC: your balance is %s.":                                                     "최대 %s pyBTC까지 보낼 수 있습니다: 잔액은 %s입니다.",
	"%q can spend only %s pyBTC: its balance is %s.":                                                         "%q는 %s pyBTC만 쓸 수 있습니다: 잔액은 %s입니다.",
	"You can send at most %s pyBTC: your balance is %s and %s is already on its way out.":                    "최대 %s pyBTC까지 보낼 수 있습니다: 잔액은 %s이고 그중 %s은(는) 이미 보내는 중입니다.",
	"%q can spend only %s pyBTC: its balance is %s and it pays %s earlier in the block.":                     "%q는 %s pyBTC만 쓸 수 있습니다: 잔액은 %s이고 같은 블록 앞쪽에서 %s을(를) 보냅니다.",
	"This transaction is already in block %d.":                                                               "이 거래는 이미 블록 %d에 있습니다.",
	"This transaction is already waiting for a block.":                                                       "이 거래는 이미 블록을 기다리고 있습니다.",
	"The node holds %d transactions waiting for a block, the most it takes. Try again after the next block.": "노드가 블록을 기다리는 거래를 최대치인 %d개 들고 있습니다. 다음 블록 뒤에 다시 시도하세요.",
	"The mempool holds its cap of %d transactions.":                                                          "멤풀이 한도인 거래 %d개를 들고 있습니다.",
	"The node is shutting down.":                                                                             "노드가 종료하는 중입니다.",
	"This node has %d peers, the most it takes.":                                                             "이 노드는 받을 수 있는 최대치인 %d개의 피어가 있습니다.",
	"The node's disk is full: nothing new can be stored until space is freed. Reading still works.":          "노드의 디스크가 가득 찼습니다: 공간을 비울 때까지 새로 저장할 수 없습니다. 읽기는 됩니다.",
	"The node's database is read-only: nothing new can be stored. Reading still works.":                      "노드의 데이터베이스가 읽기 전용입니다: 새로 저장할 수 없습니다. 읽기는 됩니다.",
	"The node cannot write to its database (a disk error): nothing new can be stored. Reading still works.":  "노드가 데이터베이스에 쓸 수 없습니다 (디스크 오류): 새로 저장할 수 없습니다. 읽기는 됩니다.",
	"The block breaks the rule %s: %s.":                                                                      "블록이 규칙 %s을(를) 어깁니다: %s.",
	"The request could not be read: %s.":                                                                     "요청을 읽을 수 없습니다: %s.",
	"Give the peers to add as nodes: a URL like http://127.0.0.1:5001, or a list of them.":                   "추가할 피어를 nodes에 적으세요: http://127.0.0.1:5001 같은 URL 하나 또는 그 목록.",
	"The request must be a JSON object with %s.":                                                             "요청은 %s가 있는 JSON 객체여야 합니다.",
	"Give miner_node, the URL of the node that mined.":                                                       "채굴한 노드의 URL을 miner_node에 적으세요.",
	"Give %s, the URL of a peer, like http://127.0.0.1:5001.":                                                "%s에 http://127.0.0.1:5001 같은 피어 URL을 적으세요.",
	"This node cannot remove peers.":                                                                         "이 노드는 피어를 지울 수 없습니다.",
	"The parameter %s must be a whole number of %d or more.":                                                 "매개변수 %s는 %d 이상의 정수여야 합니다.",
	"page must be a whole number of 1 or more, not %q":                                                       "페이지는 1 이상의 정수여야 합니다 (%q는 올바르지 않습니다)",
	"There is no page %d: the last page is %d.":                                                              "%d 페이지는 없습니다. 마지막 페이지는 %d입니다.",
	"The address in the path is empty, too long or badly escaped.":                                           "경로의 주소가 비었거나 너무 길거나 잘못 이스케이프되었습니다.",
	"A block is named by its height (1, 2, …) or its 64-character hex hash, not %q.":                         "블록은 높이(1, 2, …) 또는 16진수 64자 해시로 찾습니다. %q는 올바르지 않습니다.",
	"A transaction id is 64 hex characters, not %q.":                                                         "거래 ID는 16진수 64자입니다. %q는 올바르지 않습니다.",
	"Too many live updates are open on this node; try again later.":                                          "이 노드에 열린 실시간 업데이트가 너무 많습니다. 나중에 다시 시도하세요.",
	"The node URL %q %s.": "노드 URL %q: %s.",
	"A chain is fetched from block 1 or later, with a limit of 0 or more, not %d and %d.": "체인은 블록 1 이후부터, 0 이상의 한도로 가져옵니다. %d와 %d는 올바르지 않습니다.",
	"%s is not a peer of this node.":                             "%s는 이 노드의 피어가 아닙니다.",
	"The node has no block %d.":                                  "노드에 블록 %d가 없습니다.",
	"The node has no blocks yet.":                                "노드에 아직 블록이 없습니다.",
	"There is no block at height %d.":                            "높이 %d의 블록이 없습니다.",
	"No block of the chain has the hash %s.":                     "해시가 %s인 블록이 체인에 없습니다.",
	"No transaction has the id %s.":                              "ID가 %s인 거래가 없습니다.",
	"A reorganisation is named by its number (1, 2, …), not %q.": "체인 재구성은 번호(1, 2, …)로 가리킵니다. %q는 올바르지 않습니다.",
	"This node has seen no reorganisation number %d.":            "이 노드는 %d번 체인 재구성을 본 적이 없습니다.",
	"No transaction names the address %q.":                       "주소 %q가 나오는 거래가 없습니다.",
	"Block %d does not follow the last block, %d.":               "블록 %d는 마지막 블록 %d 다음에 오지 않습니다.",
	"Block %d does not follow block %d.":                         "블록 %d는 블록 %d 다음에 오지 않습니다.",
	"There are no blocks to put after block %d.":                 "블록 %d 뒤에 놓을 블록이 없습니다.",
	"The node has no block %d to branch from.":                   "노드에 갈라져 나올 블록 %d가 없습니다.",
	"This is already stored: %s.":                                "이미 저장되어 있습니다: %s.",
	"Refused (%s).":                                              "거부되었습니다 (%s).",
}
