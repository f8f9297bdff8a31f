package gateway

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

// TestPutObjectChecksums: on a posix unit, an object uploaded without a
// client checksum (UNSIGNED-PAYLOAD, no checksum: what the aws CLI and
// rclone may send) gets its MD5 as ETag and a stored CRC-32C full-object
// checksum, which a client asking for checksums receives and the SDK
// verifies; a client's own checksum is stored as sent and a wrong one is
// refused.
func TestPutObjectChecksums(t *testing.T) {
	e := newEnv(t)
	d := e.deal(3, 1, 1<<30)
	b, ctx := bucketOf(d), context.Background()
	body := randomBytes(3, 300_000)
	md5sum := md5.Sum(body)
	crcBytes := binary.BigEndian.AppendUint32(nil, crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))

	plain := s3.New(e.dealClient(d).Options(), func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	out, err := plain.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("plain"), Body: bytes.NewReader(body)},
		s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	require.NoError(t, err)
	require.Equal(t, `"`+hex.EncodeToString(md5sum[:])+`"`, aws.ToString(out.ETag))
	require.Equal(t, base64.StdEncoding.EncodeToString(crcBytes), aws.ToString(out.ChecksumCRC32C))

	c := e.dealClient(d)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: aws.String("plain"), ChecksumMode: types.ChecksumModeEnabled})
	require.NoError(t, err)
	require.Equal(t, base64.StdEncoding.EncodeToString(crcBytes), aws.ToString(head.ChecksumCRC32C))
	require.Nil(t, head.ChecksumCRC64NVME)
	require.Equal(t, types.ChecksumTypeFullObject, head.ChecksumType)
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("plain"), ChecksumMode: types.ChecksumModeEnabled})
	require.NoError(t, err)
	data, err := io.ReadAll(got.Body) // the SDK verifies the CRC-32C as it reads
	require.NoError(t, err)
	require.Equal(t, body, data)
	require.Equal(t, base64.StdEncoding.EncodeToString(crcBytes), aws.ToString(got.ChecksumCRC32C))

	// A client that asks for CRC32 gets CRC32, as sent.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("sdk"), Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	require.NoError(t, err)
	head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: aws.String("sdk"), ChecksumMode: types.ChecksumModeEnabled})
	require.NoError(t, err)
	require.Equal(t, base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(body))), aws.ToString(head.ChecksumCRC32))
	require.Nil(t, head.ChecksumCRC32C)
	require.Equal(t, `"`+hex.EncodeToString(md5sum[:])+`"`, aws.ToString(head.ETag))

	// A checksum header is verified: the right one is stored, a wrong one
	// refused and nothing stored.
	sha := sha256.Sum256(body)
	_, err = plain.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("sha"), Body: bytes.NewReader(body),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sha[:]))})
	require.NoError(t, err)
	head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: aws.String("sha"), ChecksumMode: types.ChecksumModeEnabled})
	require.NoError(t, err)
	require.Equal(t, base64.StdEncoding.EncodeToString(sha[:]), aws.ToString(head.ChecksumSHA256))
	wrong := sha256.Sum256([]byte("other"))
	_, err = plain.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("bad"), Body: bytes.NewReader(body),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(wrong[:]))})
	requireS3Error(t, err, "BadDigest", 400)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: aws.String("bad")})
	requireS3Error(t, err, "NotFound", 404)
}

// TestConditionalPutWithoutLockFiles: the posix root has no lock files
// (versitygw's cross-process publish lock is off: a root belongs to one
// node process), and a conditional PUT is still decided atomically within
// the process: of two If-None-Match: * uploads of one key, the second is
// refused and the first's bytes stay.
func TestConditionalPutWithoutLockFiles(t *testing.T) {
	e := newEnv(t)
	d := e.deal(4, 1, 1<<30)
	c, b, ctx := e.dealClient(d), bucketOf(d), context.Background()
	first, second := randomBytes(4, 5000), randomBytes(5, 6000)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("once"), Body: bytes.NewReader(first), IfNoneMatch: aws.String("*")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("once"), Body: bytes.NewReader(second), IfNoneMatch: aws.String("*")})
	requireS3Error(t, err, "PreconditionFailed", 412)
	require.Equal(t, first, get(t, c, b, "once"))

	entries, err := os.ReadDir(filepath.Join(e.root, ".vgwlocks"))
	if !os.IsNotExist(err) {
		require.NoError(t, err)
		var names []string
		for _, en := range entries {
			names = append(names, en.Name())
		}
		require.Empty(t, names, "lock files under the posix root")
	}
}
