// Package api owns every HTTP concern of a node: routes, status codes, JSON
// shapes, and the HTML of Block Scan and Wallet. It is the only package
// that imports echo.
//
// The protocol routes (GET /, GET /chain, POST /transactions/new, GET /mine)
// answer exactly as the tutorial's Flask node does: same paths, fields,
// status codes and messages, JSON with sorted keys and compact separators,
// non-ASCII escaped, and a trailing newline. Errors are one JSON object
// {"message": "..."} with a 4xx status for bad input and a generic message
// with 5xx for the node's own faults, which are logged.
package api
