package keeper

import (
	"context"
	"time"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// The reader methods below read the agreed QoS: UnitSummary is what
// x/orchestrator's SLA rounds read (its types.OracleReader); LatestRecord
// and ProviderSummary serve this module's queries. x/reputation reads no
// QoS: it scores the verdicts x/orchestrator gives it.

// LatestRecord returns the last agreed record of a unit.
func (k Keeper) LatestRecord(ctx context.Context, unitID uint64) (types.QoSRecord, bool, error) {
	iter, err := k.Records.Iterate(ctx, collections.NewPrefixedPairRange[uint64, uint64](unitID).Descending())
	if err != nil {
		return types.QoSRecord{}, false, err
	}
	defer iter.Close()
	if !iter.Valid() {
		return types.QoSRecord{}, false, nil
	}
	rec, err := iter.Value()
	return rec, err == nil, err
}

// UnitSummary averages a unit's records in the summary buckets that start in
// [from, to) (bucket granularity: summary_bucket_duration).
func (k Keeper) UnitSummary(ctx context.Context, unitID uint64, from, to time.Time) (types.QoSSummary, error) {
	r := collections.NewPrefixedPairRange[uint64, int64](unitID).StartInclusive(from.Unix()).EndExclusive(to.Unix())
	return k.summarize(ctx, from, to, func(f func(types.SummaryBucket) error) error {
		iter, err := k.UnitBuckets.Iterate(ctx, r)
		if err != nil {
			return err
		}
		defer iter.Close()
		for ; iter.Valid(); iter.Next() {
			b, err := iter.Value()
			if err != nil {
				return err
			}
			if err := f(b); err != nil {
				return err
			}
		}
		return nil
	})
}

// ProviderSummary averages the records of all of a provider's units.
func (k Keeper) ProviderSummary(ctx context.Context, provider sdk.AccAddress, from, to time.Time) (types.QoSSummary, error) {
	r := collections.NewPrefixedPairRange[sdk.AccAddress, int64](provider).StartInclusive(from.Unix()).EndExclusive(to.Unix())
	return k.summarize(ctx, from, to, func(f func(types.SummaryBucket) error) error {
		iter, err := k.ProviderBuckets.Iterate(ctx, r)
		if err != nil {
			return err
		}
		defer iter.Close()
		for ; iter.Valid(); iter.Next() {
			b, err := iter.Value()
			if err != nil {
				return err
			}
			if err := f(b); err != nil {
				return err
			}
		}
		return nil
	})
}

func (k Keeper) summarize(_ context.Context, from, to time.Time, each func(func(types.SummaryBucket) error) error) (types.QoSSummary, error) {
	var total types.SummaryBucket
	err := each(func(b types.SummaryBucket) error {
		total.Records += b.Records
		total.LatencyMsSum = satAdd(total.LatencyMsSum, b.LatencyMsSum)
		total.DownloadKbpsSum = satAdd(total.DownloadKbpsSum, b.DownloadKbpsSum)
		total.UploadKbpsSum = satAdd(total.UploadKbpsSum, b.UploadKbpsSum)
		total.UptimeBpsSum = satAdd(total.UptimeBpsSum, b.UptimeBpsSum)
		total.ErrorRateBpsSum = satAdd(total.ErrorRateBpsSum, b.ErrorRateBpsSum)
		return nil
	})
	if err != nil {
		return types.QoSSummary{}, err
	}
	s := types.QoSSummary{Records: total.Records, From: from.UTC(), To: to.UTC()}
	if n := total.Records; n > 0 {
		s.LatencyMs = uint32(total.LatencyMsSum / n)
		s.DownloadKbps = total.DownloadKbpsSum / n
		s.UploadKbps = total.UploadKbpsSum / n
		s.UptimeBps = uint32(total.UptimeBpsSum / n)
		s.ErrorRateBps = uint32(total.ErrorRateBpsSum / n)
	}
	return s, nil
}
