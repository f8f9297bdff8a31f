package types

import (
	"context"

	"cosmossdk.io/core/address"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// OrchestratorKeeper is what x/reputation reads and does through the
// marketplace. x/orchestrator implements it.
type OrchestratorKeeper interface {
	// MarketDenom is the denom of bonds and payments (and of the reward pool).
	MarketDenom(ctx context.Context) (string, error)
	ProviderBond(ctx context.Context, provider string) (sdkmath.Int, bool, error)
	PenalizeBond(ctx context.Context, provider string, amount sdkmath.Int, toModule, reason string) (sdkmath.Int, error)
	CreditBond(ctx context.Context, provider string, amount sdkmath.Int, fromModule, reason string) error
	Deal(ctx context.Context, id uint64) (orchtypes.Deal, error)
	// DealPaid is what a deal has paid its provider by this block (accrual
	// settled to the block, read-only), net of SLA refunds and early-close
	// penalties: what a rating of the deal is weighted by.
	DealPaid(ctx context.Context, id uint64) (sdkmath.Int, error)
	ConsumerVerified(ctx context.Context, consumer string) (bool, error)
	UnitVerdict(ctx context.Context, unitID uint64, epoch int64) (orchtypes.UnitVerdict, error)
	ReverseUnitVerdict(ctx context.Context, unitID uint64, epoch int64) (orchtypes.UnitVerdict, []orchtypes.DealVerdict, error)
	// HoldUnitVerdict keeps a verdict (and its deals' verdicts) from
	// pruning while a dispute on it is open; ReleaseUnitVerdict ends that.
	HoldUnitVerdict(ctx context.Context, unitID uint64, epoch int64) error
	ReleaseUnitVerdict(ctx context.Context, unitID uint64, epoch int64) error
	RestoreClawback(ctx context.Context, dealID uint64, amount sdkmath.Int, fromModule string) (sdkmath.Int, error)
	SetUnitReputation(ctx context.Context, unitID uint64, score uint32) error
	// SlaRoundPending reports whether an SLA round is still being checked.
	SlaRoundPending(ctx context.Context) (bool, error)
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
