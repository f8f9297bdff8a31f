//go:build !faultinject

package app

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A production build ignores the fault-injection variable: setting it
// cannot turn a validator Byzantine.
func TestOracleFaultIgnoredWithoutBuildTag(t *testing.T) {
	t.Setenv(OracleFaultEnv, "garbage-extensions")
	require.False(t, FaultInjection)
	require.Empty(t, oracleFault())
}
