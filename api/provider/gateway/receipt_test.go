package gateway

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/api/layout"
)

// TestReceiptUploadsGoToTheNode: an upload to the receipt key reaches the
// node's hook with its body and deal, is never stored, and the hook's
// refusal is the client's 400.
func TestReceiptUploadsGoToTheNode(t *testing.T) {
	var mu sync.Mutex
	var got []string
	refuse := false
	e := newEnv(t, func(c *Config) {
		c.OnReceipt = func(dealID uint64, body []byte) error {
			mu.Lock()
			defer mu.Unlock()
			if refuse {
				return errors.New("the receipt bills nothing new")
			}
			got = append(got, itoa(dealID)+":"+string(body))
			return nil
		}
	})
	d := e.deal(3, 1, 1<<20)
	b, ctx := bucketOf(d), context.Background()
	put(t, e.dealClient(d), b, layout.ReceiptKey, []byte(`{"receipt":1}`))
	require.Equal(t, []string{`3:{"receipt":1}`}, got)

	// Not stored: neither readable nor listed, and it uses no quota.
	_, err := e.dealClient(d).GetObject(ctx, &s3.GetObjectInput{Bucket: &b, Key: aws.String(layout.ReceiptKey)})
	requireS3Error(t, err, "NoSuchKey", 404)
	list, err := e.dealClient(d).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &b})
	require.NoError(t, err)
	require.Empty(t, list.Contents)

	mu.Lock()
	refuse = true
	mu.Unlock()
	_, err = e.dealClient(d).PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String(layout.ReceiptKey), Body: bytes.NewReader([]byte("{}"))})
	requireS3Error(t, err, "InvalidArgument", 400)
	require.ErrorContains(t, err, "bills nothing new")

	// Oversized bodies are refused unread.
	_, err = e.dealClient(d).PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String(layout.ReceiptKey), Body: bytes.NewReader(make([]byte, 4096))})
	requireS3Error(t, err, "InvalidArgument", 400)

	// Another deal's credentials cannot reach this deal's receipts; a
	// read-only (closed) deal takes none.
	other := e.deal(4, 1, 1<<20)
	_, err = e.dealClient(other).PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String(layout.ReceiptKey), Body: bytes.NewReader([]byte("{}"))})
	requireS3Error(t, err, "AccessDenied", 403)
	d.Access = AccessReadOnly
	require.NoError(t, e.g.PutDeal(d))
	_, err = e.dealClient(d).PutObject(ctx, &s3.PutObjectInput{Bucket: &b, Key: aws.String(layout.ReceiptKey), Body: bytes.NewReader([]byte("{}"))})
	requireS3Error(t, err, "AccessDenied", 403)
	require.Len(t, got, 1)
}

// TestReceiptsRefusedWithoutBilling: a gateway without the hook refuses
// receipts instead of storing them as objects.
func TestReceiptsRefusedWithoutBilling(t *testing.T) {
	e := newEnv(t)
	d := e.deal(1, 1, 1<<20)
	b := bucketOf(d)
	_, err := e.dealClient(d).PutObject(context.Background(), &s3.PutObjectInput{Bucket: &b, Key: aws.String(layout.ReceiptKey), Body: bytes.NewReader([]byte("{}"))})
	requireS3Error(t, err, "InvalidArgument", 400)
	require.ErrorContains(t, err, "does not bill egress")
}
