package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// tcpStore is the bound of any network protocol on this machine: no HTTP,
// no headers, one persistent loopback TCP connection. A GET is the
// object's length and its bytes sent with sendfile(2) (what the gateway and
// the net/http ceiling use for whole objects), read by the client into a
// 1 MiB buffer; a PUT is the length and the bytes, written by the server
// exactly as dirStore writes them (temporary file, MD5 ETag, rename), and a
// one-byte answer. The gap between it and direct is the cost of moving the
// bytes through the kernel's loopback TCP (two copies, wake-ups) on these
// cores; no HTTP server can close it.
type tcpStore struct {
	mu   sync.Mutex
	conn net.Conn
	r    *bufio.Reader
}

// serveTCP serves dir with the protocol above: requests are a line "GET
// <key>" or "PUT <key> <length>" followed by the body.
func serveTCP(dir string) (*tcpStore, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go serveTCPConn(dir, c)
		}
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		_ = l.Close()
		return nil, nil, err
	}
	return &tcpStore{conn: c, r: bufio.NewReader(c)}, func() { _ = c.Close(); _ = l.Close() }, nil
}

func serveTCPConn(dir string, c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			return
		}
		name := filepath.Join(dir, filepath.Base(f[1]))
		switch {
		case f[0] == "GET":
			file, err := os.Open(name)
			if err != nil {
				return
			}
			fi, err := file.Stat()
			if err == nil {
				_, err = c.Write(binary.BigEndian.AppendUint64(nil, uint64(fi.Size())))
			}
			if err == nil {
				_, err = io.Copy(c, file) // sendfile
			}
			_ = file.Close()
			if err != nil {
				return
			}
		case f[0] == "PUT" && len(f) == 3:
			n, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil {
				return
			}
			if err := writeAtomicMD5(name, io.LimitReader(r, n)); err != nil {
				return
			}
			if _, err := c.Write([]byte{1}); err != nil {
				return
			}
		default:
			return
		}
	}
}

func (t *tcpStore) put(key string, data []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := fmt.Fprintf(t.conn, "PUT %s %d\n", key, len(data)); err != nil {
		return err
	}
	if _, err := t.conn.Write(data); err != nil {
		return err
	}
	_, err := t.r.ReadByte()
	return err
}

func (t *tcpStore) get(key string) (int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := fmt.Fprintf(t.conn, "GET %s\n", key); err != nil {
		return 0, err
	}
	var size [8]byte
	if _, err := io.ReadFull(t.r, size[:]); err != nil {
		return 0, err
	}
	n := int64(binary.BigEndian.Uint64(size[:]))
	// The bufio.Reader hands reads of 1 MiB straight to the socket once
	// its own 4 KiB are drained, as net/http's client does.
	return io.CopyBuffer(io.Discard, onlyReader{io.LimitReader(t.r, n)}, readBuf)
}
