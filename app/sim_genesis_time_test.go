//go:build sims

package app_test

import (
	"flag"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	simcli "github.com/cosmos/cosmos-sdk/x/simulation/client/cli"
)

// simGenesisTime is the simulations' genesis time unless -GenesisTime
// says otherwise. The SDK's flag defaults to time.Now() at process start,
// so the same seed gave a different genesis time, hence different block
// times, state and app hashes, in every process (while two runs in one
// process agreed, which is all TestAppStateDeterminism compared). A seed
// must name one run: its genesis time is part of the input, not the clock.
var simGenesisTime = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)

// TestMain pins the genesis time before any simulation reads the flags.
func TestMain(m *testing.M) {
	flag.Parse()
	pinGenesisTime()
	os.Exit(m.Run())
}

// pinGenesisTime replaces the SDK's wall-clock default of -GenesisTime
// with simGenesisTime; an explicit -GenesisTime is kept.
func pinGenesisTime() {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "GenesisTime" })
	if !set {
		simcli.FlagGenesisTimeValue = simGenesisTime.Unix()
	}
}

// TestSimGenesisTimePinned: without -GenesisTime, a simulation's genesis
// time must not come from the clock (`make sim-determinism` also compares
// two processes' app hashes).
func TestSimGenesisTimePinned(t *testing.T) {
	want := simGenesisTime.Unix()
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "GenesisTime" {
			want = simcli.FlagGenesisTimeValue // explicit: kept as given
		}
	})
	require.Equal(t, want, simcli.NewConfigFromFlags().GenesisTime,
		"the simulation's genesis time is not pinned: every process would simulate from a different time")
}
