// Package wire is pyBTC's JSON codec: the bytes every node writes and
// reads. Parse reads JSON as Python's json module does, AppendCanonical
// writes it as json.dumps(v, sort_keys=True) does (which Hash hashes), and
// AppendCompact writes the compact form the API answers with. Blocks and
// transactions are kept as the JSON they came as, because dropping a key
// or rewriting 3 as 3.0 would change the hash.
//
// The rules on what a block or a transaction may hold are the consensus
// package's; wire only reads and writes them.
package wire
