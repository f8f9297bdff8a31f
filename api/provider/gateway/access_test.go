package gateway

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

// TestCredentials: only the deal's own key and secret open its bucket.
func TestCredentials(t *testing.T) {
	e := newEnv(t)
	d := e.deal(1, 1, 1<<20)
	b, ctx := bucketOf(d), context.Background()
	put(t, e.dealClient(d), b, "k", []byte("v"))

	_, err := e.client(d.AccessKeyID, "forged-secret").GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("k")})
	requireS3Error(t, err, "SignatureDoesNotMatch", 403)

	_, err = e.client("AKUNKNOWNKEY", d.Secret).GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("k")})
	requireS3Error(t, err, "InvalidAccessKeyId", 403)

	_, err = e.client("AKUNKNOWNKEY", d.Secret).ListBuckets(ctx, &s3.ListBucketsInput{})
	requireS3Error(t, err, "InvalidAccessKeyId", 403)

	// Anonymous requests to a deal bucket are denied; only the probe
	// prefix of a unit endpoint is anonymous.
	resp, body := rawRequest(t, http.MethodGet, e.endpoint()+"/"+b+"/k", nil, nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Contains(t, string(body), "<Code>AccessDenied</Code>")
	resp, _ = rawRequest(t, http.MethodPut, e.endpoint()+"/"+b+"/anon", strings.NewReader("x"), nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	// Presigned URLs of the deal's key work without further credentials,
	// and stop working with the key.
	presigned, err := s3.NewPresignClient(e.dealClient(d)).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("k")})
	require.NoError(t, err)
	resp, body = rawRequest(t, http.MethodGet, presigned.URL, nil, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(t, "v", string(body))

	// Changing a deal's credentials takes effect at once.
	d2 := d
	d2.AccessKeyID, d2.Secret = "AKROTATEDKEY", "rotated-secret"
	require.NoError(t, e.g.PutDeal(d2))
	_, err = e.dealClient(d).GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("k")})
	requireS3Error(t, err, "InvalidAccessKeyId", 403)
	require.Equal(t, []byte("v"), get(t, e.dealClient(d2), b, "k"))
	resp, body = rawRequest(t, http.MethodGet, presigned.URL, nil, nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Contains(t, string(body), "<Code>InvalidAccessKeyId</Code>")
}

