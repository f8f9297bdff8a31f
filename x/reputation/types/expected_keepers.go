package types

import (
	"context"

	"cosmossdk.io/core/address"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// OrchestratorKeeper is what x/reputation reads of the marketplace and
// asks of it. x/orchestrator implements it and owns all the money it
// names: x/reputation decides (scores, rewards, disputes) and x/orchestrator
// moves bonds and escrow, one named call per decision. What x/orchestrator
// tells x/reputation goes the other way, through the hooks x/reputation
// implements (x/orchestrator/types.ReputationHooks).
type OrchestratorKeeper interface {
	MarketReader
	VerdictDisputes
	// TakeScorePenalty moves up to amount from a provider's bond to
	// toModule (the reward pool: a provider in a penalty band) and returns
	// what it moved.
	TakeScorePenalty(ctx context.Context, provider string, amount sdkmath.Int, toModule string) (sdkmath.Int, error)
}

// MarketReader is what x/reputation reads of the marketplace.
type MarketReader interface {
	// MarketDenom is the denom of bonds and payments (and of the reward pool).
	MarketDenom(ctx context.Context) (string, error)
	// ProviderBond is a provider's bond, and false for an unknown provider.
	ProviderBond(ctx context.Context, provider string) (sdkmath.Int, bool, error)
	Deal(ctx context.Context, id uint64) (orchtypes.Deal, error)
	// DealPaid is what a deal has paid its provider by this block (accrual
	// settled to the block, read-only), net of SLA refunds and early-close
	// penalties: what a rating of the deal is weighted by.
	DealPaid(ctx context.Context, id uint64) (sdkmath.Int, error)
	ConsumerVerified(ctx context.Context, consumer string) (bool, error)
	UnitVerdict(ctx context.Context, unitID uint64, epoch int64) (orchtypes.UnitVerdict, error)
}

// VerdictDisputes carries out the outcomes of a dispute over a unit's SLA
// verdict, one call per outcome.
type VerdictDisputes interface {
	// HoldVerdict keeps a verdict (and its deals' verdicts) from pruning
	// while a dispute on it is open.
	HoldVerdict(ctx context.Context, unitID uint64, epoch int64) error
	// UpholdVerdictDispute reverses the verdict, gives the unit its score
	// back and pays the provider back, from the reward pool within a
	// budget, what the verdict cost it; it releases the verdict.
	UpholdVerdictDispute(ctx context.Context, r orchtypes.VerdictReversal) (orchtypes.VerdictRestitution, error)
	// RejectVerdictDispute releases the verdict, which stands.
	RejectVerdictDispute(ctx context.Context, unitID uint64, epoch int64) error
}

// BankKeeper is what x/reputation needs from x/bank.
type BankKeeper interface {
	SendCoinsFromModuleToModule(ctx context.Context, senderModule, recipientModule string, amt sdk.Coins) error
	SendCoinsFromModuleToAccount(ctx context.Context, senderModule string, recipientAddr sdk.AccAddress, amt sdk.Coins) error
	SendCoinsFromAccountToModule(ctx context.Context, senderAddr sdk.AccAddress, recipientModule string, amt sdk.Coins) error
	GetBalance(ctx context.Context, addr sdk.AccAddress, denom string) sdk.Coin
}

// AccountKeeper is what x/reputation needs from x/auth.
type AccountKeeper interface {
	AddressCodec() address.Codec
	GetModuleAddress(moduleName string) sdk.AccAddress
}

// EpochsKeeper gives the length of an ended epoch.
type EpochsKeeper interface {
	GetEpochInfo(ctx sdk.Context, identifier string) (epochstypes.EpochInfo, error)
}
