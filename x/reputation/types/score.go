package types

import (
	"fmt"

	sdkmath "cosmossdk.io/math"

	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// StarPoints maps stars to the 0–100 scale: 1★ = 20 … 5★ = 100 (design
// brief: stars × 20).
const StarPoints = 20

// Delta is the objective score change of a verdict (UNKNOWN: none).
func (p Params) Delta(v orchtypes.SlaVerdict) int32 {
	switch v {
	case orchtypes.SLA_VERDICT_MET:
		return p.DeltaMet
	case orchtypes.SLA_VERDICT_EXCEEDED:
		return p.DeltaExceeded
	case orchtypes.SLA_VERDICT_MISSED:
		return p.DeltaMissed
	case orchtypes.SLA_VERDICT_CRITICAL:
		return p.DeltaCritical
	default:
		return 0
	}
}

// ApplyDelta moves a score by delta within [MinScore, MaxScore].
func ApplyDelta(score uint32, delta int32) uint32 {
	s := int64(score) + int64(delta)
	switch {
	case s < MinScore:
		return MinScore
	case s > MaxScore:
		return MaxScore
	default:
		return uint32(s)
	}
}

// DecayToward moves a score by at most points toward the baseline.
func DecayToward(score, baseline, points uint32) uint32 {
	switch {
	case score > baseline:
		if score-baseline < points {
			return baseline
		}
		return score - points
	case score < baseline:
		if baseline-score < points {
			return baseline
		}
		return score + points
	default:
		return score
	}
}

// MaxStars is the most stars a rating gives (and the number of entries of
// CommunityAccumulator.StarCounts); the least is 1.
const MaxStars = 5

// NewCommunityAccumulator returns empty sums.
func NewCommunityAccumulator() CommunityAccumulator {
	z := sdkmath.LegacyZeroDec()
	return CommunityAccumulator{
		RecentWeightedStars: z, RecentWeight: z, OldWeightedStars: z, OldWeight: z,
		StarCounts: make([]uint64, MaxStars),
	}
}

// countStars adds delta (+1 or -1) to the count of ratings with `stars`.
// Since the v2 upgrade (x/reputation/migrations/v2) every record has
// MaxStars counts; growing a shorter slice only keeps a malformed record from
// panicking the block, and the community invariant reports it.
func (a *CommunityAccumulator) countStars(stars uint32, delta int) {
	if stars < 1 || stars > MaxStars {
		return
	}
	for len(a.StarCounts) < MaxStars {
		a.StarCounts = append(a.StarCounts, 0)
	}
	switch {
	case delta > 0:
		a.StarCounts[stars-1]++
	case a.StarCounts[stars-1] > 0:
		a.StarCounts[stars-1]--
	}
}

// ValidateStarCounts checks that the per-star counts have MaxStars entries
// adding up to Count.
func (a CommunityAccumulator) ValidateStarCounts() error {
	if len(a.StarCounts) != MaxStars {
		return fmt.Errorf("star_counts has %d entries, want %d", len(a.StarCounts), MaxStars)
	}
	var sum uint64
	for _, n := range a.StarCounts {
		sum += n
	}
	if sum != a.Count {
		return fmt.Errorf("star_counts add up to %d, count is %d", sum, a.Count)
	}
	return nil
}

// Add counts a rating of `stars` with base weight w (1, or the verified
// weight) in the recent or the old sums.
func (a *CommunityAccumulator) Add(stars uint32, w sdkmath.LegacyDec, recent bool) {
	ws := w.MulInt64(int64(stars))
	if recent {
		a.RecentWeightedStars, a.RecentWeight = a.RecentWeightedStars.Add(ws), a.RecentWeight.Add(w)
	} else {
		a.OldWeightedStars, a.OldWeight = a.OldWeightedStars.Add(ws), a.OldWeight.Add(w)
	}
	a.Count++
	a.countStars(stars, +1)
}

// Remove takes a rating out of the sums (it is hidden).
func (a *CommunityAccumulator) Remove(stars uint32, w sdkmath.LegacyDec, recent bool) {
	ws := w.MulInt64(int64(stars))
	if recent {
		a.RecentWeightedStars, a.RecentWeight = a.RecentWeightedStars.Sub(ws), a.RecentWeight.Sub(w)
	} else {
		a.OldWeightedStars, a.OldWeight = a.OldWeightedStars.Sub(ws), a.OldWeight.Sub(w)
	}
	if a.Count > 0 {
		a.Count--
	}
	a.countStars(stars, -1)
}

// Age moves a rating from the recent sums to the old ones.
func (a *CommunityAccumulator) Age(stars uint32, w sdkmath.LegacyDec) {
	ws := w.MulInt64(int64(stars))
	a.RecentWeightedStars, a.RecentWeight = a.RecentWeightedStars.Sub(ws), a.RecentWeight.Sub(w)
	a.OldWeightedStars, a.OldWeight = a.OldWeightedStars.Add(ws), a.OldWeight.Add(w)
}

// Score is the weighted average of the stars on the 0–100 scale, recent
// ratings weighing recentWeight times more:
//
//	(R·Σrecent w·stars + Σold w·stars) / (R·Σrecent w + Σold w) × 20,
//
// truncated; 0 without ratings.
func (a CommunityAccumulator) Score(recentWeight sdkmath.LegacyDec) uint32 {
	num := a.RecentWeightedStars.Mul(recentWeight).Add(a.OldWeightedStars)
	den := a.RecentWeight.Mul(recentWeight).Add(a.OldWeight)
	if !den.IsPositive() {
		return 0
	}
	score := num.MulInt64(StarPoints).Quo(den).TruncateInt64()
	if score > MaxScore {
		return MaxScore
	}
	if score < MinScore {
		return MinScore
	}
	return uint32(score)
}

// Overall combines the objective and community scores: the weights when the
// community score is public, the objective alone otherwise. Truncated.
func (p Params) Overall(objective, community uint32, public bool) uint32 {
	if !public {
		return objective
	}
	v := p.ObjectiveWeight.MulInt64(int64(objective)).Add(p.CommunityWeight.MulInt64(int64(community)))
	return uint32(v.TruncateInt64())
}
