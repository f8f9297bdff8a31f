package gateway

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
	"github.com/versity/versitygw/s3response"
)

// TestQuotaSinglePut: a PUT that would take the deal past its quota is
// refused with QuotaExceeded before anything is written; an overwrite
// counts the bytes it replaces; copies count too.
func TestQuotaSinglePut(t *testing.T) {
	e := newEnv(t)
	d := e.deal(1, 1, 1<<20)
	c, b, ctx := e.dealClient(d), bucketOf(d), context.Background()

	put(t, c, b, "a", randomBytes(1, 600<<10))
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("b"), Body: bytes.NewReader(randomBytes(2, 600<<10))})
	requireS3Error(t, err, "QuotaExceeded", 403)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: aws.String("b")})
	_, status := errCode(err)
	require.Equal(t, 404, status)
	require.NoFileExists(t, filepath.Join(e.root, "unit-1", "deals", "1", "b"))

	// Replacing a with a larger object fits: the old bytes go away.
	put(t, c, b, "a", randomBytes(3, 900<<10))
	require.EqualValues(t, 900<<10, e.g.Usage()[0].StoredBytes)

	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &b, Key: aws.String("a-copy"), CopySource: aws.String(b + "/a")})
	requireS3Error(t, err, "QuotaExceeded", 403)

	// Up to the byte: what is left fits exactly, one more byte does not.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("rest"), Body: bytes.NewReader(make([]byte, 124<<10+1))})
	requireS3Error(t, err, "QuotaExceeded", 403)
	put(t, c, b, "rest", make([]byte, 124<<10))
	require.EqualValues(t, 1<<20, e.g.Usage()[0].StoredBytes)

	// Deleting frees space; a larger quota (a top-up) takes effect at once.
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b, Key: aws.String("rest")})
	require.NoError(t, err)
	require.EqualValues(t, 900<<10, e.g.Usage()[0].StoredBytes)
	d.QuotaBytes = 2 << 20
	require.NoError(t, e.g.PutDeal(d))
	put(t, c, b, "b", randomBytes(2, 600<<10))
	require.EqualValues(t, 1500<<10, e.g.Usage()[0].StoredBytes)
}

// TestQuotaMultipart: parts of open uploads count against the quota while
// the upload is open; a re-uploaded part replaces its predecessor; abort
// gives the bytes back.
func TestQuotaMultipart(t *testing.T) {
	e := newEnv(t)
	d := e.deal(2, 2, 12<<20)
	c, b, ctx := e.dealClient(d), bucketOf(d), context.Background()
	part := randomBytes(4, 5<<20)

	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &b, Key: aws.String("mp")})
	require.NoError(t, err)
	upload := func(n int32, body []byte) error {
		_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &b, Key: aws.String("mp"), UploadId: mp.UploadId, PartNumber: &n, Body: bytes.NewReader(body)})
		return err
	}
	require.NoError(t, upload(1, part))
	require.NoError(t, upload(2, part))
	requireS3Error(t, upload(3, part), "QuotaExceeded", 403)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("single"), Body: bytes.NewReader(make([]byte, 3<<20))})
	requireS3Error(t, err, "QuotaExceeded", 403)
	require.EqualValues(t, 10<<20, e.g.Usage()[0].ReservedBytes)

	// Uploading part 2 again replaces it: no more space is taken.
	require.NoError(t, upload(2, part))
	require.EqualValues(t, 10<<20, e.g.Usage()[0].ReservedBytes)

	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &b, Key: aws.String("mp"), UploadId: mp.UploadId})
	require.NoError(t, err)
	require.EqualValues(t, 0, e.g.Usage()[0].ReservedBytes)
	put(t, c, b, "single", make([]byte, 3<<20))
}

