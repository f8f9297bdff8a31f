package app

import (
	servertypes "github.com/cosmos/cosmos-sdk/server/types"

	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationkeeper "github.com/flashbacknetwork/flashbackd/x/reputation/keeper"
)

// ReputationHooksOption is the app option under which a Go test wraps the
// x/reputation hooks that SLA enforcement tells (a func given x/reputation's
// keeper, returning the orchestratortypes.ReputationHooks to wire), so that
// x/orchestrator's tests can run SLA rounds against a stand-in scorer
// through the real wiring. As with OracleReaderOption, a node's options
// cannot hold such a Go value: a node always tells x/reputation.
const ReputationHooksOption = "flashback.test-reputation-hooks"

// reputationHooks is what SLA enforcement tells: x/reputation, unless a test
// set ReputationHooksOption.
func reputationHooks(appOpts servertypes.AppOptions, k reputationkeeper.Keeper) orchestratortypes.ReputationHooks {
	if wrap, ok := appOpts.Get(ReputationHooksOption).(func(orchestratortypes.ReputationHooks) orchestratortypes.ReputationHooks); ok {
		return wrap(k)
	}
	return k
}
