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

// ReputationKeeper is what x/orchestrator tells x/reputation and uses of it.
// x/reputation implements it; x/orchestrator never imports it.
type ReputationKeeper interface {
	// AfterUnitVerdict applies a unit's epoch verdict to its score (UNKNOWN:
	// decay only), reports the new score back through SetUnitReputation, and
	// returns the score before and after.
	AfterUnitVerdict(ctx context.Context, v UnitVerdict) (before, after uint32, err error)
	// FundRewardPool moves coins from a module account into the reward pool.
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