// TestBodyLongerThanDeclared: an upload whose body turns out longer than it
// said is aborted at the first read past its declared length, and nothing
// of it is stored: QuotaExceeded if what arrived is already beyond the
// quota, InvalidRequest otherwise. (No S3 client sends more than it
// declares, so the router is called directly, with a real posix unit.)
func TestBodyLongerThanDeclared(t *testing.T) {
	e := newEnv(t)
	d := e.deal(3, 1, 4096)
	for _, tc := range []struct {
		name  string
		chunk int
		want  error
	}{
		{"within quota", 1024, errBodyTooLong},
		{"beyond quota", 8192, errQuota},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := bytes.NewReader(randomBytes(5, 64<<10))
			_, err := e.g.router.PutObject(context.Background(), s3response.PutObjectInput{
				Bucket: aws.String(bucketOf(d)), Key: aws.String("liar"), ContentLength: aws.Int64(100), Body: chunkedReads{body, tc.chunk},
			})
			require.Equal(t, tc.want, err)
			require.Equal(t, 64<<10-tc.chunk, body.Len(), "reading went on past the declared length")
			require.NoFileExists(t, filepath.Join(e.root, "unit-1", "deals", "3", "liar"))
			u := e.g.Usage()[0]
			require.Zero(t, u.StoredBytes)
			require.Zero(t, u.ReservedBytes)
			// posix keeps no temporary file of the aborted upload.
			tmp, _ := os.ReadDir(filepath.Join(e.root, "unit-1", ".sgwtmp"))
			for _, f := range tmp {
				require.True(t, f.IsDir(), "leftover temporary file %s", f.Name())
			}
		})
	}
}

// TestUsageRebuiltAfterRestart: a new process rebuilds a deal's stored and
// reserved bytes from storage when the deal is served again, and the quota
// holds across the restart.
func TestUsageRebuiltAfterRestart(t *testing.T) {
	e := newEnv(t)
	d := e.deal(4, 1, 8<<20)
	c, b, ctx := e.dealClient(d), bucketOf(d), context.Background()
	put(t, c, b, "x/1", make([]byte, 1000))
	put(t, c, b, "x/2", make([]byte, 2000))
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &b, Key: aws.String("open")})
	require.NoError(t, err)
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &b, Key: aws.String("open"), UploadId: mp.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(make([]byte, 5<<20))})
	require.NoError(t, err)
	before := e.g.Usage()[0]

	e.restart()
	require.Empty(t, e.g.Usage())
	require.NoError(t, e.g.PutDeal(d))
	after := e.g.Usage()[0]
	require.Equal(t, before.StoredBytes, after.StoredBytes)
	require.Equal(t, before.ReservedBytes, after.ReservedBytes)
	require.EqualValues(t, 3000, after.StoredBytes)
	require.EqualValues(t, 5<<20, after.ReservedBytes)

	c = e.dealClient(d)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("big"), Body: bytes.NewReader(make([]byte, 3<<20))})
	requireS3Error(t, err, "QuotaExceeded", 403)
	// The upload from before the restart completes normally.
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &b, Key: aws.String("open"), UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: partETag(t, c, b, "open", mp.UploadId, 1)}}}})
	require.NoError(t, err)
	u := e.g.Usage()[0]
	require.EqualValues(t, 3000+5<<20, u.StoredBytes)
	require.Zero(t, u.ReservedBytes)
}

func partETag(t *testing.T, c *s3.Client, bucket, key string, uploadID *string, n int32) *string {
	t.Helper()
	lp, err := c.ListParts(context.Background(), &s3.ListPartsInput{Bucket: &bucket, Key: &key, UploadId: uploadID})
	require.NoError(t, err)
	for _, p := range lp.Parts {
		if aws.ToInt32(p.PartNumber) == n {
			return p.ETag
		}
	}
	t.Fatalf("part %d of %s not listed", n, key)
	return nil
}

// chunkedReads hands out at most n bytes per read, as a network body does.
type chunkedReads struct {
	r io.Reader
	n int
}

func (c chunkedReads) Read(p []byte) (int, error) {
	return c.r.Read(p[:min(len(p), c.n)])
}
