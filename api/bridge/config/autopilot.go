package config

import (
	"fmt"
	"time"

	sdkmath "cosmossdk.io/math"
)

// Autopilot is the [autopilot] section: how `flashbackd bridge reserve`
// ranks units, and what `flashbackd bridge serve` does by itself with the
// repositories' deals.
type Autopilot struct {
	Enabled       bool     `toml:"enabled" comment:"true: bridge serve watches every repository's deals: tops up their escrow from the budget, replaces a deal before it\nends (renew_margin) or when its unit's last SLA verdict on chain is CRITICAL, copying its objects to the new deal\n(the repair mechanism) before closing it. false: it only shows the deals (bridge reserve works either way)."`
	Interval      Duration `toml:"interval" comment:"How often the autopilot looks at the deals."`
	BudgetUflash  string   `toml:"budget_uflash" comment:"Total uflash the autopilot may spend (deposits of the deals it reserves, top-ups), across restarts (what it spent is\nkept in data_dir/autopilot.db). When the next action would exceed it, nothing is sent and bridge status says so.\n0: nothing may be spent."`
	RenewMargin   Duration `toml:"renew_margin" comment:"A deal that ends within this margin is replaced by a new deal of the same capacity and term."`
	TopUpMargin   Duration `toml:"top_up_margin" comment:"A deal whose escrow runs dry within this margin (before its end) is topped up to cover top_up_period more."`
	TopUpPeriod   Duration `toml:"top_up_period" comment:"How much service one top-up buys (never more than the rest of the deal's term)."`
	Prepay        Duration `toml:"prepay" comment:"How much of a new deal's term its deposit covers (at least the chain's min_prepaid_period; the rest is topped up).\n0: the whole term."`
	AcceptTimeout Duration `toml:"accept_timeout" comment:"How long to wait for a provider to accept a request before cancelling it and trying the next unit."`
	WeightScore   uint32   `toml:"weight_score" comment:"Ranking of candidate units: rank = weight_score × score + weight_price × cheapness + weight_diversity × diversity,\nwhere score is the unit's score (0–100), cheapness is 100 for the cheapest candidate and 0 for the dearest (linear\nin price per GB-month), and diversity is 100 for a unit in a region (and of a provider) the repository does not use\nyet, 50 for a new region of a used provider or a used region of a new provider, 0 otherwise. Ties: lower unit id."`
	WeightPrice   uint32   `toml:"weight_price" comment:"See weight_score."`
	WeightDivers  uint32   `toml:"weight_diversity" comment:"See weight_score."`
	HistorySize   int      `toml:"history_size" comment:"How many past decisions data_dir/autopilot.db keeps (shown by bridge status)."`
}

// Autopilot defaults.
const (
	DefaultAutopilotInterval = time.Minute
	DefaultRenewMargin       = 24 * time.Hour
	DefaultTopUpMargin       = 24 * time.Hour
	DefaultTopUpPeriod       = 7 * 24 * time.Hour
	DefaultAcceptTimeout     = 2 * time.Minute
	DefaultWeightScore       = 5
	DefaultWeightPrice       = 3
	DefaultWeightDiversity   = 2
	DefaultHistorySize       = 200
	maxHistorySize           = 10_000
	maxWeight                = 1000
)

// DefaultAutopilot is the section as init writes it: off, no budget.
func DefaultAutopilot() Autopilot {
	return Autopilot{
		Interval: Duration{DefaultAutopilotInterval}, BudgetUflash: "0",
		RenewMargin: Duration{DefaultRenewMargin}, TopUpMargin: Duration{DefaultTopUpMargin}, TopUpPeriod: Duration{DefaultTopUpPeriod},
		AcceptTimeout: Duration{DefaultAcceptTimeout},
		WeightScore:   DefaultWeightScore, WeightPrice: DefaultWeightPrice, WeightDivers: DefaultWeightDiversity,
		HistorySize: DefaultHistorySize,
	}
}

// OrDefault is the section, or the defaults when the file has none (a
// bridge.toml written before the autopilot existed).
func (a Autopilot) OrDefault() Autopilot {
	if a == (Autopilot{}) {
		return DefaultAutopilot()
	}
	return a
}

// Budget is budget_uflash as a number.
func (a Autopilot) Budget() (sdkmath.Int, error) {
	if a.BudgetUflash == "" {
		return sdkmath.ZeroInt(), nil
	}
	v, ok := sdkmath.NewIntFromString(a.BudgetUflash)
	if !ok || v.IsNegative() {
		return sdkmath.Int{}, fmt.Errorf("%q is not a whole, non-negative number of uflash", a.BudgetUflash)
	}
	return v, nil
}

// validate reports the section's bad values with their keys.
func (a Autopilot) validate(bad func(key, format string, args ...any)) {
	if a == (Autopilot{}) {
		return // absent: the defaults
	}
	if d := a.Interval.Duration; d < minInterval || d > maxInterval {
		bad("autopilot.interval", "%s: must be in [%s, %s]", d, minInterval, maxInterval)
	}
	if _, err := a.Budget(); err != nil {
		bad("autopilot.budget_uflash", "%v", err)
	}
	for _, kv := range []struct {
		key string
		d   time.Duration
	}{{"autopilot.renew_margin", a.RenewMargin.Duration}, {"autopilot.top_up_margin", a.TopUpMargin.Duration}, {"autopilot.prepay", a.Prepay.Duration}} {
		if kv.d < 0 {
			bad(kv.key, "%s: must not be negative", kv.d)
		}
	}
	if a.TopUpPeriod.Duration < time.Second {
		bad("autopilot.top_up_period", "%s: must be at least 1s", a.TopUpPeriod.Duration)
	}
	if a.AcceptTimeout.Duration < time.Second {
		bad("autopilot.accept_timeout", "%s: must be at least 1s", a.AcceptTimeout.Duration)
	}
	for _, kv := range []struct {
		key string
		w   uint32
	}{{"autopilot.weight_score", a.WeightScore}, {"autopilot.weight_price", a.WeightPrice}, {"autopilot.weight_diversity", a.WeightDivers}} {
		if kv.w > maxWeight {
			bad(kv.key, "%d: must be in [0, %d]", kv.w, maxWeight)
		}
	}
	if a.HistorySize < 1 || a.HistorySize > maxHistorySize {
		bad("autopilot.history_size", "%d: must be in [1, %d]", a.HistorySize, maxHistorySize)
	}
}
