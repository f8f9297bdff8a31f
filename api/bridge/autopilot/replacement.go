package autopilot

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/flashbacknetwork/flashbackd/api/client"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// bktFilters holds, per repository, the filters it was last reserved with.
var bktFilters = []byte("filters")

// SaveFilter records the filters repository was reserved with (the unit's
// free capacity is the plan's, not a filter: it is not kept). A
// replacement of one of its deals uses them (ReplacementPlan): a
// repository reserved in one region, on certified providers or under a
// price stays so when the autopilot replaces a deal.
func (l *Ledger) SaveFilter(repository string, f client.Filter) error {
	f.MinFreeGB = 0
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return l.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bktFilters)
		if err != nil {
			return err
		}
		return b.Put([]byte(repository), raw)
	})
}

// Filter is what SaveFilter recorded for repository; found is false for a
// repository no reservation made (its deals were named in bridge.toml by
// hand), whose replacements take any unit.
func (l *Ledger) Filter(repository string) (f client.Filter, found bool, err error) {
	err = l.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktFilters)
		if b == nil {
			return nil
		}
		raw := b.Get([]byte(repository))
		if raw == nil {
			return nil
		}
		found = true
		return json.Unmarshal(raw, &f)
	})
	return f, found, err
}

// ReplacementPlan is the plan of the one deal that replaces old in
// repository, whose deals are members (old among them): the same capacity
// and term, the filters the repository was reserved with (Filter), ranked
// against the other members' placements, on none of the members' units.
// base carries the settings (weights, prepay, accept timeout).
func (r *Reserver) ReplacementPlan(ctx context.Context, repository string, old orchestratortypes.Deal, members []uint64, base Plan) (Plan, error) {
	p := base
	p.Repository, p.CapacityGB, p.Term, p.Replicas = repository, old.CapacityGb, old.Term, 1
	p.Used, p.ExcludeUnits = nil, nil
	f, _, err := r.Ledger.Filter(repository)
	if err != nil {
		return Plan{}, fmt.Errorf("reading the repository's filters: %w", err)
	}
	p.Filter = f
	for _, id := range members {
		res, err := r.Market.Deal(ctx, id)
		if err != nil {
			return Plan{}, err
		}
		p.ExcludeUnits = append(p.ExcludeUnits, res.Deal.UnitId)
		if id == old.Id {
			continue
		}
		u, err := r.Market.Unit(ctx, res.Deal.UnitId)
		if err != nil {
			return Plan{}, err
		}
		p.Used = append(p.Used, Placement{Region: u.Region, Provider: u.Provider})
	}
	return p, nil
}
