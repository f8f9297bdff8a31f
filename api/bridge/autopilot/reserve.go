package autopilot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/api/client"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Market is what the autopilot needs of the chain (*client.Client).
type Market interface {
	Units(ctx context.Context, f client.Filter, limit int) ([]client.Unit, error)
	Unit(ctx context.Context, id uint64) (client.Unit, error)
	Params(ctx context.Context) (orchestratortypes.Params, error)
	RequestDeal(ctx context.Context, r client.Request) (uint64, error)
	WaitDeal(ctx context.Context, id uint64, timeout time.Duration) (orchestratortypes.Deal, error)
	Deal(ctx context.Context, id uint64) (*orchestratortypes.QueryDealResponse, error)
	TopUp(ctx context.Context, id uint64, amount sdkmath.Int) error
	CloseDeal(ctx context.Context, id uint64) (time.Time, error)
	LastUnitVerdict(ctx context.Context, unit uint64) (orchestratortypes.UnitVerdict, error)
}

var _ Market = (*client.Client)(nil)

// MaxReplicas is the most deals a repository may have (bridge.toml's limit).
const MaxReplicas = 16

// Plan is a reservation: Replicas deals of CapacityGB for Term on units
// that pass Filter, ranked with Weights.
type Plan struct {
	Repository string
	CapacityGB uint64
	Term       time.Duration
	Replicas   int
	Filter     client.Filter
	Weights    Weights
	// Prepay is how much of the term each deposit covers (0: all of it;
	// never less than the chain's min_prepaid_period).
	Prepay time.Duration
	// AcceptTimeout bounds the wait for each provider's answer.
	AcceptTimeout time.Duration
	// Used are the repository's current placements (for diversity);
	// ExcludeUnits are never picked (units the repository already uses,
	// a unit being replaced).
	Used         []Placement
	ExcludeUnits []uint64
}

