// Package keeper holds the state of x/oracle: assignments of units to probe,
// the QoS records agreed through vote extensions, rolling summaries,
// validators' reporting stats and parties' self-reports.
package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// Keeper owns the x/oracle store.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	authority    string
	// units and deals are the marketplace (x/orchestrator), given at
	// construction: the oracle cannot run without them.
	units types.UnitRegistry
	deals types.DealRegistry

	Schema collections.Schema
	Params collections.Item[types.Params]

	// AssignmentEntropy holds, by height, the entropy of a block that
	// assigns a window: the PreBlocker writes it from the block's extended
	// commit and EndBlock consumes and removes it, so it is never in
	// committed state (see AdvanceWindow).
	AssignmentEntropy collections.Map[int64, []byte]
	// CurrentWindow is the index of the window covering the next height.
	CurrentWindow collections.Item[uint64]
	// Assignments keeps the current and the previous window's assignment.
	Assignments collections.Map[uint64, types.Assignment]

	// Records holds the agreed QoS per (unit, window); RecordsByWindow
	// indexes them by window for pruning.
	Records         collections.Map[collections.Pair[uint64, uint64], types.QoSRecord]
	RecordsByWindow collections.KeySet[collections.Pair[uint64, uint64]]

	// Rolling summaries: buckets per (unit, start) and (provider, start),
	// indexed by start for pruning.
	UnitBuckets           collections.Map[collections.Pair[uint64, int64], types.SummaryBucket]
	UnitBucketsByTime     collections.KeySet[collections.Pair[int64, uint64]]
	ProviderBuckets       collections.Map[collections.Pair[sdk.AccAddress, int64], types.SummaryBucket]
	ProviderBucketsByTime collections.KeySet[collections.Pair[int64, sdk.AccAddress]]

	// ReporterStats is keyed by validator consensus address.
	ReporterStats collections.Map[sdk.ConsAddress, types.ReporterStats]

	// Self-reports per (deal, id), their pruning index, and each party's
	// last report time per deal (unix seconds).
	SelfReports       collections.Map[collections.Pair[uint64, uint64], types.SelfReport]
	NextSelfReportID  collections.Sequence
	SelfReportsByTime collections.KeySet[collections.Triple[int64, uint64, uint64]]
	LastSelfReport    collections.Map[collections.Pair[uint64, sdk.AccAddress], int64]
}

// NewKeeper builds the keeper over the marketplace's units (what to probe)
// and deals (who may self-report). It panics on a malformed authority or a
// missing registry: wiring bugs that must stop the app at start-up rather
// than leave the oracle assigning nothing.
func NewKeeper(
	cdc codec.BinaryCodec, storeService corestore.KVStoreService, addressCodec address.Codec,
	units types.UnitRegistry, deals types.DealRegistry, authority string,
) Keeper {
	if units == nil || deals == nil {
		panic(fmt.Sprintf("x/%s needs the marketplace's unit and deal registries", types.ModuleName))
	}
	if _, err := addressCodec.StringToBytes(authority); err != nil {
		panic(fmt.Sprintf("invalid x/%s authority address %q: %s", types.ModuleName, authority, err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc:          cdc,
		addressCodec: addressCodec,
		authority:    authority,
		units:        units,
		deals:        deals,

		Params: collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		AssignmentEntropy: collections.NewMap(sb, types.AssignmentEntropyKey, "assignment_entropy",
			collections.Int64Key, collections.BytesValue),
		CurrentWindow: collections.NewItem(sb, types.CurrentWindowKey, "current_window", collections.Uint64Value),
		Assignments: collections.NewMap(sb, types.AssignmentsKey, "assignments", collections.Uint64Key,
			codec.CollValue[types.Assignment](cdc)),

		Records: collections.NewMap(sb, types.RecordsKey, "records",
			collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key), codec.CollValue[types.QoSRecord](cdc)),
		RecordsByWindow: collections.NewKeySet(sb, types.RecordsByWindowKey, "records_by_window",
			collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key)),

		UnitBuckets: collections.NewMap(sb, types.UnitBucketsKey, "unit_buckets",
			collections.PairKeyCodec(collections.Uint64Key, collections.Int64Key), codec.CollValue[types.SummaryBucket](cdc)),
		UnitBucketsByTime: collections.NewKeySet(sb, types.UnitBucketsByTimeKey, "unit_buckets_by_time",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		ProviderBuckets: collections.NewMap(sb, types.ProviderBucketsKey, "provider_buckets",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Int64Key), codec.CollValue[types.SummaryBucket](cdc)),
		ProviderBucketsByTime: collections.NewKeySet(sb, types.ProviderBucketsByTimeKey, "provider_buckets_by_time",
			collections.PairKeyCodec(collections.Int64Key, sdk.AccAddressKey)),

		ReporterStats: collections.NewMap(sb, types.ReporterStatsKey, "reporter_stats", sdk.ConsAddressKey,
			codec.CollValue[types.ReporterStats](cdc)),

		SelfReports: collections.NewMap(sb, types.SelfReportsKey, "self_reports",
			collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key), codec.CollValue[types.SelfReport](cdc)),
		NextSelfReportID: collections.NewSequence(sb, types.NextSelfReportIDKey, "next_self_report_id"),
		SelfReportsByTime: collections.NewKeySet(sb, types.SelfReportsByTimeKey, "self_reports_by_time",
			collections.TripleKeyCodec(collections.Int64Key, collections.Uint64Key, collections.Uint64Key)),
		LastSelfReport: collections.NewMap(sb, types.LastSelfReportKey, "last_self_report",
			collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey), collections.Int64Value),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// Authority returns the address allowed to update the params.
func (k Keeper) Authority() string { return k.authority }

// Deals is the deal registry given at construction: the simulation finds the
// parties of open deals through it to file valid self-reports.
func (k Keeper) Deals() types.DealRegistry { return k.deals }

// Logger returns a module-scoped logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}
