package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sys/unix"

	"github.com/flashbacknetwork/flashbackd/api/provider/gateway"
)

// store is one way to put and get objects.
type store interface {
	put(key string, data []byte) error
	get(key string) (int64, error)
}

// copyChunk is the unit in which the direct and floor writers stream an
// object: what versitygw's posix backend uses (its default IOBufferSize).
const copyChunk = 1 << 20

// dirStore is direct access to a directory with what the gateway's posix
// storage guarantees for a PUT, and nothing more, so that the two are
// compared like for like:
//
//   - the object appears whole or not at all (a temporary file in the same
//     directory, renamed into place when complete);
//   - it carries the MD5 of its bytes as its ETag (stored as an extended
//     attribute, as versitygw does), which S3 clients such as the aws CLI
//     and rclone check a single-part upload against;
//   - no fsync (versitygw does not sync either).
//
// A GET is a plain read: the gateway does no work on the bytes of a GET.
type dirStore struct{ dir string }

func (d dirStore) put(key string, data []byte) error {
	return writeAtomicMD5(filepath.Join(d.dir, key), bytes.NewReader(data))
}

func (d dirStore) get(key string) (int64, error) {
	f, err := os.Open(filepath.Join(d.dir, key))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.CopyBuffer(io.Discard, onlyReader{f}, readBuf)
}

// rawDirStore is os.WriteFile: no atomicity, no ETag. Reported for
// reference only (the page-cache write speed of the machine).
type rawDirStore struct{ dir string }

func (d rawDirStore) put(key string, data []byte) error {
	return os.WriteFile(filepath.Join(d.dir, key), data, 0o600)
}

func (d rawDirStore) get(key string) (int64, error) { return dirStore(d).get(key) }

// writeAtomicMD5 streams r into a temporary file next to name in chunks of
// copyChunk, stores the hex MD5 of the bytes in the user.etag attribute and
// renames the file into place. It hashes each chunk on a second goroutine
// while writing it, so that it runs on two threads like the HTTP sides
// (a client and a server): on this oversubscribed machine a path's share
// of the CPUs grows with its number of runnable threads, and a one-thread
// direct side would be measured at half speed.
func writeAtomicMD5(name string, r io.Reader) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-")
	if err != nil {
		return err
	}
	h := md5.New()
	chunks, hashed := make(chan []byte, 1), make(chan struct{}, 2)
	go func() {
		for c := range chunks {
			h.Write(c)
			hashed <- struct{}{}
		}
		close(hashed)
	}()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	err = func() error {
		defer func() {
			close(chunks)
			for range hashed {
			}
		}()
		inflight := 0
		for i := 0; ; i++ {
			buf := writeBufs[i%2]
			if inflight == 2 {
				<-hashed // the chunk last read into buf
				inflight--
			}
			n, rerr := io.ReadFull(r, buf)
			if n > 0 {
				chunks <- buf[:n]
				inflight++
				if _, err := f.Write(buf[:n]); err != nil {
					return err
				}
			}
			if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
				return nil
			}
			if rerr != nil {
				return rerr
			}
		}
	}()
	if err != nil {
		return err
	}
	etag := []byte(hex.EncodeToString(h.Sum(nil)))
	if err := unix.Fsetxattr(int(f.Fd()), "user.etag", etag, 0); err != nil {
		return fmt.Errorf("etag attribute: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}

// readBuf and writeBufs are the copy buffers of the direct and floor sides
// (the benchmark runs one operation at a time; the floor server's handler
// runs while the client waits).
var (
	readBuf   = make([]byte, 1<<20)
	writeBufs = [2][]byte{make([]byte, copyChunk), make([]byte, copyChunk)}
)

// httpStore is a minimal HTTP file server over a directory (net/http,
// sendfile for GETs) and a plain HTTP client: the ceiling of any HTTP
// storage front end on this machine. Its PUT does exactly what dirStore's
// does (temporary file, MD5 ETag, rename), so that the gap between it and
// the gateway is the S3 layer, and the gap between it and dirStore is the
// cost of moving the bytes through a loopback TCP connection.
type httpStore struct {
	c   *http.Client
	url string
}

func serveFloor(dir string) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := filepath.Join(dir, filepath.Base(r.URL.Path))
		switch r.Method {
		case http.MethodPut:
			if err := writeAtomicMD5(name, r.Body); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
			}
		case http.MethodGet:
			http.ServeFile(w, r, name)
		}
	})}
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String(), func() { _ = srv.Close() }, nil
}

func (h httpStore) put(key string, data []byte) error {
	req, err := http.NewRequest(http.MethodPut, h.url+"/"+key, bytes.NewReader(data))
	if err != nil {
		return err
	}
	resp, err := h.c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("floor PUT: %s", resp.Status)
	}
	return nil
}

func (h httpStore) get(key string) (int64, error) {
	resp, err := h.c.Get(h.url + "/" + key)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("floor GET: %s", resp.Status)
	}
	return io.CopyBuffer(io.Discard, onlyReader{resp.Body}, readBuf)
}

type s3Store struct {
	c      *s3.Client
	bucket string
	prefix string
	opts   []func(*s3.Options)
}

func (s s3Store) put(key string, data []byte) error {
	_, err := s.c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key), Body: bytes.NewReader(data)}, s.opts...)
	return err
}

func (s s3Store) get(key string) (int64, error) {
	out, err := s.c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &s.bucket, Key: aws.String(s.prefix + key)})
	if err != nil {
		return 0, err
	}
	defer out.Body.Close()
	return io.CopyBuffer(io.Discard, onlyReader{out.Body}, readBuf)
}

// onlyReader hides WriterTo/ReaderFrom so that both sides copy alike.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// newStore is an AWS SDK for Go v2 client of an S3 endpoint. By default it
// signs requests with UNSIGNED-PAYLOAD (SigV4 over the headers only: the
// client does not hash the body) and sends and verifies checksums only
// where S3 requires them, so that the numbers show the server's cost
// rather than the client's (the two share this machine's CPUs); the server
// still computes the object's MD5 ETag and its stored checksum. With
// -sdk-defaults it behaves as the SDK does out of the box: a signed
// payload (SHA-256 of the body; the SDK signs the payload over plain HTTP),
// a CRC32 checksum on every upload and response checksum validation.
func newStore(endpoint, access, secret, bucket, prefix string) s3Store {
	o := s3.Options{
		Region:           gateway.DefaultRegion,
		BaseEndpoint:     aws.String(endpoint),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider(access, secret, ""),
		RetryMaxAttempts: 1,
		HTTPClient: awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConnsPerHost = 16
		}),
	}
	st := s3Store{bucket: bucket, prefix: prefix}
	if !*sdkDefaults {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		st.opts = []func(*s3.Options){s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)}
	}
	st.c = s3.New(o)
	return st
}

// serveProxy is a plain net/http reverse proxy to the upstream S3 server:
// the ceiling of any front end that passes objects through (the bytes
// cross loopback twice and are copied once in between). It forwards
// requests unchanged, Host header included, so the upstream's own SigV4
// check accepts a client that signs for the proxy's address.
func serveProxy(upstream string) (string, func(), error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return "", nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 16}
	srv := &http.Server{Handler: rp}
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String(), func() { _ = srv.Close() }, nil
}
