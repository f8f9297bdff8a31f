package probetarget

import (
	"context"
	"io"
	"net/http"
	"time"
)

// pacer spreads a byte stream over time so that it never runs ahead of a
// rate. It sleeps after each chunk until the stream is back on schedule, so
// short bursts are at most one chunk (about 50 ms of data).
type pacer struct {
	ctx         context.Context
	closed      <-chan struct{}
	bytesPerSec int64 // 0 means unpaced
	start       time.Time
	done        int64
}

// paceChunkDivisor makes one chunk 1/20 s of data at the configured rate.
const paceChunkDivisor = 20

// maxChunk bounds the buffer used for streaming, paced or not.
const maxChunk = 32 * 1024

func newPacer(ctx context.Context, closed <-chan struct{}, kBps int64) *pacer {
	return &pacer{ctx: ctx, closed: closed, bytesPerSec: kBps * 1000, start: time.Now()}
}

// chunkSize is how many bytes to move before the next wait.
func (p *pacer) chunkSize() int {
	if p.bytesPerSec <= 0 {
		return maxChunk
	}
	c := p.bytesPerSec / paceChunkDivisor
	if c < 1 {
		c = 1
	}
	if c > maxChunk {
		c = maxChunk
	}
	return int(c)
}

// advance records n moved bytes and sleeps until the schedule allows more.
// It returns the context's error if the request is cancelled while waiting.
func (p *pacer) advance(n int) error {
	p.done += int64(n)
	if p.bytesPerSec <= 0 {
		return nil
	}
	due := p.start.Add(time.Duration(p.done * int64(time.Second) / p.bytesPerSec))
	return sleepCtx(p.ctx, p.closed, time.Until(due))
}

// writePaced writes size bytes of generated content to w, flushing after each
// chunk so that a paced body really trickles out.
func writePaced(w http.ResponseWriter, p *pacer, size int64) error {
	buf := make([]byte, p.chunkSize())
	fillPattern(buf)
	flusher, _ := w.(http.Flusher)
	for remaining := size; remaining > 0; {
		n := int64(len(buf))
		if n > remaining {
			n = remaining
		}
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		if flusher != nil && p.bytesPerSec > 0 {
			flusher.Flush()
		}
		remaining -= n
		if err := p.advance(int(n)); err != nil {
			return err
		}
	}
	return nil
}

// readPaced reads and discards r at the pacer's rate and returns the number
// of bytes read.
func readPaced(r io.Reader, p *pacer) (int64, error) {
	buf := make([]byte, p.chunkSize())
	var total int64
	for {
		n, err := r.Read(buf)
		total += int64(n)
		if n > 0 {
			if perr := p.advance(n); perr != nil {
				return total, perr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// fillPattern fills buf with a fixed, non-constant byte pattern (so that the
// content is not a trivial run of zeros).
func fillPattern(buf []byte) {
	for i := range buf {
		buf[i] = byte(i*31 + 7)
	}
}

// sleepCtx sleeps for d, until ctx is done (an error: the client is gone)
// or until closed is closed (no error: the server is closing and answers
// without further delay), whichever comes first.
func sleepCtx(ctx context.Context, closed <-chan struct{}, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-closed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
