package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/flashbacknetwork/flashbackd/api/bridge/autopilot"
	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/server"
	"github.com/flashbacknetwork/flashbackd/api/client"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/api/layout"
	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/network"
	"github.com/flashbacknetwork/flashbackd/testutil/providertest"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// slaEpoch is the test's short SLA epoch.
const slaEpoch = "sla-test"

// TestAutopilotOverProviderNodes: a live chain whose validator probes the
// units (8 s SLA epochs), three provider nodes in their own processes
// (units 1 eu-west/FR, 2 us-east/US, 3 eu-west/DE, one price). bridge
// reserve --replicas 2 --api s3 reserves deals on units 1 and 2 (the
// second in a new region) into a new mirror repository; bad input and too
// few candidates request nothing. The bridge serves it with the autopilot
// on; the node of unit 1 is killed, the validator's probes fail, unit 1's
// verdict turns CRITICAL, and the autopilot reserves a deal on unit 3 (with
// the repository's filters, TestReplacementKeepsTheFilters), copies every
// object to it from deal 2, drops and closes the old deal, and rewrites
// bridge.toml.
// The objects read from the new deal directly. The budget, sized for three
// deals, then refuses a fourth with a clear error and status, and nothing
// is requested.
func TestAutopilotOverProviderNodes(t *testing.T) {
	env := providertest.Start(t, func(cfg *network.Config) {
		var epochs epochstypes.GenesisState
		cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[epochstypes.ModuleName], &epochs)
		epochs.Epochs = append(epochs.Epochs, epochstypes.NewGenesisEpochInfo(slaEpoch, 8*time.Second))
		cfg.GenesisState[epochstypes.ModuleName] = cfg.Codec.MustMarshalJSON(&epochs)
		var orch types.GenesisState
		cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[types.ModuleName], &orch)
		orch.Params.SlaEpochIdentifier = slaEpoch
		// CRITICAL below 1/6 uptime: a dead node (0 %) is, a healthy node
		// whose check failed once on a loaded machine in an 8 s epoch is not.
		// Why not the default 1 h: an epoch of 8 s holds about 8 checks
		// (probe-interval 1 s), so one failed check is 1/8 downtime — 3 h
		// a day, CRITICAL against 1 h (the chain's evaluation is exact:
		// types.CriticalDowntime); and on a loaded machine a healthy
		// node's check does fail now and then: the prober counts a check
		// still unanswered at a window's end after its 1 s grace
		// (x/oracle/prober, withUnansweredCheck) or past check-timeout as
		// failed. With a day's epoch one such check is ~1 min of downtime.
		orch.Params.CriticalDowntimePerDay = 20 * time.Hour
		cfg.GenesisState[types.ModuleName] = cfg.Codec.MustMarshalJSON(&orch)
		var oracle oracletypes.GenesisState
		cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[oracletypes.ModuleName], &oracle)
		oracle.Params.WindowBlocks = 5
		oracle.Params.SummaryBucketDuration = time.Second
		oracle.Params.SummaryRetention = time.Hour
		cfg.GenesisState[oracletypes.ModuleName] = cfg.Codec.MustMarshalJSON(&oracle)
		network.EnableProber(cfg, map[string]any{"probe-interval": "1s", "allow-private-endpoints": true})
	})
	ctx := context.Background()
	accts := env.NewAccounts("p1", "p2", "p3", "alice")
	places := []struct{ region, country string }{{"eu-west", "FR"}, {"us-east", "US"}, {"eu-west", "DE"}}
	var nodes []*providerProcess
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("p%d", i)
		env.Send(name, &types.MsgRegisterProvider{Owner: accts[i-1].String(), Name: name, Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)})
		ncfg := env.NodeConfig(t.TempDir(), name, uint64(i))
		ncfg.Withdraw.Interval.Duration = 0
		env.Send(name, &types.MsgCreateDataUnit{
			Provider: accts[i-1].String(), CapacityGb: 1000, PricePerGbMonth: providertest.PricePerGBSecond1000,
			Region: places[i-1].region, Country: places[i-1].country, Api: types.API_COMPATIBILITY_S3,
			Endpoint: layout.UnitEndpoint(ncfg.Server.PublicURL, uint64(i)), Sla: providertest.SLA,
		})
		nodes = append(nodes, startProvider(t, ncfg))
	}
	alice := env.Consumer("alice", accts[3], t.TempDir(), true)
	key, err := dealauth.LoadKey(alice.KeyFile)
	require.NoError(t, err)
	cc := env.Val.ClientCtx
	c, err := client.New(client.Config{
		GRPCAddress: env.Val.AppConfig.GRPC.Address, RPCAddress: env.Val.RPCAddress, ChainID: env.ChainID,
		Keyring: cc.Keyring, KeyName: "alice", AccessKey: key, Codec: cc.Codec, InterfaceRegistry: cc.InterfaceRegistry, TxConfig: cc.TxConfig,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })

	// One deal of 1 GB for 10 minutes costs 1,000 uflash a second: 600,000.
	const deposit = 600_000
	cfg := config.Default(env.KeyringDir())
	cfg.Chain.GRPCAddress, cfg.Chain.RPCAddress, cfg.Chain.ChainID = env.Val.AppConfig.GRPC.Address, env.Val.RPCAddress, env.ChainID
	cfg.Chain.KeyringBackend, cfg.Chain.KeyName = "test", "alice"
	cfg.Chain.PollInterval.Duration = 300 * time.Millisecond
	cfg.Server.Listen, cfg.Server.StatusListen = providertest.FreeAddr(t), providertest.FreeAddr(t)
	cfg.Server.AccessKeyFile = alice.KeyFile
	cfg.Mirror.HealthInterval.Duration = 300 * time.Millisecond
	cfg.Mirror.FailuresToDown = 2
	cfg.Mirror.FailoverAfter.Duration = 3 * time.Second
	cfg.Mirror.WriteTimeout.Duration = 20 * time.Second
	cfg.Mirror.RepairInterval.Duration = 500 * time.Millisecond
	cfg.Autopilot.Enabled = true
	cfg.Autopilot.Interval.Duration = time.Second
	cfg.Autopilot.BudgetUflash = fmt.Sprint(3 * deposit)
	cfg.Autopilot.RenewMargin.Duration = time.Second
	cfg.Autopilot.TopUpMargin.Duration = 0
	cfg.Autopilot.AcceptTimeout.Duration = 30 * time.Second
	appKey, err := config.NewKey("app", false)
	require.NoError(t, err)
	cfg.Keys = []config.Key{appKey}
	home := t.TempDir()
	cfg = cfg.WithHome(home)
	path := filepath.Join(home, config.FileName)
	require.NoError(t, config.Write(path, cfg))
	logger := log.NewTestLoggerInfo(t)

	dealsOfAlice := func() int {
		res, err := env.Q.Deals(ctx, &types.QueryDealsRequest{Consumer: accts[3].String()})
		require.NoError(t, err)
		return len(res.Deals)
	}
	plan := func(repoName string, replicas int, region string) autopilot.Plan {
		a := cfg.Autopilot
		return autopilot.Plan{Repository: repoName, CapacityGB: 1, Term: 10 * time.Minute, Replicas: replicas, Filter: client.Filter{Region: region},
			Weights: autopilot.Weights{Score: a.WeightScore, Price: a.WeightPrice, Diversity: a.WeightDivers}, AcceptTimeout: a.AcceptTimeout.Duration}
	}

	// Bad input and too few candidates: clear errors, nothing requested.
	p := plan("media", 3, "eu-west")
	_, err = server.Reserve(ctx, path, c, p, logger)
	require.ErrorContains(t, err, "3 replicas requested, but only 2 units match the filters and have 1 GB free (units 1, 3)")
	p = plan("media", 1, "")
	p.CapacityGB = 0
	_, err = server.Reserve(ctx, path, c, p, logger)
	require.ErrorContains(t, err, "capacity: must be at least 1 GB")
	p = plan("media", 1, "")
	p.Filter.API = "nfs"
	_, err = server.Reserve(ctx, path, c, p, logger)
	require.ErrorContains(t, err, `unknown API "nfs"`)
	require.Zero(t, dealsOfAlice())

	// The client library hears a decline with the provider's reason: unit
	// 2's node has no room for 900 GB (its disk is smaller).
	_, err = c.Reserve(ctx, client.Request{UnitID: 2, CapacityGB: 900, Term: 5 * time.Second, SLA: providertest.SLA}, 30*time.Second)
	var declined *client.DeclinedError
	require.ErrorAs(t, err, &declined)
	require.Equal(t, types.CLOSE_REASON_DECLINED, declined.Close)
	require.Contains(t, declined.Reason, "unit 2 has room for")
	require.ErrorContains(t, err, "the provider of unit 2 declined it: unit 2 has room for")
	require.Equal(t, types.DEAL_STATE_CLOSED, env.Deal(declined.DealID).Deal.State, "declined: the deposit is refunded")

	// bridge reserve --replicas 2 --api s3: units 1 and 2 (region
	// diversity). The replacement below keeps the filter (an s3 unit).
	p = plan("media", 2, "")
	p.Filter.API = "s3"
	got, err := server.Reserve(ctx, path, c, p, logger)
	require.NoError(t, err)
	require.Len(t, got, 2)
	units := map[uint64]uint64{} // unit → deal
	for _, g := range got {
		require.Equal(t, types.DEAL_STATE_ACTIVE, g.Deal.State)
		require.Equal(t, sdkmath.NewInt(deposit), g.Deposit)
		units[g.Unit.Id] = g.Deal.Id
	}
	require.Contains(t, units, uint64(1))
	require.Contains(t, units, uint64(2))
	cfg, err = config.Load(path)
	require.NoError(t, err)
	require.Len(t, cfg.Repositories, 1)
	require.Equal(t, config.ModeMirror, cfg.Repositories[0].Mode)
	require.ElementsMatch(t, []uint64{units[1], units[2]}, cfg.Repositories[0].Deals)

	// Serve it with the autopilot, and put some objects.
	b := startBridgeWith(t, cfg, server.Options{Consumer: accts[3].String(), Logger: log.NewTestLoggerInfo(t), Client: c,
		Keyring: testKeyring(t, cfg), ReceiptInterval: 300 * time.Millisecond})
	s3c := providertest.S3("http://"+b.Addr(), dealauth.Credentials{AccessKeyID: appKey.AccessKeyID, SecretAccessKey: appKey.SecretAccessKey})
	bodies := map[string][]byte{}
	for i := range 5 {
		k := fmt.Sprintf("obj-%d", i)
		bodies[k] = bytes.Repeat([]byte{byte('a' + i)}, 1000*(i+1))
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String(k), Body: bytes.NewReader(bodies[k])})
		require.NoError(t, err)
	}
	b.waitIdle(t)

	// Unit 1's node dies: the validator's probes fail, the unit turns
	// CRITICAL, and the autopilot replaces its deal.
	killed := time.Now()
	nodes[0].kill()
	var replaced autopilot.Decision
	require.Eventually(t, func() bool {
		st := b.Status()
		for _, d := range st.Autopilot.Decisions {
			if d.Action == autopilot.ActionReplaced {
				replaced = d
				return true
			}
		}
		return false
	}, 3*time.Minute, 500*time.Millisecond, "the autopilot never replaced the deal on unit 1")
	t.Logf("node of unit 1 killed → deal %d replaced by deal %d (objects copied) in %s", replaced.Deal, replaced.NewDeal, time.Since(killed).Round(100*time.Millisecond))
	require.Equal(t, units[1], replaced.Deal)
	require.Equal(t, uint64(3), replaced.Unit, "unit 3 is the only other candidate")
	st := b.Status()
	var why string
	for _, d := range st.Autopilot.Decisions {
		if d.Action == autopilot.ActionReplace {
			why = d.Reason
		}
	}
	require.Contains(t, why, "unit 1's last SLA verdict")
	require.Contains(t, why, "is CRITICAL")
	var inRepo []uint64
	for _, d := range st.Repositories[0].Deals {
		inRepo = append(inRepo, d.Deal)
	}
	require.ElementsMatch(t, []uint64{units[2], replaced.NewDeal}, inRepo)

	// Every object reads through the bridge and directly from the new deal.
	access, err := c.DealAccess(ctx, replaced.NewDeal)
	require.NoError(t, err)
	direct := providertest.S3(access.Endpoint, access.Credentials)
	for k, want := range bodies {
		for _, cl := range []struct {
			c      *s3.Client
			bucket string
		}{{s3c, "media"}, {direct, access.Bucket}} {
			out, err := cl.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(cl.bucket), Key: aws.String(k)})
			require.NoError(t, err, k)
			gotBody, err := io.ReadAll(out.Body)
			out.Body.Close()
			require.NoError(t, err)
			require.Equal(t, want, gotBody, k)
		}
	}
	// Reads the new deal serves through the bridge are receipted (the
	// autopilot gave its meter the deal): with unit 2's node gone too, the
	// new deal serves them, and its provider bills the bridge's receipts.
	nodes[1].kill()
	require.Eventually(t, func() bool {
		for _, d := range b.Status().Repositories[0].Deals {
			if d.Deal == units[2] {
				return !d.Up
			}
		}
		return false
	}, 20*time.Second, 100*time.Millisecond, "the deal on unit 2 is never seen down")
	out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("media"), Key: aws.String("obj-4")})
	require.NoError(t, err)
	gotBody, err := io.ReadAll(out.Body)
	out.Body.Close()
	require.NoError(t, err)
	require.Equal(t, bodies["obj-4"], gotBody)
	require.Eventually(t, func() bool { return env.Deal(replaced.NewDeal).Deal.EgressBilledBytes >= uint64(len(gotBody)) }, 30*time.Second, 200*time.Millisecond,
		"the new deal's reads are billed from the bridge's receipts")

	// The old deal is closed; bridge.toml names the new one.
	env.WaitDealState(units[1], types.DEAL_STATE_CLOSED, 30*time.Second)
	cfg, err = config.Load(path)
	require.NoError(t, err)
	require.ElementsMatch(t, []uint64{units[2], replaced.NewDeal}, cfg.Repositories[0].Deals)

	// The budget covered three deals: a fourth is refused before anything
	// is requested, and the status says so.
	before := dealsOfAlice()
	_, err = server.Reserve(ctx, path, c, plan("extra", 1, ""), logger)
	require.ErrorIs(t, err, autopilot.ErrBudget)
	require.ErrorContains(t, err, "nothing was requested")
	require.Equal(t, before, dealsOfAlice())
	st = b.Status()
	require.Equal(t, "0", st.Autopilot.Left)
	require.Contains(t, st.Autopilot.Exhausted, "budget is exhausted")
	_, err = os.Stat(filepath.Join(cfg.Path(cfg.Server.DataDir), autopilot.LedgerFile))
	require.NoError(t, err)

	// The same repository embedded in an app (the client library), on the
	// bridge's record once the bridge is stopped: get, put, list.
	b.stop(t)
	rp, err := c.OpenRepository(ctx, "media", cfg.Repositories[0].Deals, client.RepositoryOptions{Dir: cfg.Path(cfg.Server.DataDir), Quorum: 1})
	require.NoError(t, err)
	rd, err := rp.Get(ctx, "obj-2")
	require.NoError(t, err)
	gotBody, err = io.ReadAll(rd)
	require.NoError(t, err)
	rd.Close()
	require.Equal(t, bodies["obj-2"], gotBody)
	_, err = rp.Put(ctx, "from-the-library", bytes.NewReader([]byte("hello")), 5)
	require.NoError(t, err)
	list, err := rp.List(ctx, "")
	require.NoError(t, err)
	require.Len(t, list, 6)
	require.NoError(t, rp.Close())
}
