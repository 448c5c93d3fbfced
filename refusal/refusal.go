// Package refusal words the node's refusals. Below the edge a refusal is
// a *pybtc.Error with a reason and its arguments; here, and only here,
// they become sentences: the protocol's English message, byte for byte
// what tutorial clients read, and a sentence for a person in the
// reader's language (the wallet, Block Scan). Programs that sort
// refusals (metrics) switch on the reason, never on these sentences.
package refusal

import (
	"errors"
	"fmt"

	"github.com/pybtc/pybtc"
)

// Refuser is an error that is a refusal of its own kind, such as a
// consensus rule error, and says which.
type Refuser interface {
	error
	Refusal() *pybtc.Error
}

// Of returns the refusal in err's chain: a *pybtc.Error, or the refusal
// of a Refuser.
func Of(err error) (*pybtc.Error, bool) {
	var r Refuser
	if errors.As(err, &r) {
		if e := r.Refusal(); e != nil {
			return e, true
		}
	}
	return pybtc.AsError(err)
}

// Message returns the protocol's message for err: a refusal worded in
// English, or a generic sentence
// for internal errors, whose details must not reach users.
func Message(err error) string {
	if err == nil {
		return ""
	}
	e, ok := Of(err)
	if !ok {
		return "Internal error."
	}
	return English(e.Reason, e.Args)
}

