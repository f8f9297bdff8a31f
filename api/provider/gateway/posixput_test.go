package gateway

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
	"github.com/versity/versitygw/backend/posix"
	"github.com/versity/versitygw/s3response"
	"golang.org/x/sys/unix"
)

// TestFastPutMatchesVersitygw: an object written by the gateway's own
// posix PUT (posixput.go) is on disk exactly what versitygw's PutObject
// writes for the same request — the same bytes, file mode and extended
// attributes, byte for byte — for a body that is hashed inline (one chunk)
// and one hashed on the second goroutine, with and without a client
// checksum.
func TestFastPutMatchesVersitygw(t *testing.T) {
	e := newEnv(t)
	u := e.g.store.units[1]
	ps, ok := u.be.(*posixStore)
	require.True(t, ok, "posix units use the gateway's posixStore")
	ctx := context.Background()

	for _, tc := range []struct {
		name   string
		size   int
		header func(*s3response.PutObjectInput, []byte)
		body   func(io.Reader) io.Reader
	}{
		{name: "empty", size: 0, body: func(r io.Reader) io.Reader { return newDefaultChecksumBody(r) }},
		{name: "small-default-crc32c", size: 5000, body: func(r io.Reader) io.Reader { return newDefaultChecksumBody(r) }},
		{name: "large-default-crc32c", size: 3*putChunk + 12345, body: func(r io.Reader) io.Reader { return newDefaultChecksumBody(r) }},
		{name: "no-checksum-crc64nvme", size: 2 * putChunk},
		{name: "header-crc32", size: 300_000, header: func(in *s3response.PutObjectInput, b []byte) {
			in.ChecksumCRC32 = aws.String(base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(b))))
		}},
		{name: "algorithm-sha256", size: 70_000, header: func(in *s3response.PutObjectInput, _ []byte) {
			in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(uint64(tc.size), tc.size)
			input := func(key string) s3response.PutObjectInput {
				var body io.Reader = bytes.NewReader(data)
				if tc.body != nil {
					body = tc.body(body)
				}
				in := s3response.PutObjectInput{
					Bucket: &u.bucket, Key: aws.String(key), ContentLength: aws.Int64(int64(len(data))), Body: body,
					ContentType: aws.String("text/plain"), CacheControl: aws.String("max-age=60"),
					ContentDisposition: aws.String(`attachment; filename="x.txt"`), ContentEncoding: aws.String("identity"),
					ContentLanguage: aws.String("en"), Expires: aws.String("Wed, 21 Oct 2026 07:28:00 GMT"),
					Metadata: map[string]string{"color": "blue", "shape": "round"},
				}
				if tc.header != nil {
					tc.header(&in, data)
				}
				return in
			}
			fastKey, refKey := "cmp/"+tc.name+"/fast", "cmp/"+tc.name+"/ref"
			before := ps.written.Load()
			fastOut, err := ps.PutObject(ctx, input(fastKey))
			require.NoError(t, err)
			require.Equal(t, before+1, ps.written.Load(), "written by the gateway's path")
			refOut, err := ps.Backend.PutObject(ctx, input(refKey))
			require.NoError(t, err)
			require.Equal(t, refOut, fastOut, "PutObject answers")

			fast, ref := filepath.Join(e.root, u.bucket, fastKey), filepath.Join(e.root, u.bucket, refKey)
			requireSameFile(t, ref, fast)

			// Replacing an object keeps the format.
			_, err = ps.PutObject(ctx, input(fastKey))
			require.NoError(t, err)
			requireSameFile(t, ref, fast)
		})
	}
	leftovers, err := filepath.Glob(filepath.Join(e.root, u.bucket, posix.MetaTmpDir, fastPutTmpPrefix+"*"))
	require.NoError(t, err)
	require.Empty(t, leftovers)
}

// requireSameFile asserts two object files have the same bytes, mode and
// user extended attributes.
func requireSameFile(t *testing.T, want, got string) {
	t.Helper()
	wantData, err := os.ReadFile(want)
	require.NoError(t, err)
	gotData, err := os.ReadFile(got)
	require.NoError(t, err)
	require.Equal(t, wantData, gotData)
	wantFi, err := os.Stat(want)
	require.NoError(t, err)
	gotFi, err := os.Stat(got)
	require.NoError(t, err)
	require.Equal(t, wantFi.Mode(), gotFi.Mode())
	require.Equal(t, xattrsOf(t, want), xattrsOf(t, got))
}

func xattrsOf(t *testing.T, name string) map[string]string {
	t.Helper()
	size, err := unix.Listxattr(name, nil)
	require.NoError(t, err)
	buf := make([]byte, size)
	n, err := unix.Listxattr(name, buf)
	require.NoError(t, err)
	out := map[string]string{}
	for _, a := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if !strings.HasPrefix(a, "user.") {
			continue
		}
		v, err := getxattr(name, a)
		require.NoError(t, err)
		out[a] = string(v)
	}
	require.NotEmpty(t, out)
	return out
}

