package types_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// The retry schedule of failed due items: whole seconds, at least 1 s, at
// most 20 retries, and no single wait beyond 30 days.
func TestDueRetryParams(t *testing.T) {
	p := types.DefaultParams()
	require.Equal(t, 10*time.Minute, p.DueRetryDelay)
	require.Equal(t, uint32(10), p.MaxDueRetries)
	require.Equal(t, []time.Duration{10 * time.Minute, 20 * time.Minute, 40 * time.Minute, 5120 * time.Minute},
		[]time.Duration{p.DueRetryWait(1), p.DueRetryWait(2), p.DueRetryWait(3), p.DueRetryWait(10)}, "each wait doubles")

	for name, tc := range map[string]struct {
		delay   time.Duration
		retries uint32
		want    string
	}{
		"no delay":               {0, 3, "due_retry_delay"},
		"a fraction of a second": {1500 * time.Millisecond, 3, "whole number of seconds"},
		"too many retries":       {time.Second, 21, "max_due_retries must be at most 20"},
		"a wait beyond 30 days":  {24 * time.Hour, 6, "longest due retry wait"}, // 1 day × 2^5 = 32 days
		"a first wait too long":  {31 * 24 * time.Hour, 1, "longest due retry wait"},
	} {
		t.Run(name, func(t *testing.T) {
			p := types.DefaultParams()
			p.DueRetryDelay, p.MaxDueRetries = tc.delay, tc.retries
			require.ErrorContains(t, p.Validate(), tc.want)
		})
	}
	for _, ok := range []struct {
		delay   time.Duration
		retries uint32
	}{{time.Second, 20}, {24 * time.Hour, 5}, {30 * 24 * time.Hour, 1}, {time.Hour, 0}} {
		p := types.DefaultParams()
		p.DueRetryDelay, p.MaxDueRetries = ok.delay, ok.retries
		require.NoError(t, p.Validate(), "%s × %d", ok.delay, ok.retries)
	}
}
