package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Prune runs in EndBlock and deletes, oldest first, records older than
// record_retention_windows, summary buckets older than summary_retention and
// self-reports older than self_report_retention — at most
// max_prune_per_block in all; the rest waits for later blocks. When nothing
// is old enough it costs one iterator seek per index.
func (k Keeper) Prune(ctx context.Context) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	budget := int(params.MaxPrunePerBlock)
	now := sdk.UnwrapSDKContext(ctx).BlockTime()

	window, err := k.CurrentWindow.Get(ctx)
	// Keep the records of the last record_retention_windows windows before
	// the current one: remove windows up to and including the cutoff.
	if err == nil && window > params.RecordRetentionWindows {
		cutoff := window - params.RecordRetentionWindows - 1
		n, err := pruneIndex(ctx, k.RecordsByWindow, collections.NewPrefixUntilPairRange[uint64, uint64](cutoff), budget,
			func(key collections.Pair[uint64, uint64]) error {
				return k.Records.Remove(ctx, collections.Join(key.K2(), key.K1()))
			})
		if err != nil {
			return err
		}
		budget -= n
	}

	bucketCutoff := now.Add(-params.SummaryRetention).Unix()
	n, err := pruneIndex(ctx, k.UnitBucketsByTime, collections.NewPrefixUntilPairRange[int64, uint64](bucketCutoff), budget,
		func(key collections.Pair[int64, uint64]) error {
			return k.UnitBuckets.Remove(ctx, collections.Join(key.K2(), key.K1()))
		})
	if err != nil {
		return err
	}
	budget -= n
	n, err = pruneIndex(ctx, k.ProviderBucketsByTime, collections.NewPrefixUntilPairRange[int64, sdk.AccAddress](bucketCutoff), budget,
		func(key collections.Pair[int64, sdk.AccAddress]) error {
			return k.ProviderBuckets.Remove(ctx, collections.Join(key.K2(), key.K1()))
		})
	if err != nil {
		return err
	}
	budget -= n

	reportCutoff := now.Add(-params.SelfReportRetention).Unix()
	_, err = pruneIndex(ctx, k.SelfReportsByTime, collections.NewPrefixUntilTripleRange[int64, uint64, uint64](reportCutoff), budget,
		func(key collections.Triple[int64, uint64, uint64]) error {
			return k.removeSelfReport(ctx, key.K2(), key.K3())
		})
	return err
}

// pruneIndex removes up to limit keys of index in r, calling remove for
// each first, and returns how many it removed. Ranges are "until" ranges,
// which include their bound; entries exactly at the cutoff are removed too.
func pruneIndex[K any](ctx context.Context, index collections.KeySet[K], r collections.Ranger[K], limit int, remove func(K) error) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	iter, err := index.Iterate(ctx, r)
	if err != nil {
		return 0, err
	}
	var keys []K
	for ; iter.Valid() && len(keys) < limit; iter.Next() {
		key, err := iter.Key()
		if err != nil {
			iter.Close()
			return 0, err
		}
		keys = append(keys, key)
	}
	if err := iter.Close(); err != nil {
		return 0, err
	}
	for _, key := range keys {
		if err := remove(key); err != nil {
			return 0, err
		}
		if err := index.Remove(ctx, key); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// removeSelfReport deletes a self-report and, if it was the party's latest
// on the deal, the rate-limit entry.
func (k Keeper) removeSelfReport(ctx context.Context, dealID, id uint64) error {
	key := collections.Join(dealID, id)
	r, err := k.SelfReports.Get(ctx, key)
	if err != nil {
		return err
	}
	if reporter, err := k.accAddress(r.Reporter); err == nil {
		lastKey := collections.Join(dealID, reporter)
		if last, err := k.LastSelfReport.Get(ctx, lastKey); err == nil && last <= r.Time.Unix() {
			if err := k.LastSelfReport.Remove(ctx, lastKey); err != nil {
				return err
			}
		}
	}
	return k.SelfReports.Remove(ctx, key)
}
