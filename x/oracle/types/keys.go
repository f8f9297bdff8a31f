package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the module and its store key.
	ModuleName = "oracle"

	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
)

// Collection prefixes. Each collection owns exactly one prefix; never reuse a
// retired prefix.
var (
	ParamsKey = collections.NewPrefix(0)
	// 1 was AssignmentCursor, the round-robin position of assignments that
	// are now drawn at random; do not reuse.
	AssignmentsKey           = collections.NewPrefix(2)
	CurrentWindowKey         = collections.NewPrefix(3)
	RecordsKey               = collections.NewPrefix(4)
	RecordsByWindowKey       = collections.NewPrefix(5)
	UnitBucketsKey           = collections.NewPrefix(6)
	UnitBucketsByTimeKey     = collections.NewPrefix(7)
	ProviderBucketsKey       = collections.NewPrefix(8)
	ProviderBucketsByTimeKey = collections.NewPrefix(9)
	ReporterStatsKey         = collections.NewPrefix(10)
	SelfReportsKey           = collections.NewPrefix(11)
	NextSelfReportIDKey      = collections.NewPrefix(12)
	SelfReportsByTimeKey     = collections.NewPrefix(13)
	LastSelfReportKey        = collections.NewPrefix(14)
	AssignmentEntropyKey     = collections.NewPrefix(15)
)