// TestOtherDealsBucket: a deal's key gets AccessDenied on every other deal
// bucket, sees only its own bucket in ListBuckets, and no byte of the other
// deal's data, whatever the key, listing parameter, copy source or upload id.
func TestOtherDealsBucket(t *testing.T) {
	e := newEnv(t)
	victim := e.deal(1, 1, 1<<30)
	thief := e.deal(2, 1, 1<<30) // same unit, same storage directory
	vb, tb, ctx := bucketOf(victim), bucketOf(thief), context.Background()
	secret := []byte("the victim's secret bytes")
	put(t, e.dealClient(victim), vb, "secret.txt", secret)
	put(t, e.dealClient(victim), vb, "dir/secret2.txt", secret)
	mp, err := e.dealClient(victim).CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &vb, Key: aws.String("upload")})
	require.NoError(t, err)
	tc := e.dealClient(thief)

	_, err = tc.GetObject(ctx, &s3.GetObjectInput{Bucket: &vb, Key: aws.String("secret.txt")})
	requireS3Error(t, err, "AccessDenied", 403)
	_, err = tc.PutObject(ctx, &s3.PutObjectInput{Bucket: &vb, Key: aws.String("planted"), Body: strings.NewReader("x")})
	requireS3Error(t, err, "AccessDenied", 403)
	_, err = tc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &vb})
	requireS3Error(t, err, "AccessDenied", 403)
	_, err = tc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &vb, Key: aws.String("secret.txt")})
	requireS3Error(t, err, "AccessDenied", 403)
	_, err = tc.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &vb})
	_, status := errCode(err)
	require.Equal(t, 403, status)
	_, err = tc.UploadPart(ctx, &s3.UploadPartInput{Bucket: &vb, Key: aws.String("upload"), UploadId: mp.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	requireS3Error(t, err, "AccessDenied", 403)

	_, err = tc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &vb})
	requireS3Error(t, err, "BucketAlreadyExists", 409)
	_, err = tc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &tb})
	requireS3Error(t, err, "BucketAlreadyOwnedByYou", 409)

	lb, err := tc.ListBuckets(ctx, &s3.ListBucketsInput{})
	require.NoError(t, err)
	require.Len(t, lb.Buckets, 1)
	require.Equal(t, tb, aws.ToString(lb.Buckets[0].Name))
	all, err := e.rootClient().ListBuckets(ctx, &s3.ListBucketsInput{})
	require.NoError(t, err)
	require.Len(t, all.Buckets, 2)

	// From inside its own bucket: copies, listings and upload ids never
	// reach the other deal's keys.
	_, err = tc.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &tb, Key: aws.String("stolen"), CopySource: aws.String(vb + "/secret.txt")})
	requireS3Error(t, err, "AccessDenied", 403)
	for _, src := range []string{tb + "/../1/secret.txt", tb + "/a/../../1/secret.txt"} {
		_, err = tc.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &tb, Key: aws.String("stolen"), CopySource: aws.String(src)})
		require.Error(t, err, src)
		_, status := errCode(err)
		require.Equal(t, 400, status, "%s: %v", src, err)
	}
	_, err = tc.UploadPart(ctx, &s3.UploadPartInput{Bucket: &tb, Key: aws.String("upload"), UploadId: mp.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	requireS3Error(t, err, "NoSuchUpload", 404)
	for _, in := range []*s3.ListObjectsV2Input{
		{Bucket: &tb, Prefix: aws.String("../1/")},
		{Bucket: &tb, StartAfter: aws.String("../")},
		{Bucket: &tb, ContinuationToken: aws.String("../1/")},
		{Bucket: &tb, Prefix: aws.String("/")},
	} {
		out, err := tc.ListObjectsV2(ctx, in)
		if err == nil {
			require.Empty(t, out.Contents)
			require.Empty(t, out.CommonPrefixes)
			continue
		}
		_, status := errCode(err)
		require.Equal(t, 400, status, "%v", err)
	}
	lu, err := tc.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &tb})
	require.NoError(t, err)
	require.Empty(t, lu.Uploads)
	_, err = tc.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &tb, Prefix: aws.String("../1/")})
	requireS3Error(t, err, "400", 400)
	del, err := tc.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &tb, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("../1/secret.txt")}}}})
	if err == nil {
		require.Empty(t, del.Deleted)
	}
	require.Equal(t, secret, get(t, e.dealClient(victim), vb, "secret.txt"))
	require.Equal(t, secret, get(t, e.dealClient(victim), vb, "dir/secret2.txt"))
}

// TestReadOnlyDeal: a closed deal in its retrieval period reads and lists,
// and every write is AccessDenied.
func TestReadOnlyDeal(t *testing.T) {
	e := newEnv(t)
	d := e.deal(4, 1, 1<<30)
	c, b, ctx := e.dealClient(d), bucketOf(d), context.Background()
	put(t, c, b, "keep", []byte("kept"))
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &b, Key: aws.String("open")})
	require.NoError(t, err)

	d.Access = AccessReadOnly
	require.NoError(t, e.g.PutDeal(d))
	require.NoError(t, e.g.PutDeal(d), "PutDeal is idempotent")

	require.Equal(t, []byte("kept"), get(t, c, b, "keep"))
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &b})
	require.NoError(t, err)
	require.Equal(t, []string{"keep"}, objectKeys(list.Contents))

	writes := map[string]error{}
	_, writes["PutObject"] = c.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("new"), Body: strings.NewReader("x")})
	_, writes["DeleteObject"] = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b, Key: aws.String("keep")})
	_, writes["DeleteObjects"] = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("keep")}}}})
	_, writes["CopyObject"] = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &b, Key: aws.String("copy"), CopySource: aws.String(b + "/keep")})
	_, writes["CreateMultipartUpload"] = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &b, Key: aws.String("mp")})
	_, writes["UploadPart"] = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &b, Key: aws.String("open"), UploadId: mp.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	for op, err := range writes {
		code, status := errCode(err)
		require.Equal(t, "AccessDenied", code, "%s: %v", op, err)
		require.Equal(t, 403, status, op)
	}
	require.Equal(t, []byte("kept"), get(t, c, b, "keep"))

	// Re-opened for writing (e.g. a deal renewed), writes work again.
	d.Access = AccessReadWrite
	require.NoError(t, e.g.PutDeal(d))
	put(t, c, b, "new", []byte("x"))
}

