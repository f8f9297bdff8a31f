package types

import "fmt"

// MaxMeasurements is the protocol cap on measurements in one vote extension.
// It is a constant, not a param, because VerifyVoteExtension must be
// stateless: every validator checks extensions against the same cap whatever
// state it has.
const MaxMeasurements = 128

// Defaults. At 1 s blocks a 10-block window probes every assigned unit about
// every 10 s of chain time.
const (
	DefaultWindowBlocks           uint64 = 10
	DefaultMaxUnitsPerWindow      uint32 = 64
	DefaultRecordRetentionWindows uint64 = 8640 // one day of 10-block windows at 1 s blocks
)

// DefaultParams returns the default module parameters.
func DefaultParams() Params {
	return Params{
		WindowBlocks:           DefaultWindowBlocks,
		MaxUnitsPerWindow:      DefaultMaxUnitsPerWindow,
		RecordRetentionWindows: DefaultRecordRetentionWindows,
	}
}

// Validate checks every parameter; it is called on genesis and on every
// MsgUpdateParams.
func (p Params) Validate() error {
	if p.WindowBlocks < 2 {
		return fmt.Errorf("window_blocks must be at least 2, got %d", p.WindowBlocks)
	}
	if p.MaxUnitsPerWindow == 0 || p.MaxUnitsPerWindow > MaxMeasurements {
		return fmt.Errorf("max_units_per_window must be in [1, %d], got %d", MaxMeasurements, p.MaxUnitsPerWindow)
	}
	if p.RecordRetentionWindows == 0 {
		return fmt.Errorf("record_retention_windows must be at least 1")
	}
	return nil
}
