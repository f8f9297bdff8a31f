package autopilot

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/api/client"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

func unit(id uint64, provider, region string, price int64, score uint32) client.Unit {
	return client.Unit{DataUnit: orchestratortypes.DataUnit{Id: id, Provider: provider, Region: region, Country: "FR",
		CapacityGb: 100, PricePerGbMonth: sdkmath.NewInt(price)}, Score: score}
}

// TestRankByScorePriceDiversity: the documented rule, integer parts,
// ties to the lower id, diversity counted against earlier picks.
func TestRankByScorePriceDiversity(t *testing.T) {
	units := []client.Unit{
		unit(1, "p1", "eu", 100, 80),
		unit(2, "p1", "eu", 300, 90),
		unit(3, "p2", "us", 200, 60),
		unit(4, "p3", "eu", 100, 80),
	}
	w := Weights{Score: 5, Price: 3, Diversity: 2}
	got := Rank(units, nil, w)
	var ids []uint64
	for _, r := range got {
		ids = append(ids, r.Id)
	}
	// First pick: every unit is new (diversity 100): 1 = 400+300+200 = 900,
	// 4 the same (tie, lower id wins), 2 = 450+0+200 = 650, 3 = 300+150+200.
	require.Equal(t, uint64(900), got[0].Rank)
	require.Equal(t, uint32(100), got[0].Cheapness)
	// Then with unit 1 (eu, p1) placed: 4 = 400+300+2×50 = 800 (new
	// provider, same region); 3 = 300+150+200 = 650; 2 = 450+0+0 = 450.
	// Then with eu/p1, eu/p3: 3 = 650 (new both), 2 = 450.
	require.Equal(t, []uint64{1, 4, 3, 2}, ids)
	require.Equal(t, uint64(800), got[1].Rank)
	require.Equal(t, uint32(50), got[1].Diversity)
	require.Equal(t, uint32(50), got[2].Cheapness)

	// A repository already in eu with p1 prefers the other region.
	got = Rank(units, []Placement{{Region: "eu", Provider: "p1"}}, Weights{Diversity: 1})
	require.Equal(t, uint64(3), got[0].Id)
	// Price alone: the cheapest first; score alone: the best first.
	require.Equal(t, uint64(1), Rank(units, nil, Weights{Price: 1})[0].Id)
	require.Equal(t, uint64(2), Rank(units, nil, Weights{Score: 1})[0].Id)
	// Equal prices are all cheapest.
	same := []client.Unit{unit(7, "a", "x", 5, 0), unit(8, "b", "y", 5, 0)}
	require.Equal(t, uint32(100), Rank(same, nil, w)[1].Cheapness)
}

func TestFilterValidation(t *testing.T) {
	neg := sdkmath.NewInt(-1)
	err := client.Filter{API: "ftp", MinScore: 101, MaxPrice: &neg, Country: "France"}.Validate()
	require.ErrorContains(t, err, `unknown API "ftp"`)
	require.ErrorContains(t, err, "min score 101")
	require.ErrorContains(t, err, "max price -1")
	require.ErrorContains(t, err, `country "France"`)
	require.NoError(t, client.Filter{API: "s3", Country: "FR", MinScore: 60}.Validate())
	api, err := client.ParseAPI("azure-blob")
	require.NoError(t, err)
	require.Equal(t, orchestratortypes.API_COMPATIBILITY_AZURE_BLOB, api)
}

// TestBudget: spending within the budget, refusal beyond it (nothing
// changes but the status), refunds, bounded history, across reopenings.
func TestBudget(t *testing.T) {
	dir := t.TempDir()
	l := OpenLedger(dir, 3)
	budget := sdkmath.NewInt(1000)
	require.NoError(t, l.Spend(budget, sdkmath.NewInt(600)))
	err := l.Spend(budget, sdkmath.NewInt(401))
	require.ErrorIs(t, err, ErrBudget)
	require.ErrorContains(t, err, "401 uflash needed, 400 of the budget of 1000 left")
	s, err := l.Read(budget, 0)
	require.NoError(t, err)
	require.Equal(t, "600", s.Spent)
	require.Equal(t, "400", s.Left)
	require.Contains(t, s.Exhausted, "budget is exhausted")
	require.NoError(t, l.Spend(budget, sdkmath.NewInt(400)))
	require.NoError(t, l.Refund(sdkmath.NewInt(100)))
	s, err = OpenLedger(dir, 3).Read(budget, 0)
	require.NoError(t, err)
	require.Equal(t, "900", s.Spent)
	require.Empty(t, s.Exhausted, "a successful spend clears the refusal")

	for i := 1; i <= 5; i++ {
		_, err := l.Record(Decision{Action: ActionTopUp, Deal: uint64(i)})
		require.NoError(t, err)
	}
	s, err = l.Read(budget, 0)
	require.NoError(t, err)
	require.Len(t, s.Decisions, 3)
	require.Equal(t, uint64(3), s.Decisions[0].Deal)
	require.Equal(t, uint64(5), s.Decisions[2].Deal)
	s, err = l.Read(budget, 1)
	require.NoError(t, err)
	require.Equal(t, uint64(5), s.Decisions[0].Deal)
}