// Validate checks the plan without the chain.
func (p Plan) Validate() error {
	var errs []error
	if p.CapacityGB == 0 {
		errs = append(errs, errors.New("capacity: must be at least 1 GB"))
	}
	if p.Term <= 0 || p.Term%time.Second != 0 {
		errs = append(errs, fmt.Errorf("term %s: must be a positive whole number of seconds", p.Term))
	}
	if p.Replicas < 1 || p.Replicas > MaxReplicas {
		errs = append(errs, fmt.Errorf("replicas %d: must be in [1, %d]", p.Replicas, MaxReplicas))
	}
	if p.AcceptTimeout < time.Second {
		errs = append(errs, fmt.Errorf("accept timeout %s: must be at least 1s", p.AcceptTimeout))
	}
	if err := p.Filter.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Reserver reserves deals for plans, spending from a budget.
type Reserver struct {
	Market Market
	Ledger *Ledger
	Budget sdkmath.Int
	Logger log.Logger
}

// Reserved is a deal a reservation got.
type Reserved struct {
	Deal    orchestratortypes.Deal
	Unit    client.Unit
	Deposit sdkmath.Int
}

// deposit is what a new deal on u deposits: the cost of the prepaid part.
func (p Plan) deposit(u client.Unit, minPrepaid time.Duration) sdkmath.Int {
	period := p.Term
	if p.Prepay > 0 && p.Prepay < p.Term {
		period = max(p.Prepay, minPrepaid)
		period = min(period, p.Term)
	}
	return client.TermCost(u.PricePerGbMonth, p.CapacityGB, period)
}

// Candidates lists the units that pass the plan's filter, have room, are
// not excluded and whose deal's cost is above zero, ranked.
func (r *Reserver) Candidates(ctx context.Context, p Plan) ([]Ranked, orchestratortypes.Params, error) {
	params, err := r.Market.Params(ctx)
	if err != nil {
		return nil, params, err
	}
	if p.Term < params.MinDealDuration || p.Term > params.MaxDealDuration {
		return nil, params, fmt.Errorf("term %s: the chain accepts terms from %s to %s", p.Term, params.MinDealDuration, params.MaxDealDuration)
	}
	f := p.Filter
	f.MinFreeGB = max(f.MinFreeGB, p.CapacityGB)
	units, err := r.Market.Units(ctx, f, 0)
	if err != nil {
		return nil, params, err
	}
	var ok []client.Unit
	for _, u := range units {
		if containsID(p.ExcludeUnits, u.Id) || u.FreeGB() < p.CapacityGB || !p.deposit(u, params.MinPrepaidPeriod).IsPositive() {
			continue
		}
		ok = append(ok, u)
	}
	sortByID(ok)
	return Rank(ok, p.Used, p.Weights), params, nil
}

func containsID(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Reserve reserves p.Replicas deals. It checks first, with nothing sent:
// the plan, that there are enough candidates, and that the budget covers
// the deposits of the best ones. Then it requests the best candidate's
// deal, waits for the provider's answer and, on a decline (or no answer),
// tries the next. If it cannot get them all, the deals it got are closed
// (a rollback, recorded) and the error says why. Every step is recorded,
// and the plan's filters are kept for the repository's replacements
// (Ledger.SaveFilter).
func (r *Reserver) Reserve(ctx context.Context, p Plan) ([]Reserved, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ranked, params, err := r.Candidates(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(ranked) < p.Replicas {
		return nil, fmt.Errorf("%d replicas requested, but only %d units match the filters and have %d GB free%s",
			p.Replicas, len(ranked), p.CapacityGB, describeUnits(ranked))
	}
	need := sdkmath.ZeroInt()
	for _, c := range ranked[:p.Replicas] {
		need = need.Add(p.deposit(c.Unit, params.MinPrepaidPeriod))
	}
	summary, err := r.Ledger.Read(r.Budget, 0)
	if err != nil {
		return nil, err
	}
	left, _ := sdkmath.NewIntFromString(summary.Left)
	if need.GT(left) {
		err := fmt.Errorf("%w: the %d deposits need %s uflash, %s of the budget of %s is left (autopilot.budget_uflash); nothing was requested",
			ErrBudget, p.Replicas, need, left, r.Budget)
		_ = r.Ledger.Refuse(err.Error())
		r.record(Decision{Action: ActionBudget, Repository: p.Repository, Amount: need.String(), Reason: err.Error()})
		return nil, err
	}

	var got []Reserved
	all := make([]client.Unit, len(ranked))
	for i, c := range ranked {
		all[i] = c.Unit
	}
	left2 := append([]client.Unit(nil), all...)
	placed := append([]Placement(nil), p.Used...)
	var declines []string
	for len(got) < p.Replicas && len(left2) > 0 && ctx.Err() == nil {
		best, i := Next(left2, all, placed, p.Weights)
		left2 = append(left2[:i], left2[i+1:]...)
		res, err := r.reserveOne(ctx, p, best, params)
		if err != nil {
			var d *client.DeclinedError
			if errors.Is(err, ErrBudget) {
				r.rollback(ctx, p, got, err)
				return nil, err
			}
			if errors.As(err, &d) || errors.Is(err, client.ErrNoAnswer) {
				declines = append(declines, err.Error())
				continue
			}
			r.rollback(ctx, p, got, err)
			return nil, err
		}
		got = append(got, res)
		placed = append(placed, Placement{Region: best.Region, Provider: best.Provider})
	}
	if len(got) < p.Replicas {
		err := fmt.Errorf("only %d of %d deals could be reserved: %s", len(got), p.Replicas, strings.Join(declines, "; "))
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%d of %d deals reserved)", ctx.Err(), len(got), p.Replicas)
		}
		r.rollback(ctx, p, got, err)
		return nil, err
	}
	if err := r.Ledger.SaveFilter(p.Repository, p.Filter); err != nil {
		r.record(Decision{Action: ActionFailed, Repository: p.Repository, Reason: "recording the repository's filters for its replacements: " + err.Error()})
	}
	return got, nil
}

// reserveOne requests a deal on c, spending its deposit from the budget
// (given back when the request does not become a deal).
func (r *Reserver) reserveOne(ctx context.Context, p Plan, c Ranked, params orchestratortypes.Params) (Reserved, error) {
	dep := p.deposit(c.Unit, params.MinPrepaidPeriod)
	if err := r.Ledger.Spend(r.Budget, dep); err != nil {
		if errors.Is(err, ErrBudget) {
			r.record(Decision{Action: ActionBudget, Repository: p.Repository, Unit: c.Id, Amount: dep.String(), Reason: err.Error()})
		}
		return Reserved{}, err
	}
	id, err := r.Market.RequestDeal(ctx, client.Request{UnitID: c.Id, CapacityGB: p.CapacityGB, Term: p.Term, SLA: c.Sla, Deposit: dep})
	if err != nil {
		_ = r.Ledger.Refund(dep)
		r.record(Decision{Action: ActionFailed, Repository: p.Repository, Unit: c.Id, Reason: err.Error()})
		return Reserved{}, err
	}
	d, err := r.Market.WaitDeal(ctx, id, p.AcceptTimeout)
	if err != nil {
		var dec *client.DeclinedError
		if errors.As(err, &dec) || errors.Is(err, client.ErrNoAnswer) {
			_ = r.Ledger.Refund(dep)
			r.record(Decision{Action: ActionDeclined, Repository: p.Repository, Deal: id, Unit: c.Id, Reason: err.Error() + "; trying the next unit"})
		} else {
			r.record(Decision{Action: ActionFailed, Repository: p.Repository, Deal: id, Unit: c.Id, Reason: err.Error()})
		}
		return Reserved{}, err
	}
	r.record(Decision{Action: ActionReserved, Repository: p.Repository, Deal: id, Unit: c.Id, Amount: dep.String(),
		Reason: fmt.Sprintf("rank %d (score %d, cheapness %d, diversity %d); %s %s, price %s/GB-month",
			c.Rank, c.Score, c.Cheapness, c.Diversity, c.Region, c.Country, c.PricePerGbMonth)})
	return Reserved{Deal: d, Unit: c.Unit, Deposit: dep}, nil
}

// rollback closes the deals a failed reservation got (what is left of
// their escrow is refunded; what they used stays spent).
func (r *Reserver) rollback(ctx context.Context, p Plan, got []Reserved, why error) {
	for _, g := range got {
		_, err := r.Market.CloseDeal(context.WithoutCancel(ctx), g.Deal.Id)
		reason := "the reservation failed (" + why.Error() + "); the deal was closed"
		if err != nil {
			reason = "the reservation failed (" + why.Error() + "); closing the deal failed too: " + err.Error()
		}
		r.record(Decision{Action: ActionRollback, Repository: p.Repository, Deal: g.Deal.Id, Unit: g.Unit.Id, Reason: reason})
	}
}

func (r *Reserver) record(d Decision) {
	d, err := r.Ledger.Record(d)
	logger := r.Logger
	if logger == nil {
		logger = log.NewNopLogger()
	}
	if err != nil {
		logger.Error("autopilot: recording a decision failed", "err", err)
	}
	logger.Info("autopilot: "+d.Action, "repository", d.Repository, "deal", d.Deal, "unit", d.Unit, "new_deal", d.NewDeal, "amount", d.Amount, "reason", d.Reason)
}

func describeUnits(rs []Ranked) string {
	if len(rs) == 0 {
		return ""
	}
	us := make([]client.Unit, len(rs))
	for i, r := range rs {
		us[i] = r.Unit
	}
	sortByID(us)
	var ids []string
	for _, u := range us {
		ids = append(ids, fmt.Sprint(u.Id))
	}
	return " (units " + strings.Join(ids, ", ") + ")"
}
