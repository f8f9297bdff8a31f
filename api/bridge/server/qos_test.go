package server_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/server"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/api/provider/chain"
	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/network"
	"github.com/flashbacknetwork/flashbackd/testutil/providertest"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// qosInterval is the test chain's self_report_min_interval.
const qosInterval = 6 * time.Second

// TestBridgeQoSSelfReports: a live chain whose oracle allows one
// self-report per deal and party every 6 s, one provider node, a bridge
// checking every 200 ms. The bridge files signed reports whose figures are
// the ones it measured (shown in its status), never before the chain
// allows (no attempt ever fails, reports are ≥ 6 s apart), not again after
// a restart (the chain's last report is the authority; unfiled
// measurements survive in the database), and, while the chain cannot be
// reached, keeps its measurements and files them once it can. A deal that
// closes takes no more reports: its measurements are dropped.
func TestBridgeQoSSelfReports(t *testing.T) {
	env := providertest.Start(t, func(cfg *network.Config) {
		var gs oracletypes.GenesisState
		cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[oracletypes.ModuleName], &gs)
		gs.Params.SelfReportMinInterval = qosInterval
		cfg.GenesisState[oracletypes.ModuleName] = cfg.Codec.MustMarshalJSON(&gs)
	})
	ctx := context.Background()
	accts := env.NewAccounts("p1", "alice")
	env.Send("p1", &types.MsgRegisterProvider{Owner: accts[0].String(), Name: "p1", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)})
	ncfg := env.NodeConfig(t.TempDir(), "p1", 1)
	ncfg.Withdraw.Interval.Duration = 0
	env.CreateUnit("p1", accts[0], 1, ncfg.Server.PublicURL, providertest.PricePerGBSecond1000)
	startProvider(t, ncfg)
	alice := env.Consumer("alice", accts[1], t.TempDir(), true)
	deal := env.RequestDeal(alice, 1, 1, 10*time.Minute)
	env.WaitDealState(deal, types.DEAL_STATE_ACTIVE, 30*time.Second)

	cfg := config.Default(env.KeyringDir())
	grpcProxy := providertest.NewProxy(t, env.Val.AppConfig.GRPC.Address)
	cfg.Chain.GRPCAddress, cfg.Chain.RPCAddress, cfg.Chain.ChainID = grpcProxy.Addr, env.Val.RPCAddress, env.ChainID
	cfg.Chain.KeyringBackend, cfg.Chain.KeyName = "test", "alice"
	cfg.Server.Listen, cfg.Server.StatusListen = providertest.FreeAddr(t), providertest.FreeAddr(t)
	cfg.Server.AccessKeyFile = alice.KeyFile
	cfg.Mirror.HealthInterval.Duration = time.Second
	key, err := config.NewKey("app", false)
	require.NoError(t, err)
	cfg.Keys = []config.Key{key}
	cfg.Repositories = []config.Repository{{Name: "qos", Mode: config.ModeNormal, Deals: []uint64{deal}}}
	cfg.Chain.QoSCheckInterval.Duration = 200 * time.Millisecond // bridge.toml's key
	cfg = cfg.WithHome(t.TempDir())

	kr, err := keyring.New(sdk.KeyringServiceName(), "test", env.KeyringDir(), nil, env.Val.ClientCtx.Codec)
	require.NoError(t, err)
	start := func() *runningBridge {
		qc, err := chain.New(chain.Config{
			GRPCAddress: grpcProxy.Addr, RPCAddress: env.Val.RPCAddress, ChainID: env.ChainID, Keyring: kr, KeyName: "alice",
			GasPrices: "0.0025uflash", GasAdjustment: 1.5, TxTimeout: 20 * time.Second,
			Codec: env.Val.ClientCtx.Codec, InterfaceRegistry: env.Val.ClientCtx.InterfaceRegistry, TxConfig: env.Val.ClientCtx.TxConfig,
		}, nil)
		require.NoError(t, err)
		t.Cleanup(func() { qc.Close() })
		return startBridgeWith(t, cfg, server.Options{Consumer: accts[1].String(), Logger: log.NewTestLoggerInfo(t),
			QoS: qc})
	}
	oracle := oracletypes.NewQueryClient(env.Conn)
	reports := func() []oracletypes.SelfReport {
		res, err := oracle.SelfReports(ctx, &oracletypes.QuerySelfReportsRequest{DealId: deal})
		require.NoError(t, err)
		return res.Reports
	}
	waitReports := func(n int) []oracletypes.SelfReport {
		var rs []oracletypes.SelfReport
		require.Eventually(t, func() bool { rs = reports(); return len(rs) >= n }, 30*time.Second, 100*time.Millisecond, "%d self-reports", n)
		require.Len(t, rs, n)
		return rs
	}
	qosOf := func(b *runningBridge) server.QoSStatus {
		st := b.Status()
		require.Len(t, st.QoS, 1)
		return st.QoS[0]
	}
	traffic := func(b *runningBridge, n int) {
		c := providertest.S3("http://"+b.Addr(), dealauth.Credentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey})
		body := random(t, 1<<20)
		for i := 0; i < n; i++ {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("qos"), Key: aws.String("obj"), Body: bytes.NewReader(body)})
			require.NoError(t, err)
			require.Equal(t, body, get(t, c, "qos", "obj", ""))
		}
	}
	// matches: the report on chain is the one the bridge says it filed,
	// from what it measured.
	matches := func(r oracletypes.SelfReport, q server.QoSStatus) {
		t.Helper()
		require.Equal(t, accts[1].String(), r.Reporter)
		require.Equal(t, "consumer", r.Role)
		require.Equal(t, q.LastReportID, r.Id)
		require.Equal(t, q.LastLatencyMs, r.LatencyMs)
		require.Equal(t, q.LastThroughputKbps, r.ThroughputKbps)
		require.Equal(t, q.LastSuccess, r.Success)
		require.Equal(t, q.LastOperation, r.Operation.String())
		require.True(t, q.LastFiled.IsZero() || q.LastFiled.Equal(r.Time) || q.LastFiled.Before(r.Time))
	}

	b := start()
	traffic(b, 3)
	first := waitReports(1)[0]
	require.Eventually(t, func() bool { return qosOf(b).LastFiled.Equal(first.Time) }, 10*time.Second, 50*time.Millisecond)
	matches(first, qosOf(b))
	require.True(t, first.Success)

	// Traffic of 1 MiB objects: the next report carries its throughput,
	// and comes no sooner than the chain allows.
	traffic(b, 4)
	q := qosOf(b)
	require.GreaterOrEqual(t, q.PendingRequests, uint64(8), "the requests since the last report are measured")
	second := waitReports(2)[1]
	require.GreaterOrEqual(t, second.Time.Sub(first.Time), qosInterval)
	require.Eventually(t, func() bool { return qosOf(b).LastReportID == second.Id }, 10*time.Second, 50*time.Millisecond)
	q = qosOf(b)
	matches(second, q)
	require.Positive(t, second.ThroughputKbps, "1 MiB transfers measure throughput")
	require.Contains(t, []string{"OPERATION_TYPE_READ", "OPERATION_TYPE_WRITE"}, q.LastOperation)
	require.Zero(t, q.Failed, "no report was refused (none too soon)")
	t.Logf("second report: latency %d ms, throughput %d kbps, %s after the first", second.LatencyMs, second.ThroughputKbps, second.Time.Sub(first.Time))

	// A restart right after a report: the bridge reads its last report on
	// chain and does not file before the interval; the requests measured
	// before the restart are kept.
	traffic(b, 1)
	before := qosOf(b).PendingRequests
	require.Positive(t, before)
	b.stop(t)
	b = start()
	require.GreaterOrEqual(t, qosOf(b).PendingRequests, before, "measurements survive the restart")
	third := waitReports(3)[2]
	require.GreaterOrEqual(t, third.Time.Sub(second.Time), qosInterval, "not filed again before the interval after a restart")
	require.Zero(t, qosOf(b).Failed)

	// The chain cannot be reached: the measurements are kept, and filed
	// once it can.
	grpcProxy.Down()
	traffic(b, 2)
	time.Sleep(qosInterval + time.Second)
	require.Len(t, reports(), 3)
	q = qosOf(b)
	require.NotEmpty(t, q.LastError)
	require.GreaterOrEqual(t, q.PendingRequests, uint64(4))
	grpcProxy.Up()
	fourth := waitReports(4)[3]
	require.Eventually(t, func() bool { return qosOf(b).LastReportID == fourth.Id }, 10*time.Second, 50*time.Millisecond)
	matches(fourth, qosOf(b))
	require.Positive(t, fourth.ThroughputKbps, "the transfers made while the chain was away are in it")

	// The consumer closes the deal: it takes no more reports, and the
	// bridge drops what it measured of it rather than trying for ever.
	env.Send("alice", &types.MsgCloseDeal{Sender: accts[1].String(), DealId: deal})
	env.WaitDealState(deal, types.DEAL_STATE_CLOSED, 20*time.Second)
	require.Eventually(t, func() bool {
		return strings.Contains(qosOf(b).LastError, "takes no QoS self-reports any more")
	}, 2*qosInterval+10*time.Second, 200*time.Millisecond, "last error: %s", qosOf(b).LastError)
	require.Len(t, reports(), 4)
}
