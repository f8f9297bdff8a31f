package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the module, its store key and the module
	// account holding the reward pool.
	ModuleName = "reputation"

	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
	// TStoreKey is the module's transient store: per-block signals, never
	// committed.
	TStoreKey = "transient_" + ModuleName
)

// Collection prefixes. Each collection owns exactly one prefix; never reuse a
// retired prefix.
var (
	ParamsKey             = collections.NewPrefix(0)
	UnitScoresKey         = collections.NewPrefix(1)
	ProviderScoresKey     = collections.NewPrefix(2)
	HistoryKey            = collections.NewPrefix(3)
	LeaderboardKey        = collections.NewPrefix(4)
	RatingsKey            = collections.NewPrefix(5)
	RatingsByProviderKey  = collections.NewPrefix(6)
	RatingAgingKey        = collections.NewPrefix(7)
	DisputesKey           = collections.NewPrefix(8)
	NextDisputeIDKey      = collections.NewPrefix(9)
	DisputesByProviderKey = collections.NewPrefix(10)
	DisputesByStatusKey   = collections.NewPrefix(11)
	DisputeByTargetKey    = collections.NewPrefix(12)
	RewardRoundsKey       = collections.NewPrefix(13)
	PendingRewardsKey     = collections.NewPrefix(14)
	LastRoundKey          = collections.NewPrefix(15)
	PoolKey               = collections.NewPrefix(16)
	ScoreCountsKey        = collections.NewPrefix(17)

	// SlaSettledKey is in the transient store (TStoreKey).
	SlaSettledKey = collections.NewPrefix(0)
)

// Badges.
const (
	BadgeSlaCompliance = "sla-compliance-6-months"
	BadgeTopPerformer  = "top-performer"
)
