// Package pybtc is the vocabulary of a pyBTC node: blocks, transactions,
// amounts, the chain tip and the application error codes.
//
// A pyBTC node speaks the HTTP protocol of the Korean Flask tutorial
// "pyBTC" byte for byte: a block is a JSON object with the keys index,
// timestamp, transactions, nonce and previous_hash, and its hash is the
// SHA-256 of Python's json.dumps(block, sort_keys=True). Everything else
// in the project imports this package; it imports no other project package.
package pybtc
