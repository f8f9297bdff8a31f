package reputation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/cmd/flashbackd/cmd"
	"github.com/flashbacknetwork/flashbackd/testutil/network"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// fastEpoch is a short x/epochs epoch added to the test genesis so that SLA
// rounds (and so unit scores) come within seconds, not a day.
const fastEpoch = "fast"

// TestLeaderboardAgreesWithProviderScoreOnNetwork registers a provider on a
// real in-process network and reads its rank two ways — the ProviderScore
// query and the Leaderboard — over gRPC, REST and the CLI: first before any
// verdict (registered, no unit yet: the state of a fresh localnet before its
// first daily SLA epoch; the provider is at the baseline but unranked, and
// the leaderboard is empty — provider-score used to say rank 1), then once
// its data unit has a score (ranked 1st in both).
func TestLeaderboardAgreesWithProviderScoreOnNetwork(t *testing.T) {
	cfg := network.DefaultConfig(t)
	var eg epochstypes.GenesisState
	cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[epochstypes.ModuleName], &eg)
	eg.Epochs = append(eg.Epochs, epochstypes.NewGenesisEpochInfo(fastEpoch, 4*time.Second))
	cfg.GenesisState[epochstypes.ModuleName] = cfg.Codec.MustMarshalJSON(&eg)
	var og orchtypes.GenesisState
	cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[orchtypes.ModuleName], &og)
	og.Params.SlaEpochIdentifier = fastEpoch
	cfg.GenesisState[orchtypes.ModuleName] = cfg.Codec.MustMarshalJSON(&og)
	var rg types.GenesisState
	cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[types.ModuleName], &rg)
	rg.Params.RewardEpochIdentifier = fastEpoch
	cfg.GenesisState[types.ModuleName] = cfg.Codec.MustMarshalJSON(&rg)

	net := network.New(t, cfg)
	val := net.Validators[0]
	ctx := context.Background()
	conn, err := grpc.NewClient(val.AppConfig.GRPC.Address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	q := types.NewQueryClient(conn)

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
	send("provider", &orchtypes.MsgRegisterProvider{Owner: provider.String(), Name: "Acme", Country: "FR", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)})

	// Every way of reading the rank must tell the same story.
	type view struct {
		rank    uint64 // 0: unranked
		overall uint32
		board   []types.LeaderboardEntry
		total   uint64
	}
	read := func() (grpcView, restView, cliView view) {
		t.Helper()
		ps, err := q.ProviderScore(ctx, &types.QueryProviderScoreRequest{Provider: provider.String()})
		require.NoError(t, err)
		lb, err := q.Leaderboard(ctx, &types.QueryLeaderboardRequest{Pagination: &queryPage})
		require.NoError(t, err)
		grpcView = view{ps.Rank, ps.Score.Overall, lb.Entries, lb.Pagination.Total}

		var restPS types.QueryProviderScoreResponse
		getREST(t, val, "/flashback/reputation/v1/providers/"+provider.String(), &restPS)
		var restLB types.QueryLeaderboardResponse
		getREST(t, val, "/flashback/reputation/v1/leaderboard?pagination.count_total=true", &restLB)
		restView = view{restPS.Rank, restPS.Score.Overall, restLB.Entries, restLB.Pagination.Total}

		var cliPS types.QueryProviderScoreResponse
		runCLI(t, val, &cliPS, "q", "reputation", "provider-score", provider.String())
		var cliLB types.QueryLeaderboardResponse
		runCLI(t, val, &cliLB, "q", "reputation", "leaderboard", "--page-count-total")
		cliView = view{cliPS.Rank, cliPS.Score.Overall, cliLB.Entries, cliLB.Pagination.Total}
		return grpcView, restView, cliView
	}
	agree := func(step string, ranked bool) view {
		t.Helper()
		g, r, c := read()
		for name, v := range map[string]view{"gRPC": g, "REST": r, "CLI": c} {
			if !ranked {
				require.Zero(t, v.rank, "%s %s: an unranked provider has rank 0", step, name)
				require.Empty(t, v.board, "%s %s: and no leaderboard entry", step, name)
				require.Zero(t, v.total, "%s %s", step, name)
				continue
			}
			require.Len(t, v.board, 1, "%s %s: %+v", step, name, v)
			require.Equal(t, provider.String(), v.board[0].Provider, "%s %s", step, name)
			require.Equal(t, v.rank, v.board[0].Rank, "%s %s: provider-score and leaderboard ranks agree", step, name)
			require.Equal(t, v.overall, v.board[0].Overall, "%s %s", step, name)
			require.Equal(t, uint64(1), v.rank, "%s %s", step, name)
			require.Equal(t, uint64(1), v.total, "%s %s", step, name)
		}
		return g
	}

	// Registered, no unit, so no verdict yet: at the baseline, unranked.
	before := agree("before any verdict", false)
	require.Equal(t, rg.Params.BaselineScore, before.overall)

	send("provider", &orchtypes.MsgCreateDataUnit{
		Provider: provider.String(), CapacityGb: 1000, PricePerGbMonth: sdkmath.NewInt(20_000),
		Region: "eu-west", Country: "FR", Api: orchtypes.API_COMPATIBILITY_S3, Endpoint: "https://s3.acme.example/u1",
		Sla: orchtypes.Sla{MaxLatencyMs: 100, MinUploadKbps: 1000, MinDownloadKbps: 1000, MinUptimeBps: 9900, MaxErrorRateBps: 100},
	})

	// The first SLA epoch grades the unit (UNKNOWN here: no prober runs), so
	// the unit and its provider get a score and a place on the leaderboard.
	require.Eventually(t, func() bool {
		_, err := q.UnitScore(ctx, &types.QueryUnitScoreRequest{UnitId: 1})
		return err == nil
	}, 60*time.Second, 500*time.Millisecond, "the unit never got a score")
	after := agree("after the first verdict", true)
	require.Equal(t, rg.Params.BaselineScore, after.overall)
}

// queryPage asks for the total too (from the per-score counts).
var queryPage = query.PageRequest{CountTotal: true}

func getREST(t *testing.T, val *network.Validator, path string, out proto.Message) {
	t.Helper()
	resp, err := http.Get(val.APIAddress + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.NoError(t, val.ClientCtx.Codec.UnmarshalJSON(body, out), string(body))
}

// runCLI runs a flashbackd query command against the validator's RPC, as
// the binary would, and decodes its JSON output.
func runCLI(t *testing.T, val *network.Validator, out proto.Message, args ...string) {
	t.Helper()
	root := cmd.NewRootCmd()
	var buf bytes.Buffer
	root.SetOut(&buf)
	root.SetErr(&buf)
	root.SetArgs(append(args, "--node", val.RPCAddress, "--output", "json", "--home", t.TempDir()))
	require.NoError(t, svrcmd.Execute(root, "FLASHBACKD", app.DefaultNodeHome), "flashbackd %v\n%s", args, buf.String())
	// AutoCLI prints the response as proto JSON.
	require.True(t, json.Valid(buf.Bytes()), "not JSON: %s", buf.String())
	require.NoError(t, val.ClientCtx.Codec.UnmarshalJSON(buf.Bytes(), out), buf.String())
}
