// Package keeper holds x/reputation's state: unit and provider scores,
// ratings, disputes, the reward pool and its per-epoch rounds.
package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Keeper owns the x/reputation store.
type Keeper struct {
	cdc          codec.BinaryCodec
	storeService corestore.KVStoreService
	addressCodec address.Codec
	bank         types.BankKeeper
	moduleAddr   sdk.AccAddress
	authority    string
	// orchestrator is the marketplace (deals, bonds, verdicts) and epochs
	// the reward epochs, both given at construction.
	orchestrator types.OrchestratorKeeper
	epochs       types.EpochsKeeper
	// slaSettled is set, in a transient store (this block only), when
	// x/orchestrator reports its SLA rounds settled (AfterSlaRoundsSettled).
	slaSettled collections.Item[bool]

	Schema collections.Schema
	Params collections.Item[types.Params]

	UnitScores     collections.Map[uint64, types.UnitScore]
	ProviderScores collections.Map[sdk.AccAddress, types.ProviderScore]
	// History holds (provider, epoch) → scores, the last history_epochs.
	History collections.Map[collections.Pair[sdk.AccAddress, int64], types.ScorePoint]
	// Leaderboard holds (inverted overall, provider): best first.
	Leaderboard collections.KeySet[collections.Pair[uint64, sdk.AccAddress]]
	// ScoreCounts counts the leaderboard's providers per overall score, so a
	// provider's rank is 1 + the providers above it in at most 100 reads.
	ScoreCounts collections.Map[uint32, uint64]

	// Ratings by deal; by provider; and the queue of recent ratings by the
	// time they stop being recent.
	Ratings           collections.Map[uint64, types.Rating]
	RatingsByProvider collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	RatingAging       collections.KeySet[collections.Pair[int64, uint64]]

	Disputes           collections.Map[uint64, types.Dispute]
	NextDisputeID      collections.Sequence
	DisputesByProvider collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	DisputesByStatus   collections.KeySet[collections.Pair[int32, uint64]]
	// DisputeByTarget maps "verdict/<unit>/<epoch>" and "rating/<deal>" to
	// the dispute filed over it: a verdict or rating is disputed at most once.
	DisputeByTarget collections.Map[string, uint64]

	RewardRounds   collections.Map[int64, types.RewardRound]
	PendingRewards collections.Map[sdk.AccAddress, sdkmath.Int]
	LastRound      collections.Item[types.RewardPoolInfo]
	// Pool is what the module account holds for the reward pool; the
	// invariant checks them against each other.
	Pool collections.Item[sdkmath.Int]
}

// NewKeeper builds the keeper. It panics on a malformed authority, a
// missing module account, transient store, marketplace or x/epochs: wiring
// bugs caught at start-up.
func NewKeeper(
	cdc codec.BinaryCodec, storeService corestore.KVStoreService, transientService corestore.TransientStoreService,
	accountKeeper types.AccountKeeper, bankKeeper types.BankKeeper,
	orchestrator types.OrchestratorKeeper, epochs types.EpochsKeeper, authority string,
) Keeper {
	if orchestrator == nil || epochs == nil {
		panic(fmt.Sprintf("x/%s needs x/orchestrator and x/epochs", types.ModuleName))
	}
	if transientService == nil {
		panic(fmt.Sprintf("x/%s needs its transient store", types.ModuleName))
	}
	addressCodec := accountKeeper.AddressCodec()
	if _, err := addressCodec.StringToBytes(authority); err != nil {
		panic(fmt.Sprintf("invalid x/%s authority address %q: %s", types.ModuleName, authority, err))
	}
	moduleAddr := accountKeeper.GetModuleAddress(types.ModuleName)
	if moduleAddr == nil {
		panic(fmt.Sprintf("the x/%s module account has not been set", types.ModuleName))
	}
	sb := collections.NewSchemaBuilder(storeService)
	intValue := sdk.IntValue
	k := Keeper{
		cdc: cdc, storeService: storeService, addressCodec: addressCodec, bank: bankKeeper, moduleAddr: moduleAddr, authority: authority,
		orchestrator: orchestrator, epochs: epochs,

		Params:         collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		UnitScores:     collections.NewMap(sb, types.UnitScoresKey, "unit_scores", collections.Uint64Key, codec.CollValue[types.UnitScore](cdc)),
		ProviderScores: collections.NewMap(sb, types.ProviderScoresKey, "provider_scores", sdk.AccAddressKey, codec.CollValue[types.ProviderScore](cdc)),
		History: collections.NewMap(sb, types.HistoryKey, "history",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Int64Key), codec.CollValue[types.ScorePoint](cdc)),
		Leaderboard: collections.NewKeySet(sb, types.LeaderboardKey, "leaderboard",
			collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey)),
		ScoreCounts: collections.NewMap(sb, types.ScoreCountsKey, "score_counts", collections.Uint32Key, collections.Uint64Value),

		Ratings: collections.NewMap(sb, types.RatingsKey, "ratings", collections.Uint64Key, codec.CollValue[types.Rating](cdc)),
		RatingsByProvider: collections.NewKeySet(sb, types.RatingsByProviderKey, "ratings_by_provider",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
		RatingAging: collections.NewKeySet(sb, types.RatingAgingKey, "rating_aging",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),

		Disputes:      collections.NewMap(sb, types.DisputesKey, "disputes", collections.Uint64Key, codec.CollValue[types.Dispute](cdc)),
		NextDisputeID: collections.NewSequence(sb, types.NextDisputeIDKey, "next_dispute_id"),
		DisputesByProvider: collections.NewKeySet(sb, types.DisputesByProviderKey, "disputes_by_provider",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
		DisputesByStatus: collections.NewKeySet(sb, types.DisputesByStatusKey, "disputes_by_status",
			collections.PairKeyCodec(collections.Int32Key, collections.Uint64Key)),
		DisputeByTarget: collections.NewMap(sb, types.DisputeByTargetKey, "dispute_by_target", collections.StringKey, collections.Uint64Value),

		RewardRounds:   collections.NewMap(sb, types.RewardRoundsKey, "reward_rounds", collections.Int64Key, codec.CollValue[types.RewardRound](cdc)),
		PendingRewards: collections.NewMap(sb, types.PendingRewardsKey, "pending_rewards", sdk.AccAddressKey, intValue),
		LastRound:      collections.NewItem(sb, types.LastRoundKey, "last_round", codec.CollValue[types.RewardPoolInfo](cdc)),
		Pool:           collections.NewItem(sb, types.PoolKey, "pool", intValue),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	tsb := collections.NewSchemaBuilderFromAccessor(transientService.OpenTransientStore)
	k.slaSettled = collections.NewItem(tsb, types.SlaSettledKey, "sla_settled", collections.BoolValue)
	if _, err := tsb.Build(); err != nil {
		panic(err)
	}
	return k
}

// Authority returns the address allowed to update the params.
func (k Keeper) Authority() string { return k.authority }

// Orchestrator is the marketplace given at construction: the simulation
// reads deals and verdicts through it to build valid ratings and disputes.
func (k Keeper) Orchestrator() types.OrchestratorKeeper { return k.orchestrator }

// ModuleAddress returns the account holding the reward pool.
func (k Keeper) ModuleAddress() sdk.AccAddress { return k.moduleAddr }

// Logger returns a module-scoped logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}
