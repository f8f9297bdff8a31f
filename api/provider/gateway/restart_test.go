package gateway

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

// TestKilledMidUpload kills the gateway process (SIGKILL, nothing flushed)
// while a multipart part and a plain PUT are half sent, and starts it again
// on the same storage: every completed object is intact, the half-sent
// objects do not exist, the open upload keeps its completed part, and the
// upload can be finished.
func TestKilledMidUpload(t *testing.T) {
	d := Deal{ID: 21, UnitID: 1, AccessKeyID: "AKRESTARTDEAL", Secret: "restart-secret", QuotaBytes: 1 << 30}
	cfg := gatewayHelperConfig{
		Gateway: Config{Listen: "127.0.0.1:0", PosixRoot: t.TempDir(), Units: []UnitConfig{{ID: 1, Posix: &PosixStorage{}}}},
		Deals:   []Deal{d},
	}
	node := startHelper(t, "gateway", cfg)
	c, b, ctx := newS3Client("http://"+node.addr, d.AccessKeyID, d.Secret), bucketOf(d), context.Background()

	small := randomBytes(21, 1<<20)
	put(t, c, b, "done/small", small)
	mpData := randomBytes(22, 6<<20)
	completeUpload(t, c, b, "done/mp", mpData[:5<<20], mpData[5<<20:])

	part1, part2 := randomBytes(23, 5<<20), randomBytes(24, 5<<20)
	open, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &b, Key: aws.String("inflight")})
	require.NoError(t, err)
	out1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &b, Key: aws.String("inflight"), UploadId: open.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(part1)})
	require.NoError(t, err)

	// Half-send part 2 and a plain object, then kill the node.
	sent, stop := make(chan struct{}, 2), make(chan struct{})
	failed := make(chan error, 2)
	go func() {
		failed <- halfSend(ctx, d, node.addr, "/"+b+"/inflight?partNumber=2&uploadId="+*open.UploadId, part2, sent, stop, false)
	}()
	go func() { failed <- halfSend(ctx, d, node.addr, "/"+b+"/half-put", part2, sent, stop, false) }()
	var stopOnce sync.Once
	unstall := func() { stopOnce.Do(func() { close(stop) }) }
	defer unstall()
	for range 2 {
		select {
		case <-sent:
		case err := <-failed:
			t.Fatalf("a half-sent upload ended before the node was killed: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("the node did not read the half-sent bodies")
		}
	}
	time.Sleep(200 * time.Millisecond) // let the node write what it received
	node.kill()
	unstall()
	for range 2 {
		err := <-failed
		require.Error(t, err)
		require.NotContains(t, err.Error(), "the node answered")
	}

	node = startHelper(t, "gateway", cfg)
	c = newS3Client("http://"+node.addr, d.AccessKeyID, d.Secret)
	require.Equal(t, sum(small), sum(get(t, c, b, "done/small")))
	require.Equal(t, sum(mpData), sum(get(t, c, b, "done/mp")))
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b, Key: aws.String("half-put")})
	_, status := errCode(err)
	require.Equal(t, 404, status, "a half-sent object must not exist: %v", err)
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &b})
	require.NoError(t, err)
	require.Equal(t, []string{"done/mp", "done/small"}, objectKeys(list.Contents))

	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: &b, Key: aws.String("inflight"), UploadId: open.UploadId})
	require.NoError(t, err)
	require.Len(t, parts.Parts, 1, "only the completed part survives")
	require.EqualValues(t, 1, aws.ToInt32(parts.Parts[0].PartNumber))
	require.EqualValues(t, len(part1), aws.ToInt64(parts.Parts[0].Size))
	out2, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &b, Key: aws.String("inflight"), UploadId: open.UploadId, PartNumber: aws.Int32(2), Body: bytes.NewReader(part2)})
	require.NoError(t, err)
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &b, Key: aws.String("inflight"), UploadId: open.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: out1.ETag}, {PartNumber: aws.Int32(2), ETag: out2.ETag}}}})
	require.NoError(t, err)
	require.Equal(t, sum(append(append([]byte{}, part1...), part2...)), sum(get(t, c, b, "inflight")))
}

func completeUpload(t *testing.T, c *s3.Client, bucket, key string, chunks ...[]byte) {
	t.Helper()
	ctx := context.Background()
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	require.NoError(t, err)
	var parts []types.CompletedPart
	for i, chunk := range chunks {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: &key, UploadId: mp.UploadId, PartNumber: &n, Body: bytes.NewReader(chunk)})
		require.NoError(t, err)
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: &n})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	require.NoError(t, err)
}

// halfSend PUTs body, signed with UNSIGNED-PAYLOAD like an SDK streaming
// an upload, but sends only its first half and then stalls until stop; then
// it sends the rest if finish is set, or gives up. It signals sent when the
// half is out and returns the request's error, or the node's answer as an
// error.
func halfSend(ctx context.Context, d Deal, addr, path string, body []byte, sent chan<- struct{}, stop <-chan struct{}, finish bool) error {
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write(body[:len(body)/2])
		sent <- struct{}{}
		<-stop
		if finish {
			_, _ = pw.Write(body[len(body)/2:])
			pw.Close()
			return
		}
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, "http://"+addr+path, pr)
	if err != nil {
		return err
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	creds := aws.Credentials{AccessKeyID: d.AccessKeyID, SecretAccessKey: d.Secret}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", DefaultRegion, time.Now()); err != nil {
		return err
	}
	resp, err := testHTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Errorf("the node answered %s: %s", resp.Status, b)
}
