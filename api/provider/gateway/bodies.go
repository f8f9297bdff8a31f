package gateway

import (
	"bufio"
	"errors"
	"io"
	"os"
	"sync"

	"github.com/versity/versitygw/s3api/middlewares"
)

// errWriteTooLarge and errDealGone abort an upload from inside its body
// reader: the storage sees a failed read and discards what it had written
// (posix writes a temporary file and renames it only on success).
var (
	errWriteTooLarge = errors.New("upload body longer than declared")
	errDealGone      = errors.New("deal no longer served")
)

// ingressBody is a write's request body: it counts the bytes read as the
// deal's ingress and aborts the write at the first read past the declared
// length (overLength; tooLarge too if that is past what the quota allows),
// or once the deal is removed.
type ingressBody struct {
	r          io.Reader
	st         *dealState
	m          *gatewayMetrics
	declared   int64
	limit      int64
	n          int64
	overLength bool
	tooLarge   bool
}

func (b *ingressBody) Read(p []byte) (int, error) {
	if b.st.revoked.Load() {
		return 0, errDealGone
	}
	n, err := b.r.Read(p)
	if n > 0 {
		b.n += int64(n)
		b.st.usage.ingress.Add(uint64(n))
		b.m.ingress(b.st, n)
	}
	if b.st.revoked.Load() {
		// Removed while this read waited for the client: the storage may
		// not read again after the last byte, so fail this read.
		return n, errDealGone
	}
	if b.n > b.declared {
		b.overLength, b.tooLarge = true, b.n > b.limit
		return n, errWriteTooLarge
	}
	return n, err
}

// ingressChecksumBody keeps versitygw's trailing-checksum reader visible to
// the storage backend, which type-asserts the body to find the checksum the
// client sent after the data.
type ingressChecksumBody struct {
	*ingressBody
	cr middlewares.ChecksumReader
}

func (b ingressChecksumBody) Algorithm() string { return b.cr.Algorithm() }
func (b ingressChecksumBody) Checksum() string  { return b.cr.Checksum() }

// wrapIngress returns the counting, limited body for a write and the state
// to inspect after the storage call.
func wrapIngress(body io.Reader, st *dealState, m *gatewayMetrics, declared, limit int64) (io.Reader, *ingressBody) {
	if body == nil {
		body = eofReader{}
	}
	ib := &ingressBody{r: body, st: st, m: m, declared: declared, limit: limit}
	if cr, ok := body.(middlewares.ChecksumReader); ok {
		return ingressChecksumBody{ingressBody: ib, cr: cr}, ib
	}
	return ib, ib
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// egressBody is an object body on its way to the client. The HTTP server
// (fasthttp) hands it its buffered connection writer through WriteTo; we
// flush the response headers and let the connection pull the body, so that
// a whole posix object still goes out with sendfile, and count exactly the
// bytes the connection accepted: a client that drops the connection is not
// billed for the rest of the object.
type egressBody struct {
	rc    io.ReadCloser
	size  int64 // the declared Content-Length; -1 if unknown
	count func(int64)
}

func (b *egressBody) WriteTo(w io.Writer) (int64, error) {
	if bw, ok := w.(*bufio.Writer); ok {
		if err := bw.Flush(); err != nil {
			return 0, err
		}
	}
	var src io.Reader = b.rc
	if b.size >= 0 {
		src = io.LimitReader(b.rc, b.size)
	}
	var n int64
	var err error
	if _, file := b.rc.(*os.File); file {
		// A *io.LimitedReader around an *os.File is what net.TCPConn's
		// ReadFrom (reached through the empty bufio.Writer) turns into
		// sendfile.
		n, err = io.Copy(w, src)
	} else {
		// Anything else (an upstream S3 response, a file range) is copied
		// in large chunks: an empty bufio.Writer passes writes larger than
		// its buffer straight to the connection, and the fewer system calls
		// matter for an upstream body arriving over another connection.
		buf := egressBuffers.Get().(*[]byte)
		n, err = io.CopyBuffer(writerOnly{w}, src, *buf)
		egressBuffers.Put(buf)
	}
	b.count(n)
	return n, err
}

// egressBuffers are the copy buffers of non-file response bodies.
var egressBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// writerOnly hides the writer's ReadFrom, so that io.CopyBuffer uses the
// given buffer.
type writerOnly struct{ w io.Writer }

func (w writerOnly) Write(p []byte) (int, error) { return w.w.Write(p) }

// Read serves the chunked path (unknown length), where the server copies
// through its own buffer: bytes count as they are handed to it.
func (b *egressBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.count(int64(n))
	}
	return n, err
}

func (b *egressBody) Close() error { return b.rc.Close() }