// fakeMarket is a marketplace in memory that records what is sent.
type fakeMarket struct {
	units    []client.Unit
	decline  map[uint64]string // unit → reason
	requests []client.Request
	closed   []uint64
	next     uint64
	deals    map[uint64]orchestratortypes.Deal
}

func (f *fakeMarket) Units(_ context.Context, flt client.Filter, _ int) ([]client.Unit, error) {
	var out []client.Unit
	for _, u := range f.units {
		if (flt.Region == "" || u.Region == flt.Region) && u.Score >= flt.MinScore && (flt.MaxPrice == nil || u.PricePerGbMonth.LTE(*flt.MaxPrice)) {
			out = append(out, u)
		}
	}
	return out, nil
}
func (f *fakeMarket) Unit(_ context.Context, id uint64) (client.Unit, error) {
	for _, u := range f.units {
		if u.Id == id {
			return u, nil
		}
	}
	return client.Unit{}, errors.New("no unit")
}
func (f *fakeMarket) Params(context.Context) (orchestratortypes.Params, error) {
	p := orchestratortypes.DefaultParams()
	p.MinDealDuration, p.MinPrepaidPeriod = time.Second, 10*time.Second
	return p, nil
}
func (f *fakeMarket) RequestDeal(_ context.Context, r client.Request) (uint64, error) {
	f.requests = append(f.requests, r)
	f.next++
	if f.deals == nil {
		f.deals = map[uint64]orchestratortypes.Deal{}
	}
	f.deals[f.next] = orchestratortypes.Deal{Id: f.next, UnitId: r.UnitID, CapacityGb: r.CapacityGB, Term: r.Term}
	return f.next, nil
}
func (f *fakeMarket) WaitDeal(_ context.Context, id uint64, _ time.Duration) (orchestratortypes.Deal, error) {
	d := f.deals[id]
	if reason, ok := f.decline[d.UnitId]; ok {
		return d, &client.DeclinedError{DealID: id, UnitID: d.UnitId, Close: orchestratortypes.CLOSE_REASON_DECLINED, Reason: reason}
	}
	d.State = orchestratortypes.DEAL_STATE_ACTIVE
	return d, nil
}
func (f *fakeMarket) Deal(_ context.Context, id uint64) (*orchestratortypes.QueryDealResponse, error) {
	return &orchestratortypes.QueryDealResponse{Deal: f.deals[id]}, nil
}
func (f *fakeMarket) TopUp(context.Context, uint64, sdkmath.Int) error { return nil }
func (f *fakeMarket) CloseDeal(_ context.Context, id uint64) (time.Time, error) {
	f.closed = append(f.closed, id)
	return time.Now(), nil
}
func (f *fakeMarket) LastUnitVerdict(_ context.Context, u uint64) (orchestratortypes.UnitVerdict, error) {
	return orchestratortypes.UnitVerdict{UnitId: u}, nil
}

// price 2,592,000 uflash per GB-month is 1 uflash per GB-second.
func market() *fakeMarket {
	return &fakeMarket{units: []client.Unit{
		unit(1, "p1", "eu", 2_592_000, 80),
		unit(2, "p2", "us", 2_592_000, 70),
		unit(3, "p3", "eu", 5_184_000, 90),
	}}
}

func plan(replicas int) Plan {
	return Plan{Repository: "media", CapacityGB: 1, Term: 100 * time.Second, Replicas: replicas,
		Weights: Weights{Score: 5, Price: 3, Diversity: 2}, AcceptTimeout: time.Second}
}

