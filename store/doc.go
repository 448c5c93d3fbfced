// Package store keeps a node's chain, mempool and peers in one SQLite file.
//
// It is the only package that speaks SQL. The schema comes from the numbered
// files of package migrations, applied at Open. There is one writer
// connection (SQLite allows one writer at a time anyway, and a single
// connection lets the node batch many transactions into one commit) and a
// small pool of readers, which WAL mode lets run beside the writer.
//
// Errors: methods return *pybtc.Error with ENOTFOUND when a row asked for
// does not exist and ECONFLICT when a write clashes with stored state; any
// other error is a fault of the database and is wrapped with the operation.
package store
