package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/network"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// TestRESTEnumFiltersTakeNames queries every enum filter of the REST API on a
// live node by the names the OpenAPI spec lists (and by number, as before).
// Before the fix every name answered 400 `strconv.ParseInt`. The same
// network then shows the marketplace's Prometheus metrics.
func TestRESTEnumFiltersTakeNames(t *testing.T) {
	cfg := network.DefaultConfig(t)
	// Two disputes in genesis: one open, one rejected.
	var rep reputationtypes.GenesisState
	cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[reputationtypes.ModuleName], &rep)
	filed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	someone := sdk.AccAddress(make([]byte, 20)).String()
	rep.Disputes = []reputationtypes.Dispute{
		{Id: 1, Provider: someone, Kind: reputationtypes.DISPUTE_KIND_RATING, DealId: 7, Status: reputationtypes.DISPUTE_STATUS_OPEN, FiledAt: filed, Restitution: sdkmath.ZeroInt(), Shortfall: sdkmath.ZeroInt()},
		{Id: 2, Provider: someone, Kind: reputationtypes.DISPUTE_KIND_RATING, DealId: 8, Status: reputationtypes.DISPUTE_STATUS_REJECTED, FiledAt: filed, Restitution: sdkmath.ZeroInt(), Shortfall: sdkmath.ZeroInt()},
	}
	rep.NextDisputeId = 3
	cfg.GenesisState[reputationtypes.ModuleName] = cfg.Codec.MustMarshalJSON(&rep)
	net := network.New(t, cfg)
	val := net.Validators[0]

	// An S3 unit and a pending deal on it.
	record, _, err := val.ClientCtx.Keyring.NewMnemonic("party", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	require.NoError(t, err)
	party, err := record.GetAddress()
	require.NoError(t, err)
	send := func(from string, msgs ...sdk.Msg) {
		t.Helper()
		res := network.BroadcastTx(t, net, val, from, msgs...)
		require.Zero(t, res.Code, res.RawLog)
	}
	send(val.Moniker, banktypes.NewMsgSend(val.Address, party, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 5_000_000_000))))
	sla := orchestratortypes.Sla{MaxLatencyMs: 100, MinUploadKbps: 1000, MinDownloadKbps: 1000, MinUptimeBps: 9900, MaxErrorRateBps: 100}
	send("party",
		&orchestratortypes.MsgRegisterProvider{Owner: party.String(), Name: "Acme", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)},
		&orchestratortypes.MsgCreateDataUnit{
			Provider: party.String(), CapacityGb: 1000, PricePerGbMonth: sdkmath.NewInt(20_000), Region: "eu-west", Country: "FR",
			Api: orchestratortypes.API_COMPATIBILITY_S3, Endpoint: "https://s3.acme.example/u1", Sla: sla,
		},
	)
	send(val.Moniker, &orchestratortypes.MsgRegisterConsumer{Owner: val.Address.String()})
	send(val.Moniker, &orchestratortypes.MsgRequestDeal{
		Consumer: val.Address.String(), UnitId: 1, CapacityGb: 10, Term: 720 * time.Hour, Sla: sla,
		Deposit: sdk.NewInt64Coin(app.BondDenom, 200_000),
	})

	units := func(query string) int {
		var out orchestratortypes.QueryDataUnitsResponse
		getREST(t, val, "/flashback/orchestrator/v1/data_units?"+query, &out)
		return len(out.DataUnits)
	}
	deals := func(query string) int {
		var out orchestratortypes.QueryDealsResponse
		getREST(t, val, "/flashback/orchestrator/v1/deals?"+query, &out)
		return len(out.Deals)
	}
	disputes := func(query string) int {
		var out reputationtypes.QueryDisputesResponse
		getREST(t, val, "/flashback/reputation/v1/disputes?"+query, &out)
		return len(out.Disputes)
	}

	// data_units?api=
	require.Equal(t, 1, units("api=API_COMPATIBILITY_S3"))
	require.Equal(t, 0, units("api=API_COMPATIBILITY_GCS"))
	require.Equal(t, 1, units("api=1"), "numbers still work")
	// data_units?state= (the pending request reserves the unit)
	require.Equal(t, 1, units("state=DATA_UNIT_STATE_RESERVED"))
	require.Equal(t, 0, units("state=DATA_UNIT_STATE_AVAILABLE"))
	require.Equal(t, 1, units("api=API_COMPATIBILITY_S3&state=DATA_UNIT_STATE_RESERVED&region=eu-west"))
	// deals?state=
	require.Equal(t, 1, deals("state=DEAL_STATE_PENDING"))
	require.Equal(t, 0, deals("state=DEAL_STATE_ACTIVE"))
	require.Equal(t, 1, deals("state=DEAL_STATE_PENDING&consumer="+val.Address.String()))
	require.Equal(t, 1, deals("state=1"))
	// disputes?status=
	require.Equal(t, 1, disputes("status=DISPUTE_STATUS_OPEN"))
	require.Equal(t, 1, disputes("status=DISPUTE_STATUS_REJECTED"))
	require.Equal(t, 0, disputes("status=DISPUTE_STATUS_UPHELD"))
	require.Equal(t, 1, disputes("status=DISPUTE_STATUS_OPEN&provider="+someone))

	// A name the enum does not have is still a 400 that names the problem.
	resp, err := http.Get(val.APIAddress + "/flashback/orchestrator/v1/deals?state=DEAL_STATE_BOGUS")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.True(t, strings.Contains(string(body), "DEAL_STATE_BOGUS"), string(body))

	// The marketplace metrics, read from the committed state on scrape.
	families, err := prometheus.DefaultGatherer.Gather()
	require.NoError(t, err)
	metric := func(name, state string) float64 {
		for _, f := range families {
			if f.GetName() != name {
				continue
			}
			for _, m := range f.GetMetric() {
				if state == "" || (len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == state) {
					return m.GetGauge().GetValue()
				}
			}
		}
		require.Failf(t, "no metric", "%s{state=%q}", name, state)
		return 0
	}
	require.Equal(t, 1.0, metric("flashback_marketplace_deals", "pending"))
	require.Equal(t, 0.0, metric("flashback_marketplace_deals", "active"))
	require.Equal(t, 1.0, metric("flashback_marketplace_data_units", "reserved"))
	require.Equal(t, 200_000.0, metric("flashback_marketplace_escrow_held_uflash", ""))
	require.Equal(t, 1_000_000_000.0, metric("flashback_marketplace_bonds_held_uflash", ""))
	require.Equal(t, 0.0, metric("flashback_marketplace_due_backlog", ""))
	require.Positive(t, metric("flashback_marketplace_height", ""))
}
