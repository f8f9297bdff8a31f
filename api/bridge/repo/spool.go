package repo

import (
	"crypto/md5"
	"encoding/base64"
	"io"
	"os"
)

// spool is a request body kept in a temporary file while it goes out to
// several deals (each reads it at its own pace; a slow deal holds no one
// up), with its size, MD5 (sent as Content-MD5: each deal checks the
// bytes it got) and CRC-32C (recorded for reads, verify.go).
type spool struct {
	f      *os.File
	size   int64
	md5    []byte
	crc32c string
}

// newSpool copies body into a temporary file of dir. want is the declared
// length (-1: unknown); a body of another length is refused.
func newSpool(dir string, body io.Reader, want int64) (*spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "body-*")
	if err != nil {
		return nil, err
	}
	// Unlinked at once: the open file is all that is needed, and a crash
	// leaves nothing behind.
	_ = os.Remove(f.Name())
	m, c := md5.New(), newCRC32C()
	var src io.Reader = body
	if body == nil {
		src = eofReader{}
	}
	n, err := io.Copy(io.MultiWriter(f, m, c), src)
	if err != nil {
		f.Close()
		return nil, err
	}
	if want >= 0 && n != want {
		f.Close()
		return nil, errBodyLength
	}
	return &spool{f: f, size: n, md5: m.Sum(nil), crc32c: crc32cValue(c)}, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// reader is a fresh reader of the whole body.
func (s *spool) reader() *io.SectionReader { return io.NewSectionReader(s.f, 0, s.size) }

// contentMD5 is the body's Content-MD5 header value.
func (s *spool) contentMD5() string { return base64.StdEncoding.EncodeToString(s.md5) }

func (s *spool) close() { s.f.Close() }
