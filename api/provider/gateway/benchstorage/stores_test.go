package main

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestWriteAtomicMD5: the direct side's writer stores exactly the bytes
// and their MD5, for sizes around its chunk boundaries.
func TestWriteAtomicMD5(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, copyChunk - 1, copyChunk, 2*copyChunk + 5, 3 * copyChunk} {
		data := payload(n + 1)[:n]
		name := filepath.Join(dir, "obj")
		if err := writeAtomicMD5(name, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("size %d: content differs (%v)", n, err)
		}
		etag := make([]byte, 64)
		m, err := unix.Getxattr(name, "user.etag", etag)
		if err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum(data)
		if string(etag[:m]) != hex.EncodeToString(sum[:]) {
			t.Fatalf("size %d: etag %s, want %x", n, etag[:m], sum)
		}
	}
}

// TestTCPStore: the loopback TCP reference side stores what it is sent with
// dirStore's guarantees (bytes and MD5 ETag) and sends back exactly the
// object, over one connection, for several objects in a row.
func TestTCPStore(t *testing.T) {
	dir := t.TempDir()
	s, stop, err := serveTCP(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for i, n := range []int{0, 4096, copyChunk + 3, 3 * copyChunk} {
		data := payload(n + 7)[:n]
		k := key(i)
		if err := s.put(k, data); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, k))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("size %d: stored content differs (%v)", n, err)
		}
		etag := make([]byte, 64)
		m, err := unix.Getxattr(filepath.Join(dir, k), "user.etag", etag)
		sum := md5.Sum(data)
		if err != nil || string(etag[:m]) != hex.EncodeToString(sum[:]) {
			t.Fatalf("size %d: etag %s (%v), want %x", n, etag[:m], err, sum)
		}
		if err := checkedGet(s, k, n); err != nil {
			t.Fatal(err)
		}
	}
}
