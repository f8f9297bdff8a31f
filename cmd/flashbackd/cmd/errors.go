package cmd

import (
	"regexp"
	"strings"
)

var (
	// grpcStatusRe is a gRPC status as text; the SDK's client wraps a
	// node's error in it once per hop (CometBFT's ABCI query, then gRPC).
	grpcStatusRe = regexp.MustCompile(`rpc error: code = \w+ desc = `)
	// sourcePathRe is the server's source location errors carry in debug
	// form ("[/build/x/orchestrator/keeper/store_deal.go:21]").
	sourcePathRe = regexp.MustCompile(`\s*\[[^\[\]]*\.go:\d+\]`)
)

// FormatError renders a command's error for a person: a chain error once,
// without the gRPC status prefixes, the server's source paths and the
// "unknown request" that the SDK appends to errors it cannot classify.
func FormatError(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	if loc := grpcStatusRe.FindAllStringIndex(msg, -1); len(loc) > 0 {
		// Keep what precedes the first status (the client's own context)
		// and what follows the last.
		msg = msg[:loc[0][0]] + msg[loc[len(loc)-1][1]:]
	}
	msg = sourcePathRe.ReplaceAllString(msg, "")
	msg = strings.TrimSuffix(msg, ": unknown request")
	return strings.TrimSpace(msg)
}
