package keeper

import (
	"context"
	"errors"
	"sort"
	"time"

	"cosmossdk.io/collections"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

func sortAssigned(units []types.AssignedUnit) {
	sort.Slice(units, func(i, j int) bool { return units[i].UnitId < units[j].UnitId })
}

// ApplyExtendedCommit turns the signed vote extensions of the previous
// height into QoS records, when that height ended a window; when this block
// assigns the next window, it first keeps the commit's entropy for the
// assignment's seed (RecordAssignmentEntropy). The PreBlocker calls it with
// the extended commit carried by the block. For each assigned unit and metric
// it writes the stake-weighted lower median of the reports, but only where
// the reporters hold at least 2/3 of the commit's power; anything else is "no
// update". Extensions that do not decode, are for another height or window,
// or report unassigned units are ignored: nothing here can fail because of
// what validators sent.
//
// readings, when it has one entry per vote, is the commit read by
// types.ReadExtensions already (ProcessProposal's work, handed over);
// otherwise the commit is read here. Both give the same result.
func (k Keeper) ApplyExtendedCommit(ctx context.Context, commit abci.ExtendedCommitInfo, readings []types.VoteReading) error {
	if err := k.RecordAssignmentEntropy(ctx, commit); err != nil {
		return err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	votedHeight := sdkCtx.BlockHeight() - 1
	current, ok, err := k.CurrentAssignment(ctx)
	if err != nil || !ok || current.Window == 0 {
		return err
	}
	ended, err := k.Assignments.Get(ctx, current.Window-1)
	if errors.Is(err, collections.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if ended.EndHeight != votedHeight {
		return nil // the previous height did not end a window
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if len(readings) != len(commit.Votes) {
		readings = types.ReadExtensions(commit, votedHeight)
	}

	assigned := make(map[uint64]types.AssignedUnit, len(ended.Units))
	for _, u := range ended.Units {
		assigned[u.UnitId] = u
	}
	var totalPower int64
	reports := make(map[uint64][]types.Report, len(ended.Units))
	type voter struct {
		address []byte
		ext     *types.VoteExtension
		status  voteStatus
	}
	voters := make([]voter, 0, len(commit.Votes))
	for i, vote := range commit.Votes {
		totalPower += vote.Validator.Power
		v := voter{address: vote.Validator.Address, status: voteMissed}
		if vote.BlockIdFlag == cmtproto.BlockIDFlagCommit {
			ext := readings[i].Ext
			switch {
			case readings[i].Invalid:
				v.status = voteMissed
			case ext == nil || len(ext.Measurements) == 0:
				v.status = voteEmpty
			case ext.Window != ended.Window:
				v.status = voteMissed
			default:
				v.status, v.ext = voteReported, ext
				for _, m := range ext.Measurements {
					if _, ok := assigned[m.UnitId]; ok {
						if reports[m.UnitId] == nil {
							reports[m.UnitId] = make([]types.Report, 0, len(commit.Votes))
						}
						reports[m.UnitId] = append(reports[m.UnitId], types.Report{
							Validator: vote.Validator.Address, Power: vote.Validator.Power, Measurement: m,
						})
					}
				}
			}
		}
		voters = append(voters, v)
	}

	agreed := make(map[uint64]types.Measurement, len(ended.Units))
	records := make([]types.QoSRecord, 0, len(ended.Units))
	for _, u := range ended.Units { // assignment order: by unit id
		a := types.AggregateUnit(u.UnitId, reports[u.UnitId])
		if !types.HasQuorum(a.ReportingPower, totalPower) {
			if err := typedevent.Emit(sdkCtx, &types.EventQoSNoQuorum{
				UnitId: u.UnitId, Window: ended.Window, ReportingPower: a.ReportingPower, TotalPower: totalPower,
			}); err != nil {
				return err
			}
			continue
		}
		agreed[u.UnitId] = a.Measurement
		rec := types.QoSRecord{
			UnitId: u.UnitId, Provider: u.Provider, Window: ended.Window, Height: votedHeight,
			Time:      sdkCtx.BlockTime().Truncate(time.Second).UTC(),
			LatencyMs: a.LatencyMs, DownloadKbps: a.DownloadKbps, UploadKbps: a.UploadKbps,
			UptimeBps: a.UptimeBps, ErrorRateBps: a.ErrorRateBps,
			Reporters: a.Reporters, ReportingPower: a.ReportingPower, TotalPower: totalPower,
		}
		records = append(records, rec)
	}
	if err := k.writeRecords(ctx, params, records); err != nil {
		return err
	}

	for _, v := range voters {
		outlier := false
		if v.ext != nil {
			for _, m := range v.ext.Measurements {
				if a, ok := agreed[m.UnitId]; ok && types.IsOutlier(m, a, params.OutlierRelativeBps, params.OutlierAbsoluteBps) {
					outlier = true
					break
				}
			}
		}
		if err := k.countVote(ctx, v.address, v.status, outlier, votedHeight); err != nil {
			return err
		}
	}
	return nil
}

type voteStatus int

const (
	voteMissed voteStatus = iota
	voteEmpty
	voteReported
)

func (k Keeper) countVote(ctx context.Context, address []byte, status voteStatus, outlier bool, height int64) error {
	addr := sdk.ConsAddress(address)
	stats, err := k.ReporterStats.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		stats = types.ReporterStats{Validator: addr.String()}
	} else if err != nil {
		return err
	}
	switch status {
	case voteReported:
		stats.WindowsReported++
	case voteEmpty:
		stats.WindowsEmpty++
	default:
		stats.WindowsMissed++
	}
	if outlier {
		stats.Outliers++
	}
	stats.LastHeight = height
	return k.ReporterStats.Set(ctx, addr, stats)
}

// writeRecords stores the agreed records of a window (in the given order)
// and adds them to the units' and the providers' summary buckets. A
// provider's bucket is read and written once for all of its units, and a
// bucket's time index is written only when the bucket is new: a window end
// with 128 units would otherwise rewrite the same keys over and over.
func (k Keeper) writeRecords(ctx context.Context, params types.Params, recs []types.QoSRecord) error {
	type providerBucket struct {
		key    collections.Pair[sdk.AccAddress, int64]
		bucket types.SummaryBucket
		isNew  bool
	}
	type bucketID struct {
		provider string
		start    int64
	}
	var providers []*providerBucket         // first-appearance order: deterministic writes
	byKey := map[bucketID]*providerBucket{} // lookup only, never iterated
	recorded := make([]uint64, 0, len(recs))
	for _, rec := range recs {
		if err := k.Records.Set(ctx, collections.Join(rec.UnitId, rec.Window), rec); err != nil {
			return err
		}
		if err := k.RecordsByWindow.Set(ctx, collections.Join(rec.Window, rec.UnitId)); err != nil {
			return err
		}
		start := bucketStart(rec.Time, params.SummaryBucketDuration)
		unitKey := collections.Join(rec.UnitId, start)
		ub, err := k.UnitBuckets.Get(ctx, unitKey)
		isNew := errors.Is(err, collections.ErrNotFound)
		if err != nil && !isNew {
			return err
		}
		if err := k.UnitBuckets.Set(ctx, unitKey, addToBucket(ub, start, rec)); err != nil {
			return err
		}
		if isNew {
			if err := k.UnitBucketsByTime.Set(ctx, collections.Join(start, rec.UnitId)); err != nil {
				return err
			}
		}
		// Records whose provider does not decode (none, in practice: units
		// are created with valid addresses) only miss the provider summary.
		if provider, err := k.accAddress(rec.Provider); err == nil {
			id := bucketID{rec.Provider, start}
			pb, ok := byKey[id]
			if !ok {
				key := collections.Join(provider, start)
				b, err := k.ProviderBuckets.Get(ctx, key)
				isNew := errors.Is(err, collections.ErrNotFound)
				if err != nil && !isNew {
					return err
				}
				pb = &providerBucket{key: key, bucket: b, isNew: isNew}
				byKey[id] = pb
				providers = append(providers, pb)
			}
			pb.bucket = addToBucket(pb.bucket, start, rec)
		}
		recorded = append(recorded, rec.UnitId)
	}
	for _, pb := range providers {
		if err := k.ProviderBuckets.Set(ctx, pb.key, pb.bucket); err != nil {
			return err
		}
		if pb.isNew {
			if err := k.ProviderBucketsByTime.Set(ctx, collections.Join(pb.key.K2(), pb.key.K1())); err != nil {
				return err
			}
		}
	}
	if len(recs) == 0 {
		return nil
	}
	return typedevent.Emit(ctx, &types.EventQoSRecorded{Window: recs[0].Window, UnitIds: recorded})
}

// bucketStart is the start (unix seconds) of the bucket holding t.
func bucketStart(t time.Time, d time.Duration) int64 {
	secs := int64(d / time.Second)
	return t.Unix() - t.Unix()%secs
}

func addToBucket(b types.SummaryBucket, start int64, rec types.QoSRecord) types.SummaryBucket {
	b.Start = start
	b.Records++
	b.LatencyMsSum = satAdd(b.LatencyMsSum, uint64(rec.LatencyMs))
	b.DownloadKbpsSum = satAdd(b.DownloadKbpsSum, rec.DownloadKbps)
	b.UploadKbpsSum = satAdd(b.UploadKbpsSum, rec.UploadKbps)
	b.UptimeBpsSum = satAdd(b.UptimeBpsSum, uint64(rec.UptimeBps))
	b.ErrorRateBpsSum = satAdd(b.ErrorRateBpsSum, uint64(rec.ErrorRateBps))
	return b
}

// satAdd adds without wrapping around (sums saturate at the maximum).
func satAdd(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return ^uint64(0)
}