// English words a refusal as the protocol does: one sentence naming the
// field and the rule. These sentences are part of the protocol: clients
// and tests compare them.
func English(r pybtc.Reason, a pybtc.Args) string {
	switch r {
	case pybtc.ReasonBadJSON:
		return fmt.Sprintf("%s must be valid JSON: %s", a.Field, a.Detail)
	case pybtc.ReasonNotJSON:
		return fmt.Sprintf("%s must be a JSON object: %s", a.Field, a.Detail)
	case pybtc.ReasonBodyKind:
		return fmt.Sprintf("request body must be a JSON object with sender, recipient and amount, not %s", kindName(a.Got))
	case pybtc.ReasonTxKind:
		return fmt.Sprintf("transaction must be a JSON object, not %s", kindName(a.Got))
	case pybtc.ReasonFieldMissing:
		return fmt.Sprintf("missing values: %s is required", a.Field)
	case pybtc.ReasonFieldType:
		if a.Field == "amount" {
			return fmt.Sprintf("amount must be a JSON number, not %s", kindName(a.Got))
		}
		return fmt.Sprintf("%s must be a string, not %s", a.Field, kindName(a.Got))
	case pybtc.ReasonAddressEmpty:
		return fmt.Sprintf("%s must not be empty", a.Field)
	case pybtc.ReasonAddressUTF8:
		return fmt.Sprintf("%s must be valid UTF-8", a.Field)
	case pybtc.ReasonAddressTooLong:
		return fmt.Sprintf("%s must be at most %d characters", a.Field, a.Limit)
	case pybtc.ReasonControlChars:
		return fmt.Sprintf("%s must not contain control characters", a.Field)
	case pybtc.ReasonMasterReserved:
		if a.Field == "recipient" {
			// Pages show what master moves as the mining reward.
			return fmt.Sprintf("recipient %q is reserved for the mining reward and cannot be paid", a.Address)
		}
		return fmt.Sprintf("%s %q is reserved for the mining reward", a.Field, a.Address)
	case pybtc.ReasonBadType:
		return `type must be "sharing" (a peer's relay) or left out`
	case pybtc.ReasonAmountNotPositive, pybtc.ReasonAmountDecimals:
		return fmt.Sprintf("amount must be a positive number with at most 8 decimal places; got %s", a.Got)
	case pybtc.ReasonAmountTooLarge:
		return fmt.Sprintf("amount must be at most %s; got %s", a.Amount, a.Got)
	case pybtc.ReasonTimestampNotFinite:
		return "timestamp must be a finite number"
	case pybtc.ReasonTimestampAhead:
		return "timestamp must not be more than 2 hours ahead of this node's clock"
	case pybtc.ReasonOverdraft:
		return overdraft(a, "pending")
	case pybtc.ReasonOverdraftInBlock:
		return overdraft(a, "earlier in the block")
	case pybtc.ReasonAlreadyMined:
		return fmt.Sprintf("Transaction %s is already in block %d: it is not stored again.", a.ID, a.Height)
	case pybtc.ReasonAlreadyPending:
		return fmt.Sprintf("Transaction %s is already pending.", a.ID)
	case pybtc.ReasonMempoolFull:
		return fmt.Sprintf("The mempool is full (%d transactions wait for a block); try again after the next block.", a.Count)
	case pybtc.ReasonMempoolCap:
		return fmt.Sprintf("the mempool holds its cap of %d transactions", a.Limit)
	case pybtc.ReasonRestampedCopy:
		return fmt.Sprintf("transaction %s looks like a copy of %s, already in block %d: the same sender, recipient and amount, stamped within a minute of it (a tutorial node stamps relayed payments anew)", a.ID, a.Hash, a.Height)
	case pybtc.ReasonPendingCopy:
		return fmt.Sprintf("transaction %s looks like a copy of %s, already pending: the same sender, recipient and amount, stamped within a minute of it (a tutorial node stamps relayed payments anew)", a.ID, a.Hash)
	case pybtc.ReasonShuttingDown:
		return "The node is shutting down."
	case pybtc.ReasonPeerCap:
		return fmt.Sprintf("This node has %d peers, the most it takes.", a.Limit)
	case pybtc.ReasonDiskFull:
		return "The node's disk is full: nothing new can be stored until space is freed. Reading still works."
	case pybtc.ReasonReadOnly:
		return "The node's database is read-only: nothing new can be stored. Reading still works."
	case pybtc.ReasonDiskError:
		return "The node cannot write to its database (a disk error): nothing new can be stored. Reading still works."
	case pybtc.ReasonBlockRule:
		return a.Detail
	case pybtc.ReasonBodyUnreadable:
		return fmt.Sprintf("request body could not be read: %s", a.Detail)
	case pybtc.ReasonNodeListBody:
		return nodeList + "the body must be a JSON object with nodes"
	case pybtc.ReasonNodeListItem:
		return nodeList + "nodes must hold URL strings"
	case pybtc.ReasonNodeListMissing:
		return nodeList + "nodes must be a URL like http://127.0.0.1:5001 or a list of them"
	case pybtc.ReasonBodyNotObject:
		return fmt.Sprintf("the body must be a JSON object with %s", a.Field)
	case pybtc.ReasonURLMissing:
		if a.Field == "miner_node" {
			return "missing values: miner_node must be the URL of the node that mined"
		}
		return fmt.Sprintf("%s must be the URL of a peer, like http://127.0.0.1:5001", a.Field)
	case pybtc.ReasonCannotRemovePeers:
		return "This node cannot remove peers."
	case pybtc.ReasonQueryParam:
		switch a.Field {
		case "since":
			return fmt.Sprintf("since must be a block index ≥ %d", a.Limit)
		case "limit":
			return fmt.Sprintf("limit must be a number of blocks ≥ %d", a.Limit)
		}
		return fmt.Sprintf("%s must be a whole number ≥ %d", a.Field, a.Limit)
	case pybtc.ReasonPageParam:
		return fmt.Sprintf("page must be a whole number of 1 or more, not %q", a.Got)
	case pybtc.ReasonNoSuchPage:
		return fmt.Sprintf("There is no page %d: the last page is %d.", a.Count, a.Limit)
	case pybtc.ReasonAddressPath:
		return "the address in the path is empty, too long or badly escaped"
	case pybtc.ReasonBlockName:
		return fmt.Sprintf("A block is named by its height (1, 2, …) or its 64-character hex hash, not %q.", a.Got)
	case pybtc.ReasonTxIDForm:
		return fmt.Sprintf("A transaction id is 64 hex characters, not %q.", a.Got)
	case pybtc.ReasonTooManyStreams:
		return "too many open event streams; try again later"
	case pybtc.ReasonPeerURL:
		return fmt.Sprintf("node URL %q %s", a.URL, urlRule(a).en)
	case pybtc.ReasonChainRange:
		return fmt.Sprintf("since must be ≥ 1 and limit ≥ 0, not %d and %d", a.Height, a.Count)
	case pybtc.ReasonUnknownPeer:
		return fmt.Sprintf("Peer %s is not known.", a.URL)
	case pybtc.ReasonBlockNotFound:
		return fmt.Sprintf("Block %d not found.", a.Height)
	case pybtc.ReasonChainEmpty:
		return "The chain is empty."
	case pybtc.ReasonNoBlockAt:
		return fmt.Sprintf("There is no block at height %d.", a.Height)
	case pybtc.ReasonNoBlockHash:
		return fmt.Sprintf("No block of the chain has the hash %s.", a.Hash)
	case pybtc.ReasonNoTransaction:
		return fmt.Sprintf("No transaction has the id %s.", a.ID)
	case pybtc.ReasonReorgID:
		return fmt.Sprintf("A reorganisation is named by its number (1, 2, …), not %q.", a.Got)
	case pybtc.ReasonNoReorg:
		return fmt.Sprintf("No reorganisation has the number %d.", a.Count)
	case pybtc.ReasonNoAddress:
		return fmt.Sprintf("No transaction names the address %q.", a.Address)
	case pybtc.ReasonNotOnTip:
		return fmt.Sprintf("Block %d does not extend the tip %d %s.", a.Height, a.Parent, a.Hash)
	case pybtc.ReasonNotLinked:
		return fmt.Sprintf("Block %d does not build on block %d.", a.Height, a.Parent)
	case pybtc.ReasonReorgEmpty:
		return fmt.Sprintf("No blocks to replace the chain above %d with.", a.Height)
	case pybtc.ReasonNoForkBlock:
		return fmt.Sprintf("No block %d to fork from.", a.Height)
	case pybtc.ReasonNoStaleBlock:
		return fmt.Sprintf("No stale block has the hash %s.", a.Hash)
	case pybtc.ReasonLimitParam:
		return fmt.Sprintf("%s must be a whole number from 1 to %d, not %q", a.Field, a.Limit, a.Got)
	case pybtc.ReasonBranchMissing:
		return fmt.Sprintf("Block %d %s of the branch is no longer stored.", a.Height, a.Hash)
	case pybtc.ReasonConstraint:
		return a.Detail
	case pybtc.ReasonKeyAddress:
		return fmt.Sprintf("%q is not a key address: %s", a.Address, keyAddressRule(a).en)
	case pybtc.ReasonSignatureMissing:
		return fmt.Sprintf("signature is required: a transaction from key address %q must be signed by its key", a.Address)
	case pybtc.ReasonSignatureForm:
		return fmt.Sprintf("signature must be 128 lowercase hex characters, not %q", a.Got)
	case pybtc.ReasonKeyReplay:
		return fmt.Sprintf("this signed payment from key address %q is already in block %d: a signed payment is paid once", a.Address, a.Height)
	case pybtc.ReasonSignatureWrong:
		return fmt.Sprintf("signature is not by the key of %q over this transaction", a.Address)
	}
	return fmt.Sprintf("refused (%s)", r)
}

