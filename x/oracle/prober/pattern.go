package prober

import (
	"io"
	"math/rand/v2"
)

// uploadPattern is the content of upload bodies, repeated: pseudo-random
// bytes rather than zeros, so that a provider cannot look better by
// compressing or deduplicating what it stores. It is generated once.
var uploadPattern = func() []byte {
	buf := make([]byte, 32<<10)
	rng := rand.New(rand.NewChaCha8([32]byte{'f', 'l', 'a', 's', 'h', 'b', 'a', 'c', 'k'}))
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	return buf
}()

// patternReader yields exactly n bytes of uploadPattern, cycling, without
// allocating the whole body.
type patternReader struct {
	remaining int64
	offset    int
}

func newPatternReader(n int64) *patternReader {
	return &patternReader{remaining: n}
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.remaining <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.remaining {
		p = p[:r.remaining]
	}
	n := 0
	for n < len(p) {
		c := copy(p[n:], uploadPattern[r.offset:])
		n += c
		r.offset = (r.offset + c) % len(uploadPattern)
	}
	r.remaining -= int64(n)
	return n, nil
}
