package repo

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"io"
)

// How a whole-object read is checked end to end. The bridge computes the
// CRC-32C of every body it writes as it streams or spools it, and records
// it with the version (Object.CRC32C); a whole-object read is checked
// against that record as it streams. CRC-32C runs on the CPU's crc32
// instruction (~28 GB/s here), MD5 at ~0.3 GB/s, which capped a bridged
// read near MD5's speed. A version with no recorded CRC-32C (written
// before the bridge recorded one, rebuilt from the deals' listings, or
// copied by a deal) is checked against the MD5 of its plain ETag, as
// before; a multipart one without either is not checked. The record is the
// bridge's own, not the deal's answer: a deal cannot make altered bytes
// pass by sending their checksum. What CRC-32C does not do that MD5 did is
// resist a deal that crafts altered bytes to match the recorded value on
// purpose (CRC-32C is linear); it catches every accidental change of up to
// 32 bits in a run and all but 2^-32 of the rest, at rest or in transit.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// newCRC32C is a running CRC-32C (Castagnoli), as S3's x-amz-checksum-crc32c.
func newCRC32C() hash.Hash32 { return crc32.New(castagnoli) }

// crc32cValue is a CRC-32C as S3 writes it: base64 of the big-endian sum.
func crc32cValue(h hash.Hash32) string { return base64.StdEncoding.EncodeToString(h.Sum(nil)) }

// bodyCheck is a whole object's expected digest and the running one.
type bodyCheck struct {
	h    hash.Hash
	want []byte
}

func (c *bodyCheck) ok() bool { return bytes.Equal(c.h.Sum(nil), c.want) }

// wholeObjectCheck picks the check of a whole-object read of obj from a
// deal that reports etag for it: the recorded CRC-32C, else the MD5 of a
// plain ETag, else none.
func wholeObjectCheck(obj *Object, etag string) *bodyCheck {
	if obj.CRC32C != "" {
		if want, err := base64.StdEncoding.DecodeString(obj.CRC32C); err == nil && len(want) == crc32.Size {
			return &bodyCheck{h: newCRC32C(), want: want}
		}
	}
	if plainETag(etag) {
		want, _ := hex.DecodeString(etag)
		return &bodyCheck{h: md5.New(), want: want}
	}
	return nil
}

// digestReader computes a body's CRC-32C (recorded for reads) and, unless
// told not to, its MD5 (the ETag a deal must answer) as it is read.
type digestReader struct {
	r   io.Reader
	md5 hash.Hash // nil: not computed
	crc hash.Hash32
	n   int64
}

func newDigestReader(r io.Reader, withMD5 bool) *digestReader {
	h := &digestReader{r: r, crc: newCRC32C()}
	if withMD5 {
		h.md5 = md5.New()
	}
	return h
}

func (h *digestReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if h.md5 != nil {
		h.md5.Write(p[:n])
	}
	h.crc.Write(p[:n])
	h.n += int64(n)
	return n, err
}