// nodeList opens the refusals of /nodes/register as the tutorial words them.
const nodeList = "Error: Please supply a valid list of nodes: "

// urlRule words the peer URL rule a refusal names, in each language.
func urlRule(a pybtc.Args) label {
	switch a.Field {
	case "length":
		return label{fmt.Sprintf("is longer than %d characters", a.Limit), fmt.Sprintf("%d자보다 깁니다", a.Limit)}
	case "spaces":
		return label{"must not contain spaces or control characters", "공백이나 제어 문자를 넣을 수 없습니다"}
	case "scheme":
		return label{"must start with http:// or https://", "http:// 또는 https://로 시작해야 합니다"}
	case "fragment":
		return label{"must not have a fragment (#...)", "프래그먼트(#...)가 없어야 합니다"}
	case "query":
		return label{"must not have a query (?...)", "쿼리(?...)가 없어야 합니다"}
	case "userinfo":
		return label{"must not contain a user name or password", "사용자 이름이나 비밀번호를 넣을 수 없습니다"}
	case "path":
		return label{"must not have a path", "경로가 없어야 합니다"}
	case "ipv6_unclosed":
		return label{"has an IPv6 address without its closing ]", "IPv6 주소를 닫는 ]가 없습니다"}
	case "ipv6":
		return label{"must have a valid IPv6 address between [ and ], without a zone", "[와 ] 사이에 존 없이 올바른 IPv6 주소가 있어야 합니다"}
	case "port_missing":
		return label{"must have an explicit port, like http://127.0.0.1:5001", "http://127.0.0.1:5001처럼 포트를 적어야 합니다"}
	case "port_after":
		return label{"must have a port after the host, like http://[::1]:5001", "http://[::1]:5001처럼 호스트 뒤에 포트가 있어야 합니다"}
	case "host_missing":
		return label{"must name a host, like http://127.0.0.1:5001", "http://127.0.0.1:5001처럼 호스트가 있어야 합니다"}
	case "host_name":
		return label{"must have a host name of letters, digits, '-', '_' and '.', or an IP address", "호스트 이름은 글자, 숫자, '-', '_', '.'로 쓰거나 IP 주소여야 합니다"}
	case "port":
		return label{"must have a port from 1 to 65535", "포트는 1부터 65535까지여야 합니다"}
	}
	return label{fmt.Sprintf("breaks the rule %s", a.Field), fmt.Sprintf("규칙 %s을(를) 어깁니다", a.Field)}
}

