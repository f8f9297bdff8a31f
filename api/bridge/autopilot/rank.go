// Package autopilot is the bridge's autopilot: it picks data units from the
// marketplace by score, price and region diversity, reserves deals on them
// with escrow from a budget (`flashbackd bridge reserve`), and, inside
// `flashbackd bridge serve`, tops up, renews and replaces the repositories'
// deals. Every decision is logged and kept, bounded, in a bbolt file
// (Ledger). Integer arithmetic only: the same inputs rank the same way.
package autopilot

import (
	"sort"

	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/api/client"
)

// Weights weigh a candidate's score, cheapness and diversity in its rank
// (bridge.toml's autopilot.weight_*).
type Weights struct {
	Score, Price, Diversity uint32
}

// Placement is where a repository already keeps a replica: a unit's
// region and provider.
type Placement struct {
	Region   string
	Provider string
}

// Ranked is a candidate with the parts of its rank.
type Ranked struct {
	client.Unit
	Cheapness uint32 // 0–100: 100 the cheapest candidate, 0 the dearest
	Diversity uint32 // 0, 50 or 100
	Rank      uint64
}

// Rank orders candidates for a repository whose replicas are already at
// used: greedily, each next pick is the candidate of the highest
//
//	rank = w.Score × score + w.Price × cheapness + w.Diversity × diversity
//
// given the picks before it, where score is the unit's score (0–100),
// cheapness is 100 × (max − price) / (max − min) over the candidates'
// prices per GB-month (100 when they are all equal), and diversity is 100
// for a unit whose region and provider are both new to the repository, 50
// when one of them is, 0 otherwise. Ties go to the lower unit id. The order
// is what a reservation tries: a unit that declines is skipped and the
// next one taken (its diversity then counted against the picks that
// succeeded, see Next).
func Rank(cands []client.Unit, used []Placement, w Weights) []Ranked {
	left := append([]client.Unit(nil), cands...)
	placed := append([]Placement(nil), used...)
	var out []Ranked
	for len(left) > 0 {
		best, i := Next(left, cands, placed, w)
		out = append(out, best)
		placed = append(placed, Placement{Region: best.Region, Provider: best.Provider})
		left = append(left[:i], left[i+1:]...)
	}
	return out
}

// Next is the best of left (an index into left) for a repository at used;
// prices are scaled over all, the whole candidate list.
func Next(left, all []client.Unit, used []Placement, w Weights) (Ranked, int) {
	lo, hi := priceRange(all)
	bestI := -1
	var best Ranked
	for i, u := range left {
		r := Ranked{Unit: u, Cheapness: cheapness(u.PricePerGbMonth, lo, hi), Diversity: diversity(u, used)}
		r.Rank = uint64(w.Score)*uint64(min(u.Score, 100)) + uint64(w.Price)*uint64(r.Cheapness) + uint64(w.Diversity)*uint64(r.Diversity)
		if bestI < 0 || r.Rank > best.Rank || (r.Rank == best.Rank && u.Id < best.Id) {
			best, bestI = r, i
		}
	}
	return best, bestI
}

func priceRange(us []client.Unit) (lo, hi sdkmath.Int) {
	for i, u := range us {
		p := u.PricePerGbMonth
		if i == 0 || p.LT(lo) {
			lo = p
		}
		if i == 0 || p.GT(hi) {
			hi = p
		}
	}
	return lo, hi
}

func cheapness(p, lo, hi sdkmath.Int) uint32 {
	if hi.Equal(lo) {
		return 100
	}
	return uint32(hi.Sub(p).MulRaw(100).Quo(hi.Sub(lo)).Uint64())
}

func diversity(u client.Unit, used []Placement) uint32 {
	newRegion, newProvider := true, true
	for _, p := range used {
		if p.Region == u.Region {
			newRegion = false
		}
		if p.Provider == u.Provider {
			newProvider = false
		}
	}
	switch {
	case newRegion && newProvider:
		return 100
	case newRegion || newProvider:
		return 50
	}
	return 0
}

// sortByID orders units by id (the chain's order varies with priority fees).
func sortByID(us []client.Unit) {
	sort.Slice(us, func(i, j int) bool { return us[i].Id < us[j].Id })
}
