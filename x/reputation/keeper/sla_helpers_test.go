package keeper_test

import (
	"github.com/stretchr/testify/require"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

func (s *suite) orchParams() orchtypes.Params {
	s.t.Helper()
	p, err := s.app.OrchestratorKeeper.Params.Get(s.ctx())
	require.NoError(s.t, err)
	return p
}
