package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the module, its store key and its module account.
	ModuleName = "orchestrator"

	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
)

// Collection prefixes. Each collection owns exactly one prefix; never reuse a
// retired prefix.
var (
	ParamsKey          = collections.NewPrefix(0)
	ProvidersKey       = collections.NewPrefix(1)
	ConsumersKey       = collections.NewPrefix(2)
	DataUnitsKey       = collections.NewPrefix(3)
	NextUnitIDKey      = collections.NewPrefix(4)
	UnitsByProviderKey = collections.NewPrefix(5)
	UnitsByStateKey    = collections.NewPrefix(6)
	MarketIndexKey     = collections.NewPrefix(7)
	DealsKey           = collections.NewPrefix(8)
	NextDealIDKey      = collections.NewPrefix(9)
	DealsByConsumerKey = collections.NewPrefix(10)
	DealsByProviderKey = collections.NewPrefix(11)
	// 12 was DealsByUnit, folded into DealsByProvider; do not reuse.
	// 13 was DealsByState (every deal by state), replaced by LiveDeals (25); do not reuse.
	DueQueueKey            = collections.NewPrefix(14)
	StatsKey               = collections.NewPrefix(15)
	UnbondingQueueKey      = collections.NewPrefix(16)
	LiveUnitsKey           = collections.NewPrefix(17)
	DealVerdictsKey        = collections.NewPrefix(18)
	DealVerdictsByEpochKey = collections.NewPrefix(19)
	UnitVerdictsKey        = collections.NewPrefix(20)
	UnitVerdictsByEpochKey = collections.NewPrefix(21)
	SlaRoundsKey           = collections.NewPrefix(22)
	DealVerdictsByUnitKey  = collections.NewPrefix(23)
	PendingPlatformFeesKey = collections.NewPrefix(24)
	LiveDealsKey           = collections.NewPrefix(25)
	RequestCursorKey       = collections.NewPrefix(26)
	LiveUnitByOrdinalKey   = collections.NewPrefix(27)
	LiveUnitOrdinalKey     = collections.NewPrefix(28)
	DueFailuresKey         = collections.NewPrefix(29)
	WorstDealVerdictsKey   = collections.NewPrefix(30)
	HeldVerdictsKey        = collections.NewPrefix(31)
	// 32–39 are left free; 40 on are the API service's.
	AccessKeysKey = collections.NewPrefix(40)
)

// DueKind says what a due-queue entry is for. The values are part of the
// queue's keys: never renumber.
type DueKind = int32

const (
	// DueDeal: a running deal's end, dry escrow or grace end (see Deal.due_at).
	DueDeal DueKind = 1
	// DueMaintenanceStart and DueMaintenanceEnd: a unit's maintenance window.
	DueMaintenanceStart DueKind = 2
	DueMaintenanceEnd   DueKind = 3
	// DueUnbonding: a bond due back (UnbondingQueue). It never appears in
	// DueQueue keys; it names the item in DueFailures.
	DueUnbonding DueKind = 4
)

var dueKindNames = map[DueKind]string{
	DueDeal:             "deal",
	DueMaintenanceStart: "maintenance_start",
	DueMaintenanceEnd:   "maintenance_end",
	DueUnbonding:        "provider_unbonded",
}

// DueKindName names a DueKind in events, logs and DueFailure records.
func DueKindName(k DueKind) string {
	if name, ok := dueKindNames[k]; ok {
		return name
	}
	return "unknown"
}

// DueKindFromName is the inverse of DueKindName.
func DueKindFromName(name string) (DueKind, bool) {
	for _, k := range []DueKind{DueDeal, DueMaintenanceStart, DueMaintenanceEnd, DueUnbonding} {
		if dueKindNames[k] == name {
			return k, true
		}
	}
	return 0, false
}

// Marketplace index namespaces: every unit that takes new deals has one
// entry per namespace it matches, keyed (namespace, rank, unit id).
const (
	MarketAll       = "all"
	marketRegion    = "region:"
	marketCountry   = "country:"
	marketAPI       = "api:"
	marketCertified = "certified/"
)

// MarketNamespaces returns the index namespaces of a unit; certified units
// are also listed under the certified/ variants.
func MarketNamespaces(u DataUnit, certified bool) []string {
	base := []string{
		MarketAll,
		marketRegion + u.Region,
		marketCountry + u.Country,
		marketAPI + u.Api.String(),
	}
	if !certified {
		return base
	}
	out := make([]string, 0, 2*len(base))
	out = append(out, base...)
	for _, ns := range base {
		out = append(out, marketCertified+ns)
	}
	return out
}

// MarketNamespaceFor returns the most selective namespace for a query.
func MarketNamespaceFor(region, country string, api ApiCompatibility, certifiedOnly bool) string {
	ns := MarketAll
	switch {
	case region != "":
		ns = marketRegion + region
	case country != "":
		ns = marketCountry + country
	case api != API_COMPATIBILITY_UNSPECIFIED:
		ns = marketAPI + api.String()
	}
	if certifiedOnly {
		ns = marketCertified + ns
	}
	return ns
}

// MarketRank is the ranking key of a unit: higher priority fee first, then
// higher reputation. It is stored inverted so that ascending iteration
// yields the best units first.
func MarketRank(priorityFee uint64, reputation uint32) uint64 {
	if priorityFee > MaxPriorityFee {
		priorityFee = MaxPriorityFee
	}
	if reputation > 255 {
		reputation = 255
	}
	return ^(priorityFee<<8 | uint64(reputation))
}
