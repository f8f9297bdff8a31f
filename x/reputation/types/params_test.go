package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

func TestDefaultParamsFollowTheDocs(t *testing.T) {
	p := types.DefaultParams()
	require.NoError(t, p.Validate())
	require.Equal(t, uint32(50), p.BaselineScore, "docs: baseline 50")
	require.Equal(t, "0.700000000000000000", p.ObjectiveWeight.String(), "docs: 0.7 × objective")
	require.Equal(t, "0.300000000000000000", p.CommunityWeight.String(), "docs: 0.3 × community")
	require.Equal(t, uint32(10), p.MinPublicRatings, "docs: public from 10 ratings")
	require.Equal(t, []int32{1, 2, -1, -2}, []int32{p.DeltaMet, p.DeltaExceeded, p.DeltaMissed, p.DeltaCritical}, "docs: +1 +2 −1 −2")
}

func TestParamsValidate(t *testing.T) {
	dec := sdkmath.LegacyMustNewDecFromStr
	cases := map[string]struct {
		mutate  func(*types.Params)
		wantErr string
	}{
		"weights sum above 1":   {func(p *types.Params) { p.CommunityWeight = dec("0.4") }, "must equal 1"},
		"weights sum below 1":   {func(p *types.Params) { p.ObjectiveWeight = dec("0.5") }, "must equal 1"},
		"negative weight":       {func(p *types.Params) { p.ObjectiveWeight = dec("1.3"); p.CommunityWeight = dec("-0.3") }, "objective_weight"},
		"nil weight":            {func(p *types.Params) { p.CommunityWeight = sdkmath.LegacyDec{} }, "community_weight"},
		"baseline above 100":    {func(p *types.Params) { p.BaselineScore = 101 }, "baseline_score"},
		"no rating threshold":   {func(p *types.Params) { p.MinPublicRatings = 0 }, "min_public_ratings"},
		"negative met delta":    {func(p *types.Params) { p.DeltaMet = -1 }, "delta_met"},
		"exceeded below met":    {func(p *types.Params) { p.DeltaExceeded = 0 }, "delta_exceeded"},
		"positive missed delta": {func(p *types.Params) { p.DeltaMissed = 1 }, "delta_missed"},
		"critical above missed": {func(p *types.Params) { p.DeltaCritical = 0 }, "delta_critical"},
		"huge delta":            {func(p *types.Params) { p.DeltaExceeded = 1000 }, "within"},
		"zero decay period":     {func(p *types.Params) { p.DecayPeriod = 0 }, "decay_period"},
		"decay above scale":     {func(p *types.Params) { p.DecayPoints = 101 }, "decay_points"},
		"zero rating payment":   {func(p *types.Params) { p.MinRatingPayment = sdkmath.ZeroInt() }, "min_rating_payment"},
		"nil rating payment":    {func(p *types.Params) { p.MinRatingPayment = sdkmath.Int{} }, "min_rating_payment"},
		"cap below the minimum": {func(p *types.Params) { p.RatingPaymentCap = p.MinRatingPayment.SubRaw(1) }, "rating_payment_cap"},
		"cap above 10^18":       {func(p *types.Params) { p.RatingPaymentCap = types.MaxRatingPaymentCap.AddRaw(1) }, "rating_payment_cap"},
		"nil cap":               {func(p *types.Params) { p.RatingPaymentCap = sdkmath.Int{} }, "rating_payment_cap"},
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
	p.ObjectiveWeight, p.CommunityWeight = dec("1"), dec("0") // objective only is a valid policy
	require.NoError(t, p.Validate())
	p.MinRatingPayment, p.RatingPaymentCap = sdkmath.OneInt(), sdkmath.OneInt() // flat payment weights are valid
	require.NoError(t, p.Validate())
	p.RatingPaymentCap = types.MaxRatingPaymentCap
	require.NoError(t, p.Validate())
}

// A rating's weight: (verified weight or 1) × min(paid, cap), exact.
func TestRatingWeight(t *testing.T) {
	p := types.DefaultParams() // min 1 FLASH, cap 100 FLASH, verified 1.5
	for _, tc := range []struct {
		verified bool
		paid     int64
		want     string
	}{
		{false, 1_000_000, "1000000"},
		{true, 1_000_000, "1500000"},
		{false, 12_345_678, "12345678"},
		{true, 12_345_679, "18518518.5"},
		{false, 100_000_000, "100000000"},
		{false, 5_000_000_000, "100000000"}, // capped
		{true, 5_000_000_000, "150000000"},  // capped, then the verified weight
	} {
		got := p.RatingWeight(tc.verified, sdkmath.NewInt(tc.paid))
		require.True(t, got.Equal(sdkmath.LegacyMustNewDecFromStr(tc.want)), "verified %t paid %d: got %s", tc.verified, tc.paid, got)
	}
	require.False(t, p.CanRate(sdkmath.NewInt(999_999)))
	require.True(t, p.CanRate(sdkmath.NewInt(1_000_000)))
	require.False(t, p.CanRate(sdkmath.Int{}))
}

func TestGenesisValidate(t *testing.T) {
	require.NoError(t, types.DefaultGenesis().Validate())
	gs := types.DefaultGenesis()
	gs.Params.BaselineScore = 200
	require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis)
}
