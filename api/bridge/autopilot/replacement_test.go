package autopilot

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/api/client"
)

// TestReplacementKeepsTheFilters: the filters a repository was reserved
// with are kept (every one of them, across reopening the ledger) and a
// replacement of one of its deals uses them: with none of its region left
// nothing is requested, although a unit elsewhere ranks higher; with one,
// that one is picked. A repository no reservation made has none.
func TestReplacementKeepsTheFilters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	maxPrice := sdkmath.NewInt(6_000_000)
	all := client.Filter{Region: "eu", Country: "FR", API: "s3", MinScore: 10, MaxPrice: &maxPrice, CertifiedOnly: true, MinFreeGB: 5}
	l := OpenLedger(dir, 10)
	require.NoError(t, l.SaveFilter("photos", all))
	got, found, err := OpenLedger(dir, 10).Filter("photos")
	require.NoError(t, err)
	require.True(t, found)
	want := all
	want.MinFreeGB = 0 // the plan's capacity, not a filter
	require.Equal(t, want, got)
	_, found, err = l.Filter("other")
	require.NoError(t, err)
	require.False(t, found)

	m := market()
	r := &Reserver{Market: m, Ledger: l, Budget: sdkmath.NewInt(10_000)}
	p := plan(2)
	p.Filter.Region = "eu"
	res, err := r.Reserve(ctx, p)
	require.NoError(t, err)
	require.Equal(t, []uint64{1, 3}, unitsOf(m.requests))
	old := res[0].Deal
	require.EqualValues(t, 1, old.UnitId)

	rp, err := r.ReplacementPlan(ctx, "media", old, []uint64{res[0].Deal.Id, res[1].Deal.Id}, plan(7))
	require.NoError(t, err)
	require.Equal(t, "eu", rp.Filter.Region)
	require.Equal(t, 1, rp.Replicas)
	require.Equal(t, []uint64{1, 3}, rp.ExcludeUnits)
	require.Equal(t, []Placement{{Region: "eu", Provider: "p3"}}, rp.Used)
	_, err = r.Reserve(ctx, rp)
	require.ErrorContains(t, err, "1 replicas requested, but only 0 units match the filters", "unit 2 (us) is not eligible")
	require.Len(t, m.requests, 2, "nothing requested")

	// A second eu unit, ranked below unit 2 (us: a new region), is the
	// replacement.
	m.units = append(m.units, unit(4, "p4", "eu", 2_592_000, 70))
	res2, err := r.Reserve(ctx, rp)
	require.NoError(t, err)
	require.EqualValues(t, 4, res2[0].Unit.Id)
	noFilter := rp
	noFilter.Filter = client.Filter{}
	ranked, _, err := r.Candidates(ctx, noFilter)
	require.NoError(t, err)
	require.EqualValues(t, 2, ranked[0].Id, "without the filters unit 2 would have been picked")

	// A repository whose deals no reservation made: no filters.
	rp, err = r.ReplacementPlan(ctx, "by-hand", old, []uint64{old.Id}, plan(1))
	require.NoError(t, err)
	require.Equal(t, client.Filter{}, rp.Filter)
}
