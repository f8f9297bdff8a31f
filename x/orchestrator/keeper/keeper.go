// Package keeper holds the state and the state transitions of x/orchestrator.
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

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// slaDeps are the modules SLA enforcement reads and tells. x/oracle and
// x/reputation are built after x/orchestrator (they read it), so the app sets
// them once with SetSlaModules; NewAppModule refuses a keeper without them.
// Shared by every copy of the keeper.
type slaDeps struct {
	oracle     types.OracleReader
	reputation types.ReputationHooks

	// dueFault, when set, makes the due items it returns an error for fail
	// inside their isolated run, as a bug would. Only tests set it (see
	// export_test.go): the retry path cannot otherwise be reached without
	// corrupting state that the invariants check.
	dueFault func(kind types.DueKind, id uint64) error
}

// Keeper owns the x/orchestrator store.
type Keeper struct {
	cdc          codec.BinaryCodec
	deps         *slaDeps
	addressCodec address.Codec
	accounts     types.AccountKeeper
	bank         types.BankKeeper
	distr        types.DistributionKeeper
	epochs       types.EpochsKeeper
	moduleAddr   sdk.AccAddress

	// authority is the only address allowed to send MsgUpdateParams
	// (the x/gov module account unless the app says otherwise).
	authority string

	Schema collections.Schema
	Params collections.Item[types.Params]

	Providers collections.Map[sdk.AccAddress, types.Provider]
	Consumers collections.Map[sdk.AccAddress, types.Consumer]

	DataUnits  collections.Map[uint64, types.DataUnit]
	NextUnitID collections.Sequence
	// LiveUnitsByProvider lists each provider's units that are not
	// DECOMMISSIONED (bounded by max_units_per_provider).
	LiveUnitsByProvider collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	// LiveUnits lists every unit that is not DECOMMISSIONED: the units an
	// SLA round checks.
	LiveUnits collections.KeySet[uint64]
	// LiveUnitByOrdinal and LiveUnitOrdinal number the same units densely
	// (ordinal → unit id and back) for x/oracle's random sampling; see
	// live_unit_index.go.
	LiveUnitByOrdinal collections.Map[uint64, uint64]
	LiveUnitOrdinal   collections.Map[uint64, uint64]
	// UnitsByState lists units by lifecycle state.
	UnitsByState collections.KeySet[collections.Pair[int32, uint64]]
	// MarketIndex holds (namespace, inverted rank, unit id) for every unit
	// that takes new deals; see types.MarketNamespaces and types.MarketRank.
	MarketIndex collections.KeySet[collections.Triple[string, uint64, uint64]]

	Deals           collections.Map[uint64, types.Deal]
	NextDealID      collections.Sequence
	DealsByConsumer collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	// DealsByProvider holds (provider, unit id, deal id): one index serves
	// both a provider's deals and a unit's (a unit has one provider).
	DealsByProvider collections.KeySet[collections.Triple[sdk.AccAddress, uint64, uint64]]
	// LiveDeals holds (state, deal id) of the ACTIVE and OVERDRAWN deals only,
	// the deals an SLA round checks. Pending and closed deals are not indexed
	// by state: a request then writes one key fewer and an acceptance or a
	// closure one key instead of a delete and an insert (see the README).
	LiveDeals collections.KeySet[collections.Pair[int32, uint64]]

	// RequestCursor is the id of the oldest deal whose request may still be
	// pending: every PENDING deal has an id at or above it. Requests expire
	// in id order (they share one TTL), so the end blocker walks this cursor
	// instead of giving each request a due-queue entry (see ExpireRequests).
	RequestCursor collections.Item[uint64]

	// DueQueue holds (unix second, kind, id) of everything else that must
	// happen at a time without anyone sending a transaction: running deals'
	// ends and overdrafts, maintenance starts and ends.
	DueQueue collections.KeySet[collections.Triple[int64, int32, uint64]]
	// UnbondingQueue holds (unix second, provider) of bonds due back.
	UnbondingQueue collections.KeySet[collections.Pair[int64, sdk.AccAddress]]
	// DueFailures holds, by (kind, subject), the due items whose last run
	// failed: retried with backoff, then parked (see due_retry.go). The
	// subject is a deal's or unit's id (8 bytes, big-endian) or a provider's
	// address (bond returns).
	DueFailures collections.Map[collections.Pair[int32, []byte], types.DueFailure]

	// Stats are running totals, updated with every state change.
	Stats collections.Item[types.Stats]

	// PendingPlatformFees are the platform fees withdrawals took in this
	// block; the end-block sweep pays them out and removes the item.
	PendingPlatformFees collections.Item[sdkmath.Int]

	// SLA enforcement: verdicts per (deal, epoch) and (unit, epoch), their
	// pruning indexes by epoch, and the epochs' checks in progress.
	DealVerdicts        collections.Map[collections.Pair[uint64, int64], types.DealVerdict]
	DealVerdictsByEpoch collections.KeySet[collections.Pair[int64, uint64]]
	// DealVerdictsByUnit holds (unit, epoch, deal): the deals checked on a
	// unit in an epoch.
	DealVerdictsByUnit  collections.KeySet[collections.Triple[uint64, int64, uint64]]
	UnitVerdicts        collections.Map[collections.Pair[uint64, int64], types.UnitVerdict]
	UnitVerdictsByEpoch collections.KeySet[collections.Pair[int64, uint64]]
	SlaRounds           collections.Map[int64, types.SlaRound]
	// WorstDealVerdicts holds (epoch, unit) → the worst deal verdict on the
	// unit in the epoch (a types.SlaVerdict), updated as each deal verdict is
	// recorded; the unit's verdict reads it instead of walking its deals.
	// Keyed by epoch first so that it is pruned like the verdicts.
	WorstDealVerdicts collections.Map[collections.Pair[int64, uint64], int32]
	// HeldVerdicts holds (unit, epoch) of the unit verdicts a dispute is
	// open on: pruning keeps them, and their deals' verdicts, until the
	// dispute is resolved (derived from x/reputation's open disputes; not in
	// genesis).
	HeldVerdicts collections.KeySet[collections.Pair[uint64, int64]]

	// AccessKeys holds the parties' published X25519 access keys, from which
	// provider nodes and consumer bridges derive deal credentials.
	AccessKeys collections.Map[sdk.AccAddress, types.AccessKey]
}

