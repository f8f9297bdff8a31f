package types

import (
	"context"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// OracleReader is what SLA enforcement reads from x/oracle: the QoS the
// validators agreed on for a unit over a period.
type OracleReader interface {
	UnitSummary(ctx context.Context, unitID uint64, from, to time.Time) (oracletypes.QoSSummary, error)
}

// ReputationHooks is what x/orchestrator tells x/reputation, which scores
// and rewards, and the little it reads of it. x/reputation implements it;
// x/orchestrator never imports it. The app sets it once (SetSlaModules).
// Money stays where it is owned: the orchestrator moves bonds and escrow,
// and pays x/reputation only into the reward pool.
type ReputationHooks interface {
	// AfterUnitVerdict scores a unit's epoch verdict (UNKNOWN: decay only)
	// and returns the unit's score before and after. x/orchestrator records
	// the new score on the unit itself: it ranks the marketplace and sizes
	// the unit's next refunds.
	AfterUnitVerdict(ctx context.Context, v UnitVerdict) (before, after uint32, err error)
	// AfterSlaRoundsSettled is called at the end of x/orchestrator's
	// per-block work whenever no SLA round is open: every ended SLA epoch
	// has its verdicts, so x/reputation's reward round may run in this
	// block and see them. It is a per-block signal (blocks with an open
	// round have none), so it never persists anything.
	AfterSlaRoundsSettled(ctx context.Context) error
	// FundRewardPool moves coins from a module account into the reward pool
	// (the pool share of slashes and platform fees).
	FundRewardPool(ctx context.Context, fromModule string, amount sdk.Coins) error
	// BaselineScore is the score a unit starts at (x/reputation's
	// baseline_score): a new unit's reputation until its first verdict.
	BaselineScore(ctx context.Context) (uint32, error)
	// ModuleAddress is the account that holds the reward pool (in the
	// marketplace denom): a denom change waits until it is empty.
	ModuleAddress() sdk.AccAddress
}

// EpochsKeeper gives the boundaries of an ended epoch.
type EpochsKeeper interface {
	GetEpochInfo(ctx sdk.Context, identifier string) (epochstypes.EpochInfo, error)
}
