package gateway

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// TestObjectRoundTrip: put, get, ranged get, head, copy and delete through
// the AWS SDK on a posix unit; the objects land under the deal's prefix in
// the unit's directory; usage and metrics follow every call.
func TestObjectRoundTrip(t *testing.T) {
	e := newEnv(t)
	d := e.deal(7, 1, 1<<30)
	c, b, ctx := e.dealClient(d), bucketOf(d), context.Background()

	body := randomBytes(1, 100_000)
	put(t, c, b, "docs/report.bin", body)
	require.Equal(t, body, get(t, c, b, "docs/report.bin"))

	// The object is a file under deals/7/ in unit 1's directory.
	onDisk, err := os.ReadFile(filepath.Join(e.root, "unit-1", "deals", "7", "docs", "report.bin"))
	require.NoError(t, err)
	require.Equal(t, body, onDisk)

	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: aws.String("docs/report.bin")})
	require.NoError(t, err)
	require.EqualValues(t, len(body), aws.ToInt64(head.ContentLength))

	rng, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("docs/report.bin"), Range: aws.String("bytes=1000-1999")})
	require.NoError(t, err)
	part, err := io.ReadAll(rng.Body)
	require.NoError(t, err)
	require.Equal(t, body[1000:2000], part)
	require.Equal(t, fmt.Sprintf("bytes 1000-1999/%d", len(body)), aws.ToString(rng.ContentRange))

	tail, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("docs/report.bin"), Range: aws.String("bytes=-10")})
	require.NoError(t, err)
	last, err := io.ReadAll(tail.Body)
	require.NoError(t, err)
	require.Equal(t, body[len(body)-10:], last)

	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("docs/report.bin"), Range: aws.String("bytes=200000-200010")})
	requireS3Error(t, err, "InvalidRange", 416)

	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &b, Key: aws.String("copies/report copy+1.bin"), CopySource: aws.String(b + "/docs/report.bin")})
	require.NoError(t, err)
	require.Equal(t, body, get(t, c, b, "copies/report copy+1.bin"))

	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("missing")})
	requireS3Error(t, err, "NoSuchKey", 404)

	u := e.g.Usage()
	require.Len(t, u, 1)
	require.EqualValues(t, 2*len(body), u[0].StoredBytes)
	require.EqualValues(t, 0, u[0].ReservedBytes)
	require.GreaterOrEqual(t, u[0].IngressBytes, uint64(len(body)))
	// Egress is counted once the server has handed the bytes to the
	// connection, which can be a moment after the client has them.
	wantEgress := uint64(2*len(body) + 1000 + 10)
	require.Eventually(t, func() bool { return e.g.Usage()[0].EgressBytes == wantEgress }, 5*time.Second, 10*time.Millisecond)
	require.EqualValues(t, 2*len(body), testutil.ToFloat64(e.g.m.stored.WithLabelValues("7", "1")))
	require.EqualValues(t, wantEgress, testutil.ToFloat64(e.g.m.egressB.WithLabelValues("7", "1")))
	require.EqualValues(t, 1, testutil.ToFloat64(e.g.m.requests.WithLabelValues("7", "CopyObject", "ok")))
	require.EqualValues(t, 1, testutil.ToFloat64(e.g.m.requests.WithLabelValues("7", "GetObject", "NoSuchKey")))

	// What the node exports.
	families, err := e.g.Registry().Gather()
	require.NoError(t, err)
	var names []string
	for _, f := range families {
		names = append(names, f.GetName())
	}
	for _, want := range []string{"deal_stored_bytes", "deal_ingress_bytes_total", "deal_egress_bytes_total", "deal_requests_total", "probe_upload_outstanding_bytes"} {
		require.Contains(t, names, "flashback_provider_"+want)
	}

	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b, Key: aws.String("docs/report.bin")})
	require.NoError(t, err)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("docs/report.bin")})
	requireS3Error(t, err, "NoSuchKey", 404)

	put(t, c, b, "batch/a", []byte("a"))
	put(t, c, b, "batch/b", []byte("bb"))
	del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("batch/a")}, {Key: aws.String("batch/b")}, {Key: aws.String("copies/report copy+1.bin")},
	}}})
	require.NoError(t, err)
	require.Len(t, del.Deleted, 3)
	require.Empty(t, del.Errors)
	var deleted []string
	for _, o := range del.Deleted {
		deleted = append(deleted, aws.ToString(o.Key))
	}
	require.ElementsMatch(t, []string{"batch/a", "batch/b", "copies/report copy+1.bin"}, deleted)
	require.EqualValues(t, 0, e.g.Usage()[0].StoredBytes)

	// ListBuckets shows the deal's own bucket.
	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	require.NoError(t, err)
	require.Len(t, lb.Buckets, 1)
	require.Equal(t, b, aws.ToString(lb.Buckets[0].Name))
}

