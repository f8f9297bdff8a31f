package keeper_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/testutil/pagetest"
	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// Every list query of x/oracle, over its query server, against the SDK's
// pagination contract (testutil/pagetest). The records, stats and reports
// are written straight into the store: the queries only read them.

// TestQoSHistoryPaging: a unit's records by window; with window bounds
// (a filter) offset is refused.
func TestQoSHistoryPaging(t *testing.T) {
	f := newFixture(t, 0, nil)
	k, ctx := f.app.OracleKeeper, f.app.Ctx()
	for w := uint64(0); w < 5; w++ {
		for u := uint64(1); u <= 2; u++ {
			require.NoError(t, k.WriteRecordForTest(ctx, types.QoSRecord{UnitId: u, Window: w, Provider: f.provider.String(), Time: f.app.Time}))
		}
	}
	history := func(from, to uint64) pagetest.List {
		return func(page *query.PageRequest) ([]string, *query.PageResponse, error) {
			res, err := f.queries.QoSHistory(f.app.Ctx(), &types.QueryQoSHistoryRequest{UnitId: 2, FromWindow: from, ToWindow: to, Pagination: page})
			if err != nil {
				return nil, nil, err
			}
			return pagetest.IDs(res.Records, func(r types.QoSRecord) any { return r.Window }), res.Pagination, nil
		}
	}
	pagetest.Check(t, history(0, 0), []string{"0", "1", "2", "3", "4"}, pagetest.All)
	pagetest.Check(t, history(1, 3), []string{"1", "2", "3"}, pagetest.Supports{CountTotal: true})
}

// TestReporterStatsPaging: validators' stats by consensus address.
func TestReporterStatsPaging(t *testing.T) {
	f := newFixture(t, 0, nil)
	k, ctx := f.app.OracleKeeper, f.app.Ctx()
	var validators []sdk.ConsAddress
	for _, seed := range []string{"v1", "v2", "v3", "v4"} {
		v := sdk.ConsAddress(addr(seed))
		validators = append(validators, v)
		require.NoError(t, k.ReporterStats.Set(ctx, v, types.ReporterStats{Validator: v.String(), WindowsReported: 1}))
	}
	slices.SortFunc(validators, func(a, b sdk.ConsAddress) int { return bytes.Compare(a, b) })
	pagetest.Check(t, func(page *query.PageRequest) ([]string, *query.PageResponse, error) {
		res, err := f.queries.ReporterStats(f.app.Ctx(), &types.QueryReporterStatsRequest{Pagination: page})
		if err != nil {
			return nil, nil, err
		}
		return pagetest.IDs(res.Stats, func(s types.ReporterStats) any { return s.Validator }), res.Pagination, nil
	}, pagetest.IDs(validators, func(v sdk.ConsAddress) any { return v.String() }), pagetest.All)
}

// TestSelfReportsPaging: a deal's self-reports by id.
func TestSelfReportsPaging(t *testing.T) {
	f := newFixture(t, 0, nil)
	k, ctx := f.app.OracleKeeper, f.app.Ctx()
	for id := uint64(1); id <= 5; id++ {
		deal := uint64(7)
		if id == 3 {
			deal = 8 // another deal's report stays out
		}
		require.NoError(t, k.SelfReports.Set(ctx, collections.Join(deal, id), types.SelfReport{Id: id, DealId: deal, Time: f.app.Time}))
	}
	pagetest.Check(t, func(page *query.PageRequest) ([]string, *query.PageResponse, error) {
		res, err := f.queries.SelfReports(f.app.Ctx(), &types.QuerySelfReportsRequest{DealId: 7, Pagination: page})
		if err != nil {
			return nil, nil, err
		}
		return pagetest.IDs(res.Reports, func(r types.SelfReport) any { return r.Id }), res.Pagination, nil
	}, []string{"1", "2", "4", "5"}, pagetest.All)
}
