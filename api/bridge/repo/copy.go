package repo

import (
	"io"
	"net"
	"sync"
)

// copyBufferSize is the size of the pieces bodies are relayed in between a
// client and a deal. The HTTP stacks on either side copy 4 KiB (fasthttp)
// or 32 KiB (net/http) at a time; 256 KiB means up to 8 times fewer read
// and write calls per byte relayed, each of which is a system call, while
// a socket read still returns as soon as some bytes are there (nothing
// waits for a piece to fill).
const copyBufferSize = 256 << 10

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}

// copyLarge copies src to w through a pooled copyBufferSize buffer, with
// src's own Read (its checks and counts) — not via io.Copy, which would
// call src's WriteTo again.
func copyLarge(w io.Writer, src io.Reader) (int64, error) {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	var written int64
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			written += int64(m)
			if werr != nil {
				return written, werr
			}
			if m != n {
				return written, io.ErrShortWrite
			}
		}
		if rerr == io.EOF {
			return written, nil
		}
		if rerr != nil {
			return written, rerr
		}
	}
}

// largeConn is a connection to a deal that takes what net/http sends
// through ReadFrom (a request body) in copyBufferSize pieces: net/http
// hands a body to its connection's ReadFrom behind an io.LimitedReader,
// which a TCP connection copies 32 KiB at a time.
type largeConn struct{ net.Conn }

func (c largeConn) ReadFrom(r io.Reader) (int64, error) { return copyLarge(c.Conn, r) }
