package node_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/api/bridge"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/api/layout"
	"github.com/flashbacknetwork/flashbackd/api/receipts"
	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/providertest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestNodeBillsEgressFromReceipts: the consumer uploads signed usage
// receipts to its deal's bucket with an S3 client; the node checks them,
// refuses forged, stale and misdirected ones, and submits the latest on
// chain on its schedule: the deal's first at once, later ones once they
// bill submit_min_bytes.
func TestNodeBillsEgressFromReceipts(t *testing.T) {
	const gb = types.BytesPerGB
	const egressPrice = 40_000 // uflash per GB served
	env := providertest.Start(t)
	ctx := context.Background()
	accts := env.NewAccounts("provider", "alice", "mallory")
	cfg := env.NodeConfig(t.TempDir(), "provider", 1)
	cfg.Withdraw.Interval.Duration = 0
	cfg.Receipts.SubmitInterval.Duration = time.Hour
	cfg.Receipts.SubmitMinBytes = 5 * gb

	env.Send("provider", &types.MsgRegisterProvider{Owner: accts[0].String(), Name: "Acme", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)})
	env.Send("provider", &types.MsgCreateDataUnit{
		Provider: accts[0].String(), CapacityGb: 1000, PricePerGbMonth: providertest.PricePerGBSecond1000, PricePerGbEgress: egressPrice,
		Region: "eu-west", Country: "FR", Api: types.API_COMPATIBILITY_S3, Endpoint: layout.UnitEndpoint(cfg.Server.PublicURL, 1), Sla: providertest.SLA,
	})
	alice := env.Consumer("alice", accts[1], t.TempDir(), true)
	env.Consumer("mallory", accts[2], t.TempDir(), false)
	aliceKey, err := dealauth.LoadKey(alice.KeyFile)
	require.NoError(t, err)

	env.StartNode(cfg)
	dealID := env.RequestDeal(alice, 1, 1, 3*time.Hour) // not ending within submit_interval
	env.WaitDealState(dealID, types.DEAL_STATE_ACTIVE, 20*time.Second)
	require.Equal(t, uint64(egressPrice), env.Deal(dealID).Deal.PricePerGbEgress)
	access, err := bridge.ResolveDeal(ctx, env.Q, aliceKey, env.ChainID, dealID)
	require.NoError(t, err)
	c := providertest.S3(access.Endpoint, access.Credentials)

	kr := env.Val.ClientCtx.Keyring
	sign := func(key string, deal, bytesServed, seq uint64) []byte {
		s, err := receipts.Sign(kr, key, types.UsageReceipt{ChainId: env.ChainID, DealId: deal, BytesServed: bytesServed, Sequence: seq})
		require.NoError(t, err)
		return receipts.Encode(s)
	}
	upload := func(body []byte) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &access.Bucket, Key: aws.String(layout.ReceiptKey), Body: bytes.NewReader(body)})
		return err
	}
	billed := func() types.Deal { return env.Deal(dealID).Deal }

	// The first receipt is billed at once: 1 GB × 40,000.
	require.Eventually(t, func() bool { return upload(sign("alice", dealID, gb, 1)) == nil }, 10*time.Second, 100*time.Millisecond)
	require.Eventually(t, func() bool { return billed().EgressBilledBytes == gb }, 20*time.Second, 200*time.Millisecond)
	require.Equal(t, int64(egressPrice), billed().EgressCharged.Int64())

	// Refused at the door, with the reason: another key's signature, a
	// replay, another deal's receipt, garbage.
	for name, tc := range map[string]struct {
		body []byte
		want string
	}{
		"forged":     {sign("mallory", dealID, 2*gb, 2), "not signed by the deal's consumer"},
		"replayed":   {sign("alice", dealID, gb, 1), "(sequence 1, 1000000000 bytes)"},
		"other deal": {sign("alice", dealID+1, 2*gb, 2), "uploaded to deal"},
		"garbage":    {[]byte(`{"deal_id":1}`), "usage receipt"},
	} {
		err := upload(tc.body)
		code, status := providertest.ErrCode(err)
		require.Equal(t, "InvalidArgument", code, name)
		require.Equal(t, 400, status, name)
		require.ErrorContains(t, err, tc.want, name)
	}

	// 3 GB in all bills 2 GB more: below submit_min_bytes and within the
	// interval, so it is held; 9 GB in all bills 8 GB: submitted.
	require.NoError(t, upload(sign("alice", dealID, 3*gb, 2)))
	time.Sleep(5 * cfg.Chain.PollInterval.Duration)
	require.Equal(t, uint64(gb), billed().EgressBilledBytes, "a receipt below submit_min_bytes waits")
	require.NoError(t, upload(sign("alice", dealID, 9*gb, 3)))
	require.Eventually(t, func() bool { return billed().EgressBilledBytes == 9*gb }, 20*time.Second, 200*time.Millisecond)
	d := billed()
	require.Equal(t, uint64(3), d.ReceiptSequence)
	require.Equal(t, int64(9*egressPrice), d.EgressCharged.Int64())
	require.True(t, d.EgressUnpaid.IsZero())
}