// TestFastPutReadByVersitygw: objects put through the gateway's posix PUT
// are served by versitygw's GET, HEAD, ListObjectsV2, CopyObject and
// conditional PUTs as their own, through the S3 API: content headers, user
// metadata, MD5 ETag and stored checksum (verified by the SDK) come back;
// a replaced object reads whole; keys that collide with directories get
// versitygw's errors.
func TestFastPutReadByVersitygw(t *testing.T) {
	e := newEnv(t)
	d := e.deal(17, 1, 1<<30)
	c, b, ctx := e.dealClient(d), bucketOf(d), context.Background()
	plain := s3.New(c.Options(), func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	unsigned := s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
	ps := e.g.store.units[1].be.(*posixStore)
	written := ps.written.Load() // the probe objects written at start

	data := randomBytes(17, 1<<20+777)
	md5sum := md5.Sum(data)
	etag := `"` + hex.EncodeToString(md5sum[:]) + `"`
	crc := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.Checksum(data, castagnoli)))
	out, err := plain.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &b, Key: aws.String("a/b/obj"), Body: bytes.NewReader(data),
		ContentType: aws.String("image/png"), CacheControl: aws.String("no-cache"),
		Metadata: map[string]string{"owner": "alice"},
	}, unsigned)
	require.NoError(t, err)
	require.Equal(t, etag, aws.ToString(out.ETag))
	require.Equal(t, crc, aws.ToString(out.ChecksumCRC32C))
	require.Equal(t, written+1, ps.written.Load(), "written by the gateway's path")

	check := func(key string) {
		t.Helper()
		got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		require.NoError(t, err)
		body, err := io.ReadAll(got.Body) // the SDK verifies the CRC-32C
		require.NoError(t, err)
		require.Equal(t, data, body)
		require.Equal(t, etag, aws.ToString(got.ETag))
		require.Equal(t, "image/png", aws.ToString(got.ContentType))
		require.Equal(t, "no-cache", aws.ToString(got.CacheControl))
		require.Equal(t, map[string]string{"owner": "alice"}, got.Metadata)
		require.Equal(t, crc, aws.ToString(got.ChecksumCRC32C))
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		require.NoError(t, err)
		require.Equal(t, int64(len(data)), aws.ToInt64(head.ContentLength))
		require.Equal(t, etag, aws.ToString(head.ETag))
		require.Equal(t, crc, aws.ToString(head.ChecksumCRC32C))
		require.Equal(t, types.ChecksumTypeFullObject, head.ChecksumType)
	}
	check("a/b/obj")

	ranged, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("a/b/obj"), Range: aws.String("bytes=1000-1999")})
	require.NoError(t, err)
	part, err := io.ReadAll(ranged.Body)
	require.NoError(t, err)
	require.Equal(t, data[1000:2000], part)

	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &b, Key: aws.String("copy"), CopySource: aws.String(b + "/a/b/obj")})
	require.NoError(t, err)
	check("copy")

	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &b})
	require.NoError(t, err)
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, aws.ToString(o.Key))
		require.Equal(t, int64(len(data)), aws.ToInt64(o.Size))
		require.Equal(t, etag, aws.ToString(o.ETag))
	}
	require.Equal(t, []string{"a/b/obj", "copy"}, keys)

	// Conditional PUTs see the ETag this path stored.
	_, err = plain.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("a/b/obj"), Body: bytes.NewReader([]byte("x")), IfMatch: aws.String(`"0123"`)}, unsigned)
	requireS3Error(t, err, "PreconditionFailed", 412)
	_, err = plain.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("a/b/obj"), Body: bytes.NewReader([]byte("x")), IfNoneMatch: aws.String("*")}, unsigned)
	requireS3Error(t, err, "PreconditionFailed", 412)
	check("a/b/obj")
	small := []byte("replaced")
	_, err = plain.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("a/b/obj"), Body: bytes.NewReader(small), IfMatch: aws.String(etag)}, unsigned)
	require.NoError(t, err)
	require.Equal(t, small, get(t, c, b, "a/b/obj"))

	// A key below an object, and a key that is a directory of others.
	_, err = plain.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("copy/below"), Body: bytes.NewReader(small)}, unsigned)
	requireS3Error(t, err, "ObjectParentIsFile", 409)
	_, err = plain.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("a/b"), Body: bytes.NewReader(small)}, unsigned)
	requireS3Error(t, err, "ExistingObjectIsDirectory", 409)
	list, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &b})
	require.NoError(t, err)
	keys = keys[:0]
	for _, o := range list.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	require.True(t, slices.Equal([]string{"a/b/obj", "copy"}, keys), "keys %v", keys)

	// A directory object (trailing slash) goes to versitygw's PutObject.
	_, err = plain.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("folder/"), Body: bytes.NewReader(nil)}, unsigned)
	require.NoError(t, err)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: aws.String("folder/")})
	require.NoError(t, err)
}

// BenchmarkPosixPut compares the gateway's posix PUT with versitygw's at
// the storage layer (no HTTP), replacing one key as the benchmark does:
// go test ./api/provider/gateway -run '^$' -bench PosixPut.
func BenchmarkPosixPut(b *testing.B) {
	root := b.TempDir()
	cfg := Config{PosixRoot: root, Units: []UnitConfig{{ID: 1, Posix: &PosixStorage{Dir: "unit-1"}}}}
	st, err := openStorage(context.Background(), cfg)
	require.NoError(b, err)
	defer st.close()
	ps := st.units[1].be.(*posixStore)
	for _, size := range []int{4 << 10, 1 << 20} {
		data := randomBytes(uint64(size), size)
		for _, path := range []struct {
			name string
			put  func(context.Context, s3response.PutObjectInput) (s3response.PutObjectOutput, error)
		}{{"gateway", ps.PutObject}, {"versitygw", ps.Backend.PutObject}} {
			b.Run(path.name+"-"+strconv.Itoa(size), func(b *testing.B) {
				b.SetBytes(int64(size))
				key := "bench/" + path.name
				for b.Loop() {
					_, err := path.put(context.Background(), s3response.PutObjectInput{
						Bucket: aws.String("unit-1"), Key: &key, ContentLength: aws.Int64(int64(size)),
						Body: newDefaultChecksumBody(bytes.NewReader(data)),
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
