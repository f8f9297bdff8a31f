package providertest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Proxy forwards TCP connections from its address to a target. Down cuts
// every connection and refuses new ones, as a chain node that went away
// would; Up listens again on the same address.
type Proxy struct {
	t      *testing.T
	Addr   string
	target string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// NewProxy starts a proxy to target on a free loopback port.
func NewProxy(t *testing.T, target string) *Proxy {
	t.Helper()
	p := &Proxy{t: t, Addr: FreeAddr(t), target: target, conns: map[net.Conn]bool{}}
	p.Up()
	t.Cleanup(p.Down)
	return p
}

// Up listens and forwards.
func (p *Proxy) Up() {
	p.t.Helper()
	var ln net.Listener
	// The port was just released by Down: retry briefly.
	require.Eventually(p.t, func() bool {
		var err error
		ln, err = net.Listen("tcp", p.Addr)
		return err == nil
	}, 5*time.Second, 50*time.Millisecond, "proxy cannot listen on %s again", p.Addr)
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go p.accept(ln)
}

func (p *Proxy) accept(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		if p.ln != ln { // went down meanwhile
			p.mu.Unlock()
			c.Close()
			up.Close()
			return
		}
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			_, _ = io.Copy(dst, src)
			dst.Close()
			src.Close()
		}
		go pipe(up, c)
		go pipe(c, up)
	}
}

// Down closes the listener and every forwarded connection.
func (p *Proxy) Down() {
	p.mu.Lock()
	ln := p.ln
	p.ln = nil
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
	p.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	p.wg.Wait()
}