// TestReserveBadInputChangesNothing: each bad input is a clear error and
// no request is sent.
func TestReserveBadInputChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*Plan)
		budget int64
		want   string
	}{
		{"zero capacity", func(p *Plan) { p.CapacityGB = 0 }, 1e9, "capacity: must be at least 1 GB"},
		{"no term", func(p *Plan) { p.Term = 0 }, 1e9, "term 0s: must be a positive whole number of seconds"},
		{"zero replicas", func(p *Plan) { p.Replicas = 0 }, 1e9, "replicas 0: must be in [1, 16]"},
		{"more replicas than candidates", func(p *Plan) { p.Replicas = 4 }, 1e9, "4 replicas requested, but only 3 units match the filters and have 1 GB free (units 1, 2, 3)"},
		{"filters leave too few", func(p *Plan) { p.Replicas = 2; p.Filter.Region = "eu"; p.Filter.MinScore = 85 }, 1e9, "2 replicas requested, but only 1 units match"},
		{"unknown API", func(p *Plan) { p.Filter.API = "nfs" }, 1e9, `unknown API "nfs"`},
		{"budget below one deal's escrow", func(p *Plan) {}, 99, "the 1 deposits need 100 uflash, 99 of the budget of 99 is left"},
		{"budget below all deposits", func(p *Plan) { p.Replicas = 3 }, 250, "the 3 deposits need 400 uflash"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := market()
			r := &Reserver{Market: m, Ledger: OpenLedger(t.TempDir(), 10), Budget: sdkmath.NewInt(tc.budget)}
			p := plan(1)
			tc.edit(&p)
			_, err := r.Reserve(context.Background(), p)
			require.ErrorContains(t, err, tc.want)
			require.Empty(t, m.requests, "nothing is requested on chain")
			s, err := r.Ledger.Read(r.Budget, 0)
			require.NoError(t, err)
			require.Equal(t, "0", s.Spent)
		})
	}
}

// TestReserveDeclinesAndRollback: a decline moves to the next unit; the
// budget counts only deals that started; a reservation that cannot get
// all its deals closes the ones it got.
func TestReserveDeclinesAndRollback(t *testing.T) {
	m := market()
	m.decline = map[uint64]string{1: "no room on disk"}
	r := &Reserver{Market: m, Ledger: OpenLedger(t.TempDir(), 50), Budget: sdkmath.NewInt(10_000)}
	got, err := r.Reserve(context.Background(), plan(2))
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, []uint64{1, 2, 3}, unitsOf(m.requests), "unit 1 declined (rank 900); then 2 (850), then 3 (650)")
	s, err := r.Ledger.Read(r.Budget, 0)
	require.NoError(t, err)
	require.Equal(t, "300", s.Spent, "the declined request's deposit is back in the budget")
	require.Equal(t, ActionDeclined, s.Decisions[0].Action)
	require.Contains(t, s.Decisions[0].Reason, "no room on disk")
	require.Equal(t, ActionReserved, s.Decisions[1].Action)

	// All but one unit decline: the one deal got is closed again.
	m = market()
	m.decline = map[uint64]string{1: "full", 2: "full"}
	r = &Reserver{Market: m, Ledger: OpenLedger(t.TempDir(), 50), Budget: sdkmath.NewInt(10_000)}
	_, err = r.Reserve(context.Background(), plan(2))
	require.ErrorContains(t, err, "only 1 of 2 deals could be reserved")
	require.Len(t, m.closed, 1)
	s, err = r.Ledger.Read(r.Budget, 0)
	require.NoError(t, err)
	require.Equal(t, ActionRollback, s.Decisions[len(s.Decisions)-1].Action)

	// Prepay: the deposit covers max(prepay, min_prepaid_period).
	m = market()
	r = &Reserver{Market: m, Ledger: OpenLedger(t.TempDir(), 50), Budget: sdkmath.NewInt(10_000)}
	p := plan(1)
	p.Prepay = 5 * time.Second
	_, err = r.Reserve(context.Background(), p)
	require.NoError(t, err)
	require.Equal(t, "10", m.requests[0].Deposit.String(), fmt.Sprint(m.requests))
}

func unitsOf(rs []client.Request) []uint64 {
	var out []uint64
	for _, r := range rs {
		out = append(out, r.UnitID)
	}
	return out
}
