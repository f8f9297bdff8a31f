package node

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzParseState: the state file the node reads at start never panics it;
// a file it accepts holds only deals the node could have written, and is
// saved and read back to the same state.
func FuzzParseState(f *testing.F) {
	closed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := newState("flash1p")
	st.ChainID = "flashback-1"
	st.Deals[1] = &trackedDeal{ID: 1, UnitID: 2, Consumer: "flash1c", CapacityGB: 3, ConsumerKey: []byte{1, 2}, Phase: phaseRunning, ChainState: "DEAL_STATE_ACTIVE"}
	st.Deals[4] = &trackedDeal{ID: 4, UnitID: 2, Phase: phaseClosed, ChainState: "DEAL_STATE_CLOSED", ClosedAt: &closed}
	st.Deals[5] = &trackedDeal{ID: 5, UnitID: 2, Phase: phaseRemoved, ClosedAt: &closed, RemovedAt: &closed}
	dir := f.TempDir()
	path := filepath.Join(dir, "state.json")
	require.NoError(f, st.save(path))
	good, err := json.Marshal(stateJSON{nodeState: *st, DealList: st.sortedDeals()})
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte(`{"version":1,"provider":"flash1p","deals":[]}`))
	f.Add([]byte(`{"version":2,"provider":"flash1p"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := parseState(raw, "state.json", "flash1p")
		if err != nil {
			require.Nil(t, got)
			return
		}
		for id, d := range got.Deals {
			require.NotNil(t, d)
			require.Equal(t, id, d.ID)
			require.NotZero(t, id)
			require.Contains(t, []string{phaseRunning, phaseClosed, phaseRemoved}, d.Phase)
		}
		again, err := json.Marshal(stateJSON{nodeState: *got, DealList: got.sortedDeals()})
		require.NoError(t, err)
		back, err := parseState(again, "state.json", "flash1p")
		require.NoError(t, err, "saved: %s", again)
		require.Equal(t, len(got.Deals), len(back.Deals))
		for id, d := range got.Deals {
			b := back.Deals[id]
			require.NotNil(t, b)
			require.Equal(t, d.Phase, b.Phase)
			require.Equal(t, d.ConsumerKey, b.ConsumerKey)
			require.Equal(t, d.ClosedAt == nil, b.ClosedAt == nil)
			if d.ClosedAt != nil {
				require.True(t, d.ClosedAt.Equal(*b.ClosedAt))
			}
		}
	})
}

// TestParseStateRefusesWhatTheNodeNeverWrites: each problem is named, and
// a deal listed twice is refused rather than silently merged.
func TestParseStateRefusesWhatTheNodeNeverWrites(t *testing.T) {
	for raw, want := range map[string]string{
		`{"version":1,"provider":"flash1p","deals":[null]}`:                                                  "deals[0] is not a deal",
		`{"version":1,"provider":"flash1p","deals":[{"id":0,"phase":"running"}]}`:                            "deals[0] is not a deal",
		`{"version":1,"provider":"flash1p","deals":[{"id":3,"phase":"running"},{"id":3,"phase":"running"}]}`: "deal 3 is listed twice",
		`{"version":1,"provider":"flash1p","deals":[{"id":3,"phase":"gone"}]}`:                               `phase "gone"`,
		`{"version":1,"provider":"flash1p","deals":[{"id":3,"phase":"closed"}]}`:                             "closed deal 3 has no closed_at",
	} {
		_, err := parseState([]byte(raw), "state.json", "flash1p")
		require.ErrorContains(t, err, want, raw)
	}
}
