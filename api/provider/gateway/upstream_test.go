package gateway

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/oracle/prober"
)

// s3Env is a gateway with posix unit 1 and unit 3 on an upstream S3
// server: a plain versitygw over a directory, in its own process.
func s3Env(t *testing.T) (*testEnv, *upstream) {
	t.Helper()
	up := startUpstream(t)
	e := newEnv(t, func(c *Config) {
		c.Units = []UnitConfig{{ID: 1, Posix: &PosixStorage{}}, {ID: 3, S3: up.storage()}}
	})
	return e, up
}

// TestS3Unit: a unit on an upstream S3 bucket serves the whole API, keeps
// each deal under its prefix in that one bucket, and serves the probe
// protocol from it.
func TestS3Unit(t *testing.T) {
	e, up := s3Env(t)
	d := e.deal(11, 3, 1<<30)
	c, b, ctx := e.dealClient(d), bucketOf(d), context.Background()

	body := randomBytes(11, 300_000)
	put(t, c, b, "dir/obj", body)
	require.Equal(t, body, get(t, c, b, "dir/obj"))
	// The upstream holds it under the deal's prefix.
	onUpstream, err := os.ReadFile(filepath.Join(up.cfg.Dir, upstreamBucket, "deals", "11", "dir", "obj"))
	require.NoError(t, err)
	require.Equal(t, body, onUpstream)

	rng, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("dir/obj"), Range: aws.String("bytes=10-19")})
	require.NoError(t, err)
	part, _ := io.ReadAll(rng.Body)
	require.Equal(t, body[10:20], part)

	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &b, Key: aws.String("dir/copy"), CopySource: aws.String(b + "/dir/obj")})
	require.NoError(t, err)
	require.Equal(t, body, get(t, c, b, "dir/copy"))

	for i := range 7 {
		put(t, c, b, "list/"+itoa(uint64(i)), []byte{byte(i)})
	}
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: &b, Prefix: aws.String("list/"), MaxKeys: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		keys = append(keys, objectKeys(page.Contents)...)
	}
	require.Equal(t, []string{"list/0", "list/1", "list/2", "list/3", "list/4", "list/5", "list/6"}, keys)

	// Multipart through the upstream, 2 × 5 MiB + 1 MiB.
	data := randomBytes(12, 11<<20)
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &b, Key: aws.String("mp")})
	require.NoError(t, err)
	var parts []types.CompletedPart
	for i, chunk := range [][]byte{data[:5<<20], data[5<<20 : 10<<20], data[10<<20:]} {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &b, Key: aws.String("mp"), UploadId: mp.UploadId, PartNumber: &n, Body: bytes.NewReader(chunk)})
		require.NoError(t, err)
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: &n})
	}
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &b})
	require.NoError(t, err)
	require.Len(t, lu.Uploads, 1)
	require.Equal(t, "mp", aws.ToString(lu.Uploads[0].Key))
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &b, Key: aws.String("mp"), UploadId: mp.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	require.NoError(t, err)
	require.Equal(t, sum(data), sum(get(t, c, b, "mp")))
	require.EqualValues(t, 2*len(body)+7+len(data), e.g.Usage()[0].StoredBytes)

	// Usage is rebuilt from the upstream after a restart.
	before := e.g.Usage()[0].StoredBytes
	e.restart()
	require.NoError(t, e.g.PutDeal(d))
	require.Equal(t, before, e.g.Usage()[0].StoredBytes)

	// The validators' prober sees the unit up.
	got := probeUntil(t, validatorProber(t), []prober.Target{{UnitID: 3, Endpoint: e.endpoint() + UnitPath(3)}}, 2)
	requireHealthy(t, got[3])

	require.NoError(t, e.g.RemoveDeal(d.ID))
	left, _ := os.ReadDir(filepath.Join(up.cfg.Dir, upstreamBucket, "deals", "11"))
	require.Empty(t, left)
}

// TestS3UpstreamDown: while the upstream is down its unit answers 503
// ServiceUnavailable (which S3 clients retry) and a new deal on it cannot
// be served yet; other units keep working; when it is back, so is the unit.
func TestS3UpstreamDown(t *testing.T) {
	e, up := s3Env(t)
	d := e.deal(12, 3, 1<<30)
	other := e.deal(13, 1, 1<<30)
	c, b, ctx := e.dealClient(d), bucketOf(d), context.Background()
	put(t, c, b, "k", []byte("before"))

	up.kill()
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String("k")})
	requireS3Error(t, err, "ServiceUnavailable", 503)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String("k2"), Body: bytes.NewReader([]byte("during"))})
	requireS3Error(t, err, "ServiceUnavailable", 503)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &b})
	requireS3Error(t, err, "ServiceUnavailable", 503)
	resp, _ := rawRequest(t, "GET", e.endpoint()+UnitPath(3)+"/flashback-probe/ping", nil, nil)
	require.Equal(t, 503, resp.StatusCode)
	require.Error(t, e.g.PutDeal(Deal{ID: 14, UnitID: 3, AccessKeyID: "AKNEWDEAL", Secret: "s", QuotaBytes: 1}))

	put(t, e.dealClient(other), bucketOf(other), "posix", []byte("still works"))

	up.restart(t)
	require.Eventually(t, func() bool {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: aws.String("k")})
		return err == nil
	}, 10*time.Second, 50*time.Millisecond)
	require.Equal(t, []byte("before"), get(t, c, b, "k"))
	put(t, c, b, "k2", []byte("after"))
	require.NoError(t, e.g.PutDeal(Deal{ID: 14, UnitID: 3, AccessKeyID: "AKNEWDEAL", Secret: "s", QuotaBytes: 1}))
}

// TestS3UpstreamMisconfigured: an upstream that refuses the provider's own
// credentials is the provider's problem: clients get 500 InternalError, not
// the upstream's AccessDenied, and a deal cannot be served on the unit.
func TestS3UpstreamMisconfigured(t *testing.T) {
	up := startUpstream(t)
	wrong := up.storage()
	wrong.SecretKey = "not-the-upstream-secret"
	e := newEnv(t, func(c *Config) { c.Units = []UnitConfig{{ID: 4, S3: wrong}} })

	resp, body := rawRequest(t, "GET", e.endpoint()+UnitPath(4)+"/flashback-probe/ping", nil, nil)
	require.Equal(t, 500, resp.StatusCode)
	require.Contains(t, string(body), "<Code>InternalError</Code>")
	require.Error(t, e.g.PutDeal(Deal{ID: 1, UnitID: 4, AccessKeyID: "AKMISCONF", Secret: "s", QuotaBytes: 1}))
}
