package gateway

import (
	"strings"
	"unicode/utf8"

	"github.com/versity/versitygw/s3err"
)

// maxKeyLen is S3's limit on object key length, in bytes.
const maxKeyLen = 1024

// errBadKey is what a client gets for a key the gateway refuses to store:
// the same error versitygw's own name check returns, so a client sees one
// answer whichever layer caught the key first.
var errBadKey = s3err.GetAPIError(s3err.ErrBadRequest)

// validateKey checks an object key before it reaches storage. Every key is
// stored as <deal prefix><key>; a key without "." or ".." segments, without
// a leading "/" and without control characters cannot name a file or an
// object outside that prefix, whatever the storage does with paths.
func validateKey(key string) error {
	if key == "" {
		return errBadKey
	}
	if len(key) > maxKeyLen {
		return s3err.GetKeyTooLongErr(int64(len(key)), maxKeyLen)
	}
	if strings.HasPrefix(key, "/") {
		return errBadKey
	}
	return validatePathText(key)
}

// validatePrefix checks a listing prefix, start-after or marker: like a key,
// but it may be empty and may end in the middle of a segment.
func validatePrefix(p string) error {
	if p == "" {
		return nil
	}
	if len(p) > maxKeyLen {
		return s3err.GetKeyTooLongErr(int64(len(p)), maxKeyLen)
	}
	if strings.HasPrefix(p, "/") {
		return errBadKey
	}
	return validatePathText(p)
}

// validatePathText refuses invalid UTF-8, control characters and "." or
// ".." path segments.
func validatePathText(s string) error {
	if !utf8.ValidString(s) {
		return errBadKey
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return errBadKey
		}
	}
	for seg := range strings.SplitSeq(s, "/") {
		if seg == "." || seg == ".." {
			return errBadKey
		}
	}
	return nil
}

// storageKey maps a validated deal key to its key in the unit's storage.
func (s *dealState) storageKey(key string) string { return s.prefix + key }

// clientKey maps a storage key back to the deal's key space. ok is false for
// a key outside the deal's prefix, which must never be shown to the client.
func (s *dealState) clientKey(storageKey string) (string, bool) {
	return strings.CutPrefix(storageKey, s.prefix)
}
