//go:build faultinject

package app

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The test build reads the variable, and refuses an unknown fault.
func TestOracleFaultReadWithBuildTag(t *testing.T) {
	require.True(t, FaultInjection)
	t.Setenv(OracleFaultEnv, "extreme-extensions")
	require.Equal(t, "extreme-extensions", oracleFault())
	t.Setenv(OracleFaultEnv, "")
	require.Empty(t, oracleFault())
	t.Setenv(OracleFaultEnv, "garbage")
	require.Panics(t, func() { oracleFault() })
}