// NewKeeper builds the keeper. It panics on a malformed authority, a
// missing module account or a missing x/epochs: those are wiring bugs caught
// at start-up.
func NewKeeper(
	cdc codec.BinaryCodec,
	storeService corestore.KVStoreService,
	accountKeeper types.AccountKeeper,
	bankKeeper types.BankKeeper,
	distrKeeper types.DistributionKeeper,
	epochsKeeper types.EpochsKeeper,
	authority string,
) Keeper {
	if epochsKeeper == nil {
		panic(fmt.Sprintf("x/%s needs x/epochs (the SLA epochs)", types.ModuleName))
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
	k := Keeper{
		cdc:          cdc,
		deps:         &slaDeps{},
		addressCodec: addressCodec,
		accounts:     accountKeeper,
		bank:         bankKeeper,
		distr:        distrKeeper,
		epochs:       epochsKeeper,
		moduleAddr:   moduleAddr,
		authority:    authority,

		Params:    collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Providers: collections.NewMap(sb, types.ProvidersKey, "providers", sdk.AccAddressKey, codec.CollValue[types.Provider](cdc)),
		Consumers: collections.NewMap(sb, types.ConsumersKey, "consumers", sdk.AccAddressKey, codec.CollValue[types.Consumer](cdc)),

		DataUnits:  collections.NewMap(sb, types.DataUnitsKey, "data_units", collections.Uint64Key, codec.CollValue[types.DataUnit](cdc)),
		NextUnitID: collections.NewSequence(sb, types.NextUnitIDKey, "next_unit_id"),
		LiveUnitsByProvider: collections.NewKeySet(sb, types.UnitsByProviderKey, "live_units_by_provider",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
		LiveUnits: collections.NewKeySet(sb, types.LiveUnitsKey, "live_units", collections.Uint64Key),
		LiveUnitByOrdinal: collections.NewMap(sb, types.LiveUnitByOrdinalKey, "live_unit_by_ordinal",
			collections.Uint64Key, collections.Uint64Value),
		LiveUnitOrdinal: collections.NewMap(sb, types.LiveUnitOrdinalKey, "live_unit_ordinal",
			collections.Uint64Key, collections.Uint64Value),
		UnitsByState: collections.NewKeySet(sb, types.UnitsByStateKey, "units_by_state",
			collections.PairKeyCodec(collections.Int32Key, collections.Uint64Key)),
		MarketIndex: collections.NewKeySet(sb, types.MarketIndexKey, "market_index",
			collections.TripleKeyCodec(collections.StringKey, collections.Uint64Key, collections.Uint64Key)),

		Deals:      collections.NewMap(sb, types.DealsKey, "deals", collections.Uint64Key, codec.CollValue[types.Deal](cdc)),
		NextDealID: collections.NewSequence(sb, types.NextDealIDKey, "next_deal_id"),
		DealsByConsumer: collections.NewKeySet(sb, types.DealsByConsumerKey, "deals_by_consumer",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
		DealsByProvider: collections.NewKeySet(sb, types.DealsByProviderKey, "deals_by_provider",
			collections.TripleKeyCodec(sdk.AccAddressKey, collections.Uint64Key, collections.Uint64Key)),
		LiveDeals: collections.NewKeySet(sb, types.LiveDealsKey, "live_deals",
			collections.PairKeyCodec(collections.Int32Key, collections.Uint64Key)),

		RequestCursor: collections.NewItem(sb, types.RequestCursorKey, "request_cursor", collections.Uint64Value),
		DueQueue: collections.NewKeySet(sb, types.DueQueueKey, "due_queue",
			collections.TripleKeyCodec(collections.Int64Key, collections.Int32Key, collections.Uint64Key)),
		UnbondingQueue: collections.NewKeySet(sb, types.UnbondingQueueKey, "unbonding_queue",
			collections.PairKeyCodec(collections.Int64Key, sdk.AccAddressKey)),
		DueFailures: collections.NewMap(sb, types.DueFailuresKey, "due_failures",
			collections.PairKeyCodec(collections.Int32Key, collections.BytesKey), codec.CollValue[types.DueFailure](cdc)),

		Stats:               collections.NewItem(sb, types.StatsKey, "stats", codec.CollValue[types.Stats](cdc)),
		PendingPlatformFees: collections.NewItem(sb, types.PendingPlatformFeesKey, "pending_platform_fees", sdk.IntValue),

		DealVerdicts: collections.NewMap(sb, types.DealVerdictsKey, "deal_verdicts",
			collections.PairKeyCodec(collections.Uint64Key, collections.Int64Key), codec.CollValue[types.DealVerdict](cdc)),
		DealVerdictsByEpoch: collections.NewKeySet(sb, types.DealVerdictsByEpochKey, "deal_verdicts_by_epoch",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		DealVerdictsByUnit: collections.NewKeySet(sb, types.DealVerdictsByUnitKey, "deal_verdicts_by_unit",
			collections.TripleKeyCodec(collections.Uint64Key, collections.Int64Key, collections.Uint64Key)),
		UnitVerdicts: collections.NewMap(sb, types.UnitVerdictsKey, "unit_verdicts",
			collections.PairKeyCodec(collections.Uint64Key, collections.Int64Key), codec.CollValue[types.UnitVerdict](cdc)),
		UnitVerdictsByEpoch: collections.NewKeySet(sb, types.UnitVerdictsByEpochKey, "unit_verdicts_by_epoch",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		SlaRounds: collections.NewMap(sb, types.SlaRoundsKey, "sla_rounds", collections.Int64Key, codec.CollValue[types.SlaRound](cdc)),
		WorstDealVerdicts: collections.NewMap(sb, types.WorstDealVerdictsKey, "worst_deal_verdicts",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key), collections.Int32Value),
		AccessKeys: collections.NewMap(sb, types.AccessKeysKey, "access_keys", sdk.AccAddressKey, codec.CollValue[types.AccessKey](cdc)),
		HeldVerdicts: collections.NewKeySet(sb, types.HeldVerdictsKey, "held_verdicts",
			collections.PairKeyCodec(collections.Uint64Key, collections.Int64Key)),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// SetSlaModules connects the modules SLA enforcement reads (x/oracle's
// agreed QoS) and tells (x/reputation's hooks: verdicts to score, rounds
// settled, the reward pool, a new unit's baseline score). Like x/gov's SetHooks it is called once, at
// wiring: a nil module or a second call panics, and NewAppModule panics when
// it was never called, so a node never runs with SLA enforcement silently
// off.
func (k Keeper) SetSlaModules(oracle types.OracleReader, reputation types.ReputationHooks) {
	if oracle == nil || reputation == nil {
		panic(fmt.Sprintf("x/%s: SetSlaModules needs x/oracle's reader and x/reputation", types.ModuleName))
	}
	if k.deps.oracle != nil || k.deps.reputation != nil {
		panic(fmt.Sprintf("x/%s: cannot set the SLA modules twice", types.ModuleName))
	}
	k.deps.oracle = oracle
	k.deps.reputation = reputation
}

// MustBeWired panics unless SetSlaModules was called: NewAppModule calls it,
// so that an app that forgot the wiring does not start.
func (k Keeper) MustBeWired() {
	if k.deps.oracle == nil || k.deps.reputation == nil {
		panic(fmt.Sprintf("x/%s: SetSlaModules was not called before NewAppModule", types.ModuleName))
	}
}

// Authority returns the address allowed to update the params.
func (k Keeper) Authority() string { return k.authority }

// ModuleAddress returns the module account that holds bonds and escrows.
func (k Keeper) ModuleAddress() sdk.AccAddress { return k.moduleAddr }

// Logger returns a module-scoped logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

// params returns the current params; they always exist after genesis.
func (k Keeper) params(ctx context.Context) (types.Params, error) {
	return k.Params.Get(ctx)
}
