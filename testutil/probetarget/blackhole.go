package probetarget

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// BlackHole is a TCP server that accepts connections and never answers:
// the endpoint of a provider whose server hangs, or whose traffic is
// dropped after the handshake. A request to it ends only by the client's
// own timeout. It reads and discards whatever it is sent.
type BlackHole struct {
	ln       net.Listener
	accepted atomic.Uint64

	mu     sync.Mutex
	conns  []net.Conn
	closed bool
	wg     sync.WaitGroup
}

// StartBlackHole listens on a free loopback port.
func StartBlackHole() (*BlackHole, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &BlackHole{ln: ln}
	b.wg.Add(1)
	go b.serve()
	return b, nil
}

// URL is the base URL of the server, e.g. http://127.0.0.1:43127.
func (b *BlackHole) URL() string { return "http://" + b.ln.Addr().String() }

// Accepted is the number of connections accepted so far.
func (b *BlackHole) Accepted() uint64 { return b.accepted.Load() }

func (b *BlackHole) serve() {
	defer b.wg.Done()
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return // closed
		}
		b.mu.Lock()
		if b.closed {
			b.mu.Unlock()
			_ = c.Close()
			return
		}
		b.accepted.Add(1)
		b.conns = append(b.conns, c)
		b.wg.Add(1)
		b.mu.Unlock()
		go func() {
			defer b.wg.Done()
			_, _ = io.Copy(io.Discard, c) // until the client or Close ends it
		}()
	}
}

// Close stops accepting, drops every held connection and waits for the
// server's goroutines. It is idempotent.
func (b *BlackHole) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	conns := b.conns
	b.conns = nil
	b.mu.Unlock()
	err := b.ln.Close()
	for _, c := range conns {
		_ = c.Close()
	}
	b.wg.Wait()
	return err
}
