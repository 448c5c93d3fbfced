package refusal

import (
	"fmt"

	"github.com/pybtc/pybtc"
)

// Sentence words a refusal for a person reading lang ("en" or "ko"): what
// to change, with the numbers the refusal carries. The wallet shows it
// under its form; an unknown language reads English.
func Sentence(lang string, e *pybtc.Error) string {
	if e.Reason == "" {
		return e.Message
	}
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
		return "You can send at most %s pyBTC: your balance is %s and %s is already on its way out.",
			[]any{a.Spendable, a.Balance, a.Pending}
	case pybtc.ReasonOverdraftInBlock:
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
	}
	return "Refused (%s).", []any{string(r)}
}

// korean maps each English format of reader to its Korean.
var korean = map[string]string{
	"The field %s is not valid JSON: %s.":                                                                    "%s 필드가 올바른 JSON이 아닙니다: %s.",
	"This is not a JSON object: %s.":                                                                         "JSON 객체가 아닙니다: %s.",
	"The request must be a JSON object with sender, recipient and amount.":                                   "요청은 sender, recipient, amount가 있는 JSON 객체여야 합니다.",
	"The transaction must be a JSON object.":                                                                 "거래는 JSON 객체여야 합니다.",
	"Type the address to send to.":                                                                           "받는 사람 주소를 입력하세요.",
	"Type the address to send from.":                                                                         "보내는 사람 주소를 입력하세요.",
	"Type the amount to send.":                                                                               "보낼 금액을 입력하세요.",
	"The field %s is missing.":                                                                               "%s 필드가 없습니다.",
	"The amount must be a number such as 0.5, with a dot before the decimals.":                               "금액은 0.5처럼 소수점(.)을 쓴 숫자여야 합니다.",
	"%s must be text.":                                                                                       "%s는 문자열이어야 합니다.",
	"%s must be valid UTF-8.":                                                                                "%s는 올바른 UTF-8이어야 합니다.",
	"%s must be at most %d characters.":                                                                      "%s는 최대 %d자입니다.",
	"%s must not contain control characters.":                                                                "%s에 제어 문자를 넣을 수 없습니다.",
	"The address %q is reserved for the mining reward: it cannot send or be paid.":                           "주소 %q는 채굴 보상용이라 보내거나 받을 수 없습니다.",
	`The field type must be "sharing" or left out.`:                                                          `type 필드는 "sharing"이거나 없어야 합니다.`,
	"The amount must be more than 0.":                                                                        "금액은 0보다 커야 합니다.",
	"The amount can have at most 8 decimal places.":                                                          "금액은 소수점 이하 최대 8자리까지입니다.",
	"The amount can be at most %s pyBTC.":                                                                    "금액은 최대 %s pyBTC입니다.",
	"The timestamp must be a finite number.":                                                                 "타임스탬프는 유한한 숫자여야 합니다.",
	"The timestamp must not be more than 2 hours ahead of this node's clock.":                                "타임스탬프는 이 노드의 시계보다 2시간 넘게 앞설 수 없습니다.",
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
	"Refused (%s).":                                                                                          "거부되었습니다 (%s).",
}
