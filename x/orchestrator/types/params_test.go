package types_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	_ "github.com/flashbacknetwork/flashbackd/app" // flash address prefixes
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

func TestDefaultParamsFollowTheDocs(t *testing.T) {
	p := types.DefaultParams()
	require.NoError(t, p.Validate())
	require.Equal(t, "1000000000uflash", p.MinProviderBond.String(), "docs: 1,000 FLASH provider bond")
	require.Equal(t, 30*24*time.Hour, p.ProviderUnbondingPeriod, "docs: 30-day unbonding")
	require.Equal(t, sdkmath.LegacyMustNewDecFromStr("0.005"), p.PlatformFeeRate, "docs: 0.5 % platform fee in FLASH")
	require.Equal(t, time.Hour, p.CriticalDowntimePerDay, "docs: more than 1 h of downtime in 24 h is critical")
	require.Equal(t, types.Sla{MaxLatencyMs: 50, MinUploadKbps: 80_000, MinDownloadKbps: 160_000, MinUptimeBps: 9_995, MaxErrorRateBps: 1},
		p.ReferenceSla, "docs: 50 ms, 10 MB/s up, 20 MB/s down, 99.95 % uptime, 0.01 % errors")
}

func TestParamsValidate(t *testing.T) {
	cases := map[string]struct {
		mutate  func(*types.Params)
		wantErr string
	}{
		"negative platform fee": {func(p *types.Params) { p.PlatformFeeRate = sdkmath.LegacyNewDec(-1) }, "platform_fee_rate"},
		"platform fee of 100 %": {func(p *types.Params) { p.PlatformFeeRate = sdkmath.LegacyOneDec() }, "platform_fee_rate"},
		"nil platform fee":      {func(p *types.Params) { p.PlatformFeeRate = sdkmath.LegacyDec{} }, "platform_fee_rate"},
		"zero provider bond":    {func(p *types.Params) { p.MinProviderBond = sdk.NewInt64Coin("uflash", 0) }, "min_provider_bond"},
		"invalid bond denom":    {func(p *types.Params) { p.MinProviderBond = sdk.Coin{Denom: "!x", Amount: sdkmath.OneInt()} }, "min_provider_bond"},
		"zero unbonding":        {func(p *types.Params) { p.ProviderUnbondingPeriod = 0 }, "provider_unbonding_period"},
		"negative fee amount": {func(p *types.Params) {
			p.UnitSubmissionFee = sdk.Coin{Denom: "uflash", Amount: sdkmath.NewInt(-5)}
		}, "unit_submission_fee"},
		"fee in another denom":            {func(p *types.Params) { p.UnitSubmissionFee = sdk.NewInt64Coin("uatom", 1) }, "marketplace denom"},
		"malformed certifier":             {func(p *types.Params) { p.Certifier = "cosmos1notflash" }, "certifier"},
		"no downtime allowed":             {func(p *types.Params) { p.CriticalDowntimePerDay = 0 }, "critical_downtime_per_day"},
		"a whole day allowed":             {func(p *types.Params) { p.CriticalDowntimePerDay = 24 * time.Hour }, "critical_downtime_per_day"},
		"reference without latency bound": {func(p *types.Params) { p.ReferenceSla.MaxLatencyMs = 0 }, "reference_sla"},
		"reference uptime above 100 %":    {func(p *types.Params) { p.ReferenceSla.MinUptimeBps = 10_001 }, "reference_sla"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := types.DefaultParams()
			tc.mutate(&p)
			err := p.Validate()
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.wantErr)
		})
	}

	p := types.DefaultParams()
	p.UnitSubmissionFee = sdk.NewInt64Coin("uflash", 0) // free submission is allowed
	p.Certifier = sdk.AccAddress(make([]byte, 20)).String()
	require.NoError(t, p.Validate())
}

func TestGenesisValidate(t *testing.T) {
	require.NoError(t, types.DefaultGenesis().Validate())
	gs := types.DefaultGenesis()
	gs.Params.PlatformFeeRate = sdkmath.LegacyNewDec(-1)
	require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis)
}

func TestMsgUpdateParamsValidateBasic(t *testing.T) {
	gov := sdk.AccAddress(make([]byte, 20)).String()
	require.NoError(t, (&types.MsgUpdateParams{Authority: gov, Params: types.DefaultParams()}).ValidateBasic())
	require.Error(t, (&types.MsgUpdateParams{Authority: "bad", Params: types.DefaultParams()}).ValidateBasic())
	bad := types.DefaultParams()
	bad.PlatformFeeRate = sdkmath.LegacyNewDec(2)
	require.ErrorIs(t, (&types.MsgUpdateParams{Authority: gov, Params: bad}).ValidateBasic(), types.ErrInvalidParams)
}
