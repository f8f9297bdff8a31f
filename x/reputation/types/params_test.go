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
}

func TestGenesisValidate(t *testing.T) {
	require.NoError(t, types.DefaultGenesis().Validate())
	gs := types.DefaultGenesis()
	gs.Params.BaselineScore = 200
	require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis)
}
