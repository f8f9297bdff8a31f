package server

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/flashbacknetwork/flashbackd/api/bridge"
	"github.com/flashbacknetwork/flashbackd/api/layout"
	"github.com/flashbacknetwork/flashbackd/api/receipts"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// DefaultReceiptInterval is how often the bridge signs and sends usage
// receipts for the bytes its deals delivered: often enough that a provider
// node waiting for receipts sees them promptly, rarely enough that
// receipts cost nothing next to the data.
const DefaultReceiptInterval = 30 * time.Second

// newMeter is the usage meter of the bridge's deals: receipts signed with
// the consumer's keyring key, sent to each deal's bucket with the deal's
// credentials, counting on from what the chain has billed. nil without a
// keyring (nothing is metered).
func (b *Bridge) newMeter(ctx context.Context, deals map[uint64]bridge.DealAccess) *receipts.Meter {
	if b.opts.Keyring == nil {
		return nil
	}
	clients, buckets := map[uint64]*s3.Client{}, map[uint64]string{}
	for id, a := range deals {
		buckets[id] = a.Bucket
		clients[id] = s3.New(s3.Options{
			Region: dealRegion, BaseEndpoint: aws.String(a.Endpoint), UsePathStyle: true,
			Credentials: credentials.NewStaticCredentialsProvider(a.AccessKeyID, a.SecretAccessKey, ""),
		})
	}
	send := func(ctx context.Context, dealID uint64, body []byte) error {
		c, ok := clients[dealID]
		bucket := buckets[dealID]
		if !ok {
			c, bucket, ok = b.addedDealClient(dealID) // a deal the autopilot added
		}
		if !ok {
			return fmt.Errorf("deal %d is not one of the bridge's", dealID)
		}
		_, err := c.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(layout.ReceiptKey), Body: bytes.NewReader(body),
		})
		return err
	}
	m := receipts.NewMeter(b.opts.Keyring, b.cfg.Chain.KeyName, b.chainID, send)
	for id := range deals {
		res, err := b.q.Deal(ctx, &orchestratortypes.QueryDealRequest{Id: id})
		if err != nil {
			// Counted from zero: receipts stay below what the chain
			// billed (and are refused) until the count passes it.
			b.logger.Error("could not read what the chain billed of a deal's egress; counting from zero", "deal", id, "err", err)
			continue
		}
		m.Seed(id, res.Deal.EgressBilledBytes, res.Deal.ReceiptSequence)
	}
	return m
}

// runReceipts sends receipts every interval, and once more at the end.
func (b *Bridge) runReceipts(ctx context.Context, m *receipts.Meter, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	flush := func(ctx context.Context) {
		if err := m.Flush(ctx); err != nil {
			b.logger.Error("usage receipts not delivered; the next ones cover them", "err", err)
		}
	}
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			flush(fctx)
			cancel()
			return
		case <-t.C:
			flush(ctx)
		}
	}
}