// TestListObjects: ListObjectsV2 with prefix, delimiter, start-after and
// pagination, and ListObjects (v1) with markers, show exactly the deal's
// keys, without the storage prefix, even with another deal on the same unit.
func TestListObjects(t *testing.T) {
	e := newEnv(t)
	d := e.deal(1, 1, 1<<30)
	other := e.deal(2, 1, 1<<30)
	c, b, ctx := e.dealClient(d), bucketOf(d), context.Background()

	var all []string
	for i := range 12 {
		all = append(all, fmt.Sprintf("photos/2024/img%02d.jpg", i))
	}
	all = append(all, "photos/2025/new.jpg", "notes.txt", "zebra")
	for _, k := range all {
		put(t, c, b, k, []byte(k))
	}
	put(t, e.dealClient(other), bucketOf(other), "photos/2024/other-deal.jpg", []byte("not yours"))

	var keys []string
	pages := 0
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: &b, Prefix: aws.String("photos/2024/"), MaxKeys: aws.Int32(5)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		pages++
		require.Equal(t, "photos/2024/", aws.ToString(page.Prefix))
		require.Equal(t, b, aws.ToString(page.Name))
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
			require.EqualValues(t, len(aws.ToString(o.Key)), aws.ToInt64(o.Size))
		}
		if aws.ToBool(page.IsTruncated) {
			require.False(t, strings.HasPrefix(aws.ToString(page.NextContinuationToken), "deals/"), "token %q shows the storage layout", aws.ToString(page.NextContinuationToken))
		}
	}
	require.Equal(t, 3, pages)
	require.Equal(t, all[:12], keys)

	top, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &b, Delimiter: aws.String("/")})
	require.NoError(t, err)
	require.Equal(t, []string{"notes.txt", "zebra"}, objectKeys(top.Contents))
	require.Len(t, top.CommonPrefixes, 1)
	require.Equal(t, "photos/", aws.ToString(top.CommonPrefixes[0].Prefix))
	require.EqualValues(t, 3, aws.ToInt32(top.KeyCount))

	years, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &b, Prefix: aws.String("photos/"), Delimiter: aws.String("/")})
	require.NoError(t, err)
	require.Empty(t, years.Contents)
	require.Equal(t, []string{"photos/2024/", "photos/2025/"}, []string{aws.ToString(years.CommonPrefixes[0].Prefix), aws.ToString(years.CommonPrefixes[1].Prefix)})

	after, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &b, StartAfter: aws.String("photos/2025/new.jpg")})
	require.NoError(t, err)
	require.Equal(t, []string{"zebra"}, objectKeys(after.Contents))

	// v1 with markers.
	var v1 []string
	marker := ""
	for {
		out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: &b, Marker: aws.String(marker), MaxKeys: aws.Int32(4)})
		require.NoError(t, err)
		v1 = append(v1, objectKeys(out.Contents)...)
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = aws.ToString(out.NextMarker)
		if marker == "" {
			marker = v1[len(v1)-1]
		}
	}
	require.ElementsMatch(t, all, v1)
}

func objectKeys(objs []types.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, aws.ToString(o.Key))
	}
	return out
}

// TestMultipartLarge uploads 65 MiB in 13 parts, completes, and reads the
// object back whole and across a part boundary with matching checksums;
// listings of parts and uploads show client keys; an aborted upload leaves
// nothing behind and gives its reserved bytes back.
func TestMultipartLarge(t *testing.T) {
	e := newEnv(t)
	d := e.deal(3, 2, 1<<30)
	c, b, ctx := e.dealClient(d), bucketOf(d), context.Background()

	const partSize, parts = 5 << 20, 13
	data := randomBytes(3, partSize*parts)
	key := "backups/big.tar"
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &b, Key: &key})
	require.NoError(t, err)
	require.Equal(t, key, aws.ToString(mp.Key))
	require.Equal(t, b, aws.ToString(mp.Bucket))

	var completed []types.CompletedPart
	for i := range parts {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &b, Key: &key, UploadId: mp.UploadId, PartNumber: &n,
			Body: bytes.NewReader(data[i*partSize : (i+1)*partSize])})
		require.NoError(t, err)
		completed = append(completed, types.CompletedPart{ETag: out.ETag, PartNumber: &n})
	}
	require.EqualValues(t, partSize*parts, e.g.Usage()[0].ReservedBytes)

	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: &b, Key: &key, UploadId: mp.UploadId})
	require.NoError(t, err)
	require.Len(t, lp.Parts, parts)
	require.Equal(t, key, aws.ToString(lp.Key))
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &b})
	require.NoError(t, err)
	require.Len(t, lu.Uploads, 1)
	require.Equal(t, key, aws.ToString(lu.Uploads[0].Key))

	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &b, Key: &key, UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
	require.NoError(t, err)

	got := get(t, c, b, key)
	require.Equal(t, sum(data), sum(got))
	rng, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: &key, Range: aws.String(fmt.Sprintf("bytes=%d-%d", partSize-100, partSize+99))})
	require.NoError(t, err)
	across, err := io.ReadAll(rng.Body)
	require.NoError(t, err)
	require.Equal(t, data[partSize-100:partSize+100], across)

	u := e.g.Usage()[0]
	require.EqualValues(t, partSize*parts, u.StoredBytes)
	require.EqualValues(t, 0, u.ReservedBytes)

	// Abort: the parts go, the reservation is released.
	ab, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &b, Key: aws.String("aborted")})
	require.NoError(t, err)
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &b, Key: aws.String("aborted"), UploadId: ab.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(data[:1<<20])})
	require.NoError(t, err)
	require.EqualValues(t, 1<<20, e.g.Usage()[0].ReservedBytes)
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &b, Key: aws.String("aborted"), UploadId: ab.UploadId})
	require.NoError(t, err)
	require.EqualValues(t, 0, e.g.Usage()[0].ReservedBytes)
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: &b, Key: aws.String("aborted"), UploadId: ab.UploadId})
	requireS3Error(t, err, "NoSuchUpload", 404)
	lu, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &b})
	require.NoError(t, err)
	require.Empty(t, lu.Uploads)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: aws.String("aborted")})
	require.Error(t, err)
}