// TestRemovedDeal: RemoveDeal ends access at once and deletes the deal's
// data, and nothing of any other deal.
func TestRemovedDeal(t *testing.T) {
	e := newEnv(t)
	gone := e.deal(5, 1, 1<<30)
	stays := e.deal(6, 1, 1<<30)
	gb, sb, ctx := bucketOf(gone), bucketOf(stays), context.Background()
	put(t, e.dealClient(gone), gb, "a/b/c", bytes.Repeat([]byte("x"), 1000))
	put(t, e.dealClient(gone), gb, "dir/", nil)
	_, err := e.dealClient(gone).CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &gb, Key: aws.String("pending")})
	require.NoError(t, err)
	put(t, e.dealClient(stays), sb, "a/b/c", []byte("stays"))
	dealDir := filepath.Join(e.root, "unit-1", "deals", "5")
	require.DirExists(t, dealDir)

	require.NoError(t, e.g.RemoveDeal(gone.ID))

	_, err = e.dealClient(gone).GetObject(ctx, &s3.GetObjectInput{Bucket: &gb, Key: aws.String("a/b/c")})
	requireS3Error(t, err, "InvalidAccessKeyId", 403)
	_, err = e.rootClient().GetObject(ctx, &s3.GetObjectInput{Bucket: &gb, Key: aws.String("a/b/c")})
	requireS3Error(t, err, "NoSuchBucket", 404)
	_, err = e.rootClient().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &gb})
	requireS3Error(t, err, "NoSuchBucket", 404)
	require.NoDirExists(t, dealDir)
	require.Len(t, e.g.Usage(), 1)

	// No multipart upload of the removed deal is left in storage.
	uploads := 0
	require.NoError(t, eachUpload(ctx, e.g.store.units[1], "deals/", func(string, string) error { uploads++; return nil }))
	require.Zero(t, uploads)

	require.Equal(t, []byte("stays"), get(t, e.dealClient(stays), sb, "a/b/c"))
	require.NoError(t, e.g.RemoveDeal(gone.ID), "RemoveDeal is idempotent")

	// Data of a deal this process never served (e.g. before a restart) is
	// found and deleted too.
	orphan := filepath.Join(e.root, "unit-2", "deals", "9")
	require.NoError(t, os.MkdirAll(orphan, 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(orphan, "left-behind"), []byte("x"), 0o600))
	require.NoError(t, e.g.RemoveDeal(9))
	require.NoDirExists(t, orphan)
}

// TestRemoveDealDuringUpload: a deal removed while one of its uploads is
// stalled mid-body stops being served at once; when the rest of the body
// arrives the upload is aborted (NoSuchBucket), and nothing of it is left in
// storage.
func TestRemoveDealDuringUpload(t *testing.T) {
	defer func(w time.Duration) { removeWait = w }(removeWait)
	removeWait = 200 * time.Millisecond
	e := newEnv(t)
	d := e.deal(8, 1, 1<<30)
	b := bucketOf(d)
	body := randomBytes(8, 2<<20)
	sent, stop, done := make(chan struct{}, 1), make(chan struct{}), make(chan error, 1)
	go func() { done <- halfSend(context.Background(), d, e.g.Addr(), "/"+b+"/late", body, sent, stop, true) }()
	<-sent
	// The upload is admitted (and holds its lease) once its bytes are
	// reserved.
	require.Eventually(t, func() bool { return e.g.Usage()[0].ReservedBytes == uint64(len(body)) }, 5*time.Second, 5*time.Millisecond)

	require.NoError(t, e.g.RemoveDeal(d.ID))
	_, err := e.rootClient().HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: &b})
	_, status := errCode(err)
	require.Equal(t, 404, status)

	close(stop) // the rest of the body arrives
	err = <-done
	require.ErrorContains(t, err, "404")
	require.ErrorContains(t, err, "<Code>NoSuchBucket</Code>")
	dealDir := filepath.Join(e.root, "unit-1", "deals", "8")
	require.Eventually(t, func() bool {
		_, err := os.Stat(dealDir)
		return os.IsNotExist(err)
	}, 5*time.Second, 20*time.Millisecond)
	require.Never(t, func() bool {
		_, err := os.Stat(filepath.Join(dealDir, "late"))
		return err == nil
	}, 300*time.Millisecond, 20*time.Millisecond)
}
