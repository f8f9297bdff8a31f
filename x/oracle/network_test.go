package oracle_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/network"
	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// slaTestEpoch is a short x/epochs epoch for the SLA checks of this test.
const slaTestEpoch = "sla-test"

// TestBlackHoledEndpointIsCriticalOnNetwork runs a real in-process chain
// whose validator probes a data unit served by an endpoint that accepts
// TCP connections and never answers. With the prober's default timeouts
// (5 s per request and per check) no check can finish inside a 5-block
// window; the validator still reports the unit down (uptime 0, error rate
// 100 %) because a check running unanswered at the window's end counts as
// failed, the chain records that, and the epoch's SLA check of the unit is
// CRITICAL: the provider's bond is slashed and the unit's score falls.
func TestBlackHoledEndpointIsCriticalOnNetwork(t *testing.T) {
	hole, err := probetarget.StartBlackHole()
	require.NoError(t, err)
	t.Cleanup(func() { _ = hole.Close() })

	cfg := network.DefaultConfig(t)
	var epochs epochstypes.GenesisState
	cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[epochstypes.ModuleName], &epochs)
	epochs.Epochs = append(epochs.Epochs, epochstypes.NewGenesisEpochInfo(slaTestEpoch, 8*time.Second))
	cfg.GenesisState[epochstypes.ModuleName] = cfg.Codec.MustMarshalJSON(&epochs)
	var orch orchestratortypes.GenesisState
	cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[orchestratortypes.ModuleName], &orch)
	orch.Params.SlaEpochIdentifier = slaTestEpoch
	cfg.GenesisState[orchestratortypes.ModuleName] = cfg.Codec.MustMarshalJSON(&orch)
	var oracle oracletypes.GenesisState
	cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[oracletypes.ModuleName], &oracle)
	oracle.Params.WindowBlocks = 5
	oracle.Params.SummaryBucketDuration = time.Second
	oracle.Params.SummaryRetention = time.Hour
	cfg.GenesisState[oracletypes.ModuleName] = cfg.Codec.MustMarshalJSON(&oracle)
	// Production timeouts; checks start soon after an assignment; the unit
	// listens on 127.0.0.1.
	network.EnableProber(&cfg, map[string]any{"probe-interval": "1s", "allow-private-endpoints": true})

	net := network.New(t, cfg)
	val := net.Validators[0]
	conn, err := grpc.NewClient(val.AppConfig.GRPC.Address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	ctx := context.Background()
	orchQ, oracleQ := orchestratortypes.NewQueryClient(conn), oracletypes.NewQueryClient(conn)

	rec, _, err := val.ClientCtx.Keyring.NewMnemonic("provider", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	require.NoError(t, err)
	provider, err := rec.GetAddress()
	require.NoError(t, err)
	send := func(from string, msgs ...sdk.Msg) {
		t.Helper()
		res := network.BroadcastTx(t, net, val, from, msgs...)
		require.Zero(t, res.Code, res.RawLog)
	}
	send(val.Moniker, banktypes.NewMsgSend(val.Address, provider, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 5_000_000_000))))
	send("provider", &orchestratortypes.MsgRegisterProvider{
		Owner: provider.String(), Name: "Hole", Country: "FR", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000),
	})
	send("provider", &orchestratortypes.MsgCreateDataUnit{
		Provider: provider.String(), CapacityGb: 100, PricePerGbMonth: sdkmath.NewInt(2_592_000),
		Region: "eu-west", Country: "FR", Api: orchestratortypes.API_COMPATIBILITY_S3, Endpoint: hole.URL() + "/unit1",
		Sla: orchestratortypes.Sla{MaxLatencyMs: 200, MinUploadKbps: 100, MinDownloadKbps: 100, MinUptimeBps: 9900, MaxErrorRateBps: 100},
	})
	units, err := orchQ.DataUnits(ctx, &orchestratortypes.QueryDataUnitsRequest{})
	require.NoError(t, err)
	require.Len(t, units.DataUnits, 1)
	unitID := units.DataUnits[0].Id

	// The validator reports the unit down: the chain records it.
	var record oracletypes.QoSRecord
	require.Eventually(t, func() bool {
		res, err := oracleQ.LatestQoS(ctx, &oracletypes.QueryLatestQoSRequest{UnitId: unitID})
		if err != nil {
			return false
		}
		record = res.Record
		return true
	}, 30*time.Second, 250*time.Millisecond, "no QoS record for the black-holed unit")
	require.Zero(t, record.UptimeBps, "%+v", record)
	require.Equal(t, uint32(10000), record.ErrorRateBps, "%+v", record)
	require.Positive(t, hole.Accepted(), "the prober connected to the endpoint")

	// The next SLA check of the unit is CRITICAL, with the slash it brings.
	var verdict orchestratortypes.UnitVerdict
	require.Eventually(t, func() bool {
		res, err := orchQ.UnitVerdicts(ctx, &orchestratortypes.QueryUnitVerdictsRequest{UnitId: unitID})
		if err != nil {
			return false
		}
		for _, v := range res.Verdicts {
			require.NotEqual(t, orchestratortypes.SLA_VERDICT_MET, v.Verdict, "%+v", v)
			require.NotEqual(t, orchestratortypes.SLA_VERDICT_EXCEEDED, v.Verdict, "%+v", v)
			if v.Verdict == orchestratortypes.SLA_VERDICT_CRITICAL {
				verdict = v
				return true
			}
		}
		return false
	}, 40*time.Second, 500*time.Millisecond, "no CRITICAL verdict for the black-holed unit")
	require.Positive(t, verdict.Qos.Records)
	require.Zero(t, verdict.Qos.UptimeBps)
	require.True(t, verdict.Slashed.IsPositive(), "%+v", verdict)
	require.Less(t, verdict.ScoreAfter, verdict.ScoreBefore, "%+v", verdict)
}
