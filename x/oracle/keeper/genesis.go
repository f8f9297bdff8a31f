package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// InitGenesis writes a validated genesis state and rebuilds the indexes.
func (k Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	var latest *uint64
	for _, a := range gs.Assignments {
		if err := k.Assignments.Set(ctx, a.Window, a); err != nil {
			return err
		}
		if latest == nil || a.Window > *latest {
			w := a.Window
			latest = &w
		}
	}
	if latest != nil {
		if err := k.CurrentWindow.Set(ctx, *latest); err != nil {
			return err
		}
	}
	for _, r := range gs.Records {
		if err := k.Records.Set(ctx, collections.Join(r.UnitId, r.Window), r); err != nil {
			return err
		}
		if err := k.RecordsByWindow.Set(ctx, collections.Join(r.Window, r.UnitId)); err != nil {
			return err
		}
	}
	for _, b := range gs.UnitBuckets {
		if err := k.UnitBuckets.Set(ctx, collections.Join(b.UnitId, b.Bucket.Start), b.Bucket); err != nil {
			return err
		}
		if err := k.UnitBucketsByTime.Set(ctx, collections.Join(b.Bucket.Start, b.UnitId)); err != nil {
			return err
		}
	}
	for _, b := range gs.ProviderBuckets {
		provider, err := k.accAddress(b.Provider)
		if err != nil {
			return err
		}
		if err := k.ProviderBuckets.Set(ctx, collections.Join(provider, b.Bucket.Start), b.Bucket); err != nil {
			return err
		}
		if err := k.ProviderBucketsByTime.Set(ctx, collections.Join(b.Bucket.Start, provider)); err != nil {
			return err
		}
	}
	for _, s := range gs.ReporterStats {
		addr, err := sdk.ConsAddressFromBech32(s.Validator)
		if err != nil {
			return err
		}
		if err := k.ReporterStats.Set(ctx, addr, s); err != nil {
			return err
		}
	}
	for _, r := range gs.SelfReports {
		if err := k.SelfReports.Set(ctx, collections.Join(r.DealId, r.Id), r); err != nil {
			return err
		}
		if err := k.SelfReportsByTime.Set(ctx, collections.Join3(r.Time.Unix(), r.DealId, r.Id)); err != nil {
			return err
		}
		reporter, err := k.accAddress(r.Reporter)
		if err != nil {
			return err
		}
		key := collections.Join(r.DealId, reporter)
		last, err := k.LastSelfReport.Get(ctx, key)
		if err != nil && !errors.Is(err, collections.ErrNotFound) {
			return err
		}
		if r.Time.Unix() > last {
			if err := k.LastSelfReport.Set(ctx, key, r.Time.Unix()); err != nil {
				return err
			}
		}
	}
	return k.NextSelfReportID.Set(ctx, gs.NextSelfReportId)
}

// ExportGenesis reads the whole module state back into a genesis state.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params}
	if gs.NextSelfReportId, err = k.NextSelfReportID.Peek(ctx); err != nil {
		return nil, err
	}
	if err := k.Assignments.Walk(ctx, nil, func(_ uint64, a types.Assignment) (bool, error) {
		gs.Assignments = append(gs.Assignments, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Records.Walk(ctx, nil, func(_ collections.Pair[uint64, uint64], r types.QoSRecord) (bool, error) {
		gs.Records = append(gs.Records, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.UnitBuckets.Walk(ctx, nil, func(key collections.Pair[uint64, int64], b types.SummaryBucket) (bool, error) {
		gs.UnitBuckets = append(gs.UnitBuckets, types.UnitBucket{UnitId: key.K1(), Bucket: b})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.ProviderBuckets.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, int64], b types.SummaryBucket) (bool, error) {
		gs.ProviderBuckets = append(gs.ProviderBuckets, types.ProviderBucket{Provider: key.K1().String(), Bucket: b})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.ReporterStats.Walk(ctx, nil, func(_ sdk.ConsAddress, s types.ReporterStats) (bool, error) {
		gs.ReporterStats = append(gs.ReporterStats, s)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.SelfReports.Walk(ctx, nil, func(_ collections.Pair[uint64, uint64], r types.SelfReport) (bool, error) {
		gs.SelfReports = append(gs.SelfReports, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