// keyAddressRule words the key address rule a refusal names (keys.Rule*),
// in each language.
func keyAddressRule(a pybtc.Args) label {
	switch a.Field {
	case "case":
		return label{"a key address is written in lower case", "키 주소는 소문자로 씁니다"}
	case "encoding":
		return label{"it is not bech32m text (pb1 followed by letters and digits of the bech32 alphabet)", "bech32m 문자열이 아닙니다 (pb1 뒤에 bech32 문자)"}
	case "checksum":
		return label{"its checksum does not match: a character is mistyped", "체크섬이 맞지 않습니다: 잘못 입력한 글자가 있습니다"}
	case "bech32m":
		return label{"its checksum is bech32, not bech32m", "체크섬이 bech32m이 아니라 bech32입니다"}
	case "prefix":
		return label{"it must start with pb1", "pb1로 시작해야 합니다"}
	case "length":
		return label{"it must hold a 32-byte public key", "32바이트 공개 키를 담아야 합니다"}
	}
	return label{fmt.Sprintf("it breaks the rule %s", a.Field), fmt.Sprintf("규칙 %s을(를) 어깁니다", a.Field)}
}

// overdraft words an overdraft; ahead names what the sender pays before it.
func overdraft(a pybtc.Args, ahead string) string {
	if a.Pending.Sign() == 0 {
		// "minus 0 pending" would send the reader looking for a payment
		// that does not exist.
		return fmt.Sprintf("amount %s exceeds what sender %q can spend: %s pyBTC (confirmed balance %s)",
			a.Amount, a.Address, a.Spendable, a.Balance)
	}
	return fmt.Sprintf("amount %s exceeds what sender %q can spend: %s pyBTC (confirmed balance %s minus %s %s)",
		a.Amount, a.Address, a.Spendable, a.Balance, a.Pending, ahead)
}

// kindName words a JSON kind as Args.Got holds it.
func kindName(kind string) string {
	switch kind {
	case "null":
		return "null"
	case "":
		return "unknown"
	case "object":
		return "an object"
	// The names consensus.Kind gives itself.
	case "bool":
		return "a boolean"
	case "array":
		return "a list"
	}
	return "a " + kind
}
