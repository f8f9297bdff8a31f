package node_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/api/bridge"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/providertest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestNodeSurvivesUnreachableChain cuts the node off the chain (its gRPC
// and RPC targets are proxies the test stops): the running deal stays
// readable and writable, the status says the chain is unreachable and for
// how long, a request made meanwhile waits; a node restarted while the
// chain is still gone serves the deal from its state file; when the chain
// is back, the node catches up and accepts the waiting request.
func TestNodeSurvivesUnreachableChain(t *testing.T) {
	env := providertest.Start(t)
	ctx := context.Background()
	accts := env.NewAccounts("provider", "alice")
	grpcProxy := providertest.NewProxy(t, env.Val.AppConfig.GRPC.Address)
	rpcProxy := providertest.NewProxy(t, strings.TrimPrefix(env.Val.RPCAddress, "tcp://"))
	cfg := env.NodeConfig(t.TempDir(), "provider", 1)
	cfg.Chain.GRPCAddress, cfg.Chain.RPCAddress = grpcProxy.Addr, "tcp://"+rpcProxy.Addr
	cfg.Withdraw.Interval.Duration = 0

	env.Send("provider", &types.MsgRegisterProvider{Owner: accts[0].String(), Name: "Acme", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)})
	env.CreateUnit("provider", accts[0], 1, cfg.Server.PublicURL, providertest.PricePerGBSecond1000)
	alice := env.Consumer("alice", accts[1], t.TempDir(), true)
	aliceKey, err := dealauth.LoadKey(alice.KeyFile)
	require.NoError(t, err)

	n := env.StartNode(cfg)
	d1 := env.RequestDeal(alice, 1, 1, 10*time.Minute)
	env.WaitDealState(d1, types.DEAL_STATE_ACTIVE, 20*time.Second)
	access, err := bridge.ResolveDeal(ctx, env.Q, aliceKey, env.ChainID, d1)
	require.NoError(t, err)
	c := providertest.S3(access.Endpoint, access.Credentials)
	body := []byte("stored before the chain went away")
	require.Eventually(t, func() bool {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &access.Bucket, Key: aws.String("a"), Body: bytes.NewReader(body)})
		return err == nil
	}, 5*time.Second, 100*time.Millisecond)

	// The chain goes away.
	grpcProxy.Down()
	rpcProxy.Down()
	require.Eventually(t, func() bool { return !n.Status().Chain.Reachable }, 10*time.Second, 100*time.Millisecond)
	d2 := env.RequestDeal(alice, 1, 1, 10*time.Minute) // straight to the chain, which the node cannot see
	for i := 0; i < 6; i++ {
		require.Equal(t, body, get(t, c, access.Bucket, "a"))
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &access.Bucket, Key: aws.String("while-down"), Body: strings.NewReader("ok")})
		require.NoError(t, err, "writes go on while the chain is unreachable")
		time.Sleep(300 * time.Millisecond)
	}
	st := n.Status()
	require.False(t, st.Chain.Reachable)
	require.NotEmpty(t, st.Chain.LastError)
	require.Greater(t, st.Chain.SyncAgeSeconds, 1.5)
	require.Equal(t, types.DEAL_STATE_PENDING, env.Deal(d2).Deal.State, "no one could decide the request")

	// Restarted while the chain is still gone, the node serves what its
	// state file knows.
	n.Stop(t)
	n = env.StartNode(cfg)
	require.Equal(t, []byte("ok"), get(t, c, access.Bucket, "while-down"))
	require.False(t, n.Status().Chain.Reachable)

	// The chain is back: the node catches up and decides the waiting request.
	back := time.Now()
	grpcProxy.Up()
	rpcProxy.Up()
	env.WaitDealState(d2, types.DEAL_STATE_ACTIVE, 30*time.Second)
	t.Logf("chain back → waiting request accepted in %s", time.Since(back).Round(10*time.Millisecond))
	require.Eventually(t, func() bool { return n.Status().Chain.Reachable }, 10*time.Second, 100*time.Millisecond)
	access2, err := bridge.ResolveDeal(ctx, env.Q, aliceKey, env.ChainID, d2)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := providertest.S3(access2.Endpoint, access2.Credentials).PutObject(ctx,
			&s3.PutObjectInput{Bucket: &access2.Bucket, Key: aws.String("b"), Body: strings.NewReader("second deal")})
		return err == nil
	}, 5*time.Second, 100*time.Millisecond)
	require.Equal(t, body, get(t, c, access.Bucket, "a"))
}

func get(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	res, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return b
}
