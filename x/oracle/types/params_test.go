package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

func TestParamsValidate(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	cases := map[string]struct {
		mutate  func(*types.Params)
		wantErr string
	}{
		"one-block window":        {func(p *types.Params) { p.WindowBlocks = 1 }, "window_blocks"},
		"empty assignment":        {func(p *types.Params) { p.MaxUnitsPerWindow = 0 }, "max_units_per_window"},
		"assignment over the cap": {func(p *types.Params) { p.MaxUnitsPerWindow = types.MaxMeasurements + 1 }, "max_units_per_window"},
		"no retention":            {func(p *types.Params) { p.RecordRetentionWindows = 0 }, "record_retention_windows"},
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
}

func TestGenesisValidate(t *testing.T) {
	require.NoError(t, types.DefaultGenesis().Validate())
	gs := types.DefaultGenesis()
	gs.Params.WindowBlocks = 0
	require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis)
}
