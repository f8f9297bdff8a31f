package types

import (
	"fmt"
	"time"
)

// Protocol constants. They are not params because VerifyVoteExtension must be
// stateless: every validator checks extensions against the same limits
// whatever state it has. Changing them is a software upgrade.
const (
	// VoteExtensionVersion is the version of the vote extension format.
	VoteExtensionVersion = 1
	// MaxMeasurements caps the measurements in one vote extension.
	MaxMeasurements = 128
	// MaxVoteExtensionBytes caps an encoded vote extension (8 KiB).
	MaxVoteExtensionBytes = 8 * 1024
	// MaxBasisPoints is 100 %.
	MaxBasisPoints = 10_000
)

// Defaults. At 1 s blocks a 10-block window gives each assigned unit about
// 10 s of probing; 64 units per window probe 552,960 unit-windows a day.
var (
	DefaultWindowBlocks           uint64 = 10
	DefaultMaxUnitsPerWindow      uint32 = 64
	DefaultRecordRetentionWindows uint64 = 8640 // one day of 10-block windows at 1 s blocks
	DefaultSummaryBucketDuration         = time.Hour
	DefaultSummaryRetention              = 30 * 24 * time.Hour
	DefaultSelfReportMinInterval         = 24 * time.Hour // docs: reports at most every 24 h
	DefaultSelfReportRetention           = 30 * 24 * time.Hour
	DefaultMaxPrunePerBlock       uint32 = 500
	DefaultOutlierRelativeBps     uint32 = 5_000 // 50 % of the agreed latency or throughput
	DefaultOutlierAbsoluteBps     uint32 = 2_000 // 20 points of uptime or error rate
)

// DefaultParams returns the default module parameters.
func DefaultParams() Params {
	return Params{
		WindowBlocks:           DefaultWindowBlocks,
		MaxUnitsPerWindow:      DefaultMaxUnitsPerWindow,
		RecordRetentionWindows: DefaultRecordRetentionWindows,
		SummaryBucketDuration:  DefaultSummaryBucketDuration,
		SummaryRetention:       DefaultSummaryRetention,
		SelfReportMinInterval:  DefaultSelfReportMinInterval,
		SelfReportRetention:    DefaultSelfReportRetention,
		MaxPrunePerBlock:       DefaultMaxPrunePerBlock,
		OutlierRelativeBps:     DefaultOutlierRelativeBps,
		OutlierAbsoluteBps:     DefaultOutlierAbsoluteBps,
	}
}

// Validate checks every parameter; it is called on genesis and on every
// MsgUpdateParams.
func (p Params) Validate() error {
	if p.WindowBlocks < 2 || p.WindowBlocks > 100_000 {
		return fmt.Errorf("window_blocks must be in [2, 100000], got %d", p.WindowBlocks)
	}
	if p.MaxUnitsPerWindow == 0 || p.MaxUnitsPerWindow > MaxMeasurements {
		return fmt.Errorf("max_units_per_window must be in [1, %d], got %d", MaxMeasurements, p.MaxUnitsPerWindow)
	}
	if p.RecordRetentionWindows == 0 {
		return fmt.Errorf("record_retention_windows must be at least 1")
	}
	if p.SummaryBucketDuration < time.Second {
		return fmt.Errorf("summary_bucket_duration must be at least 1s, got %s", p.SummaryBucketDuration)
	}
	if p.SummaryBucketDuration%time.Second != 0 {
		return fmt.Errorf("summary_bucket_duration must be whole seconds, got %s", p.SummaryBucketDuration)
	}
	if p.SummaryRetention < p.SummaryBucketDuration {
		return fmt.Errorf("summary_retention %s must be at least one bucket (%s)", p.SummaryRetention, p.SummaryBucketDuration)
	}
	if p.SummaryRetention/p.SummaryBucketDuration > 100_000 {
		return fmt.Errorf("summary_retention may hold at most 100000 buckets, got %d", p.SummaryRetention/p.SummaryBucketDuration)
	}
	if p.SelfReportMinInterval < 0 {
		return fmt.Errorf("self_report_min_interval must not be negative")
	}
	if p.SelfReportRetention < time.Second {
		return fmt.Errorf("self_report_retention must be at least 1s")
	}
	if p.MaxPrunePerBlock == 0 || p.MaxPrunePerBlock > 100_000 {
		return fmt.Errorf("max_prune_per_block must be in [1, 100000], got %d", p.MaxPrunePerBlock)
	}
	if p.OutlierRelativeBps == 0 || p.OutlierAbsoluteBps == 0 || p.OutlierAbsoluteBps > MaxBasisPoints {
		return fmt.Errorf("outlier thresholds must be positive (absolute at most %d bps)", MaxBasisPoints)
	}
	return nil
}
