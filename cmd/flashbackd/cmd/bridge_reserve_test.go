package cmd_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/api/bridge/autopilot"
	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/server"
)

// TestBridgeReserveBadInputCLI: bad input to bridge reserve is refused
// with every problem named, before the keyring or the chain is touched
// (the configured chain is unreachable: nothing could be requested), and
// bridge.toml is unchanged; init documents [autopilot]; status shows the
// autopilot's budget and decisions.
func TestBridgeReserveBadInputCLI(t *testing.T) {
	home := t.TempDir()
	h := []string{"--home", home}
	mustRun(t, append([]string{"bridge", "init", "--keyring-backend", "test", "--grpc-address", "127.0.0.1:1", "--rpc-address", "tcp://127.0.0.1:1"}, h...)...)
	path := filepath.Join(home, "bridge", config.FileName)
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, want := range []string{"[autopilot]", "budget_uflash = '0'", "weight_diversity", "rank = weight_score × score + weight_price × cheapness"} {
		require.Contains(t, string(before), want)
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--capacity-gb", "0", "--term", "1h"}, []string{"--capacity-gb 0: must be at least 1", "nothing was requested"}},
		{[]string{"--capacity-gb", "-5", "--term", "1h", "--replicas", "0"}, []string{"--capacity-gb -5: must be at least 1", "replicas 0: must be in [1, 16]"}},
		{[]string{"--capacity-gb", "1", "--term", "0s"}, []string{"term 0s: must be a positive whole number of seconds"}},
		{[]string{"--capacity-gb", "1", "--term", "1h", "--replicas", "17"}, []string{"replicas 17: must be in [1, 16]"}},
		{[]string{"--capacity-gb", "1", "--term", "1h", "--api", "ftp", "--min-score", "101", "--max-price", "-3", "--country", "France"},
			[]string{`unknown API "ftp"`, "--min-score 101", `--max-price "-3"`, `country "France"`}},
		{[]string{"--capacity-gb", "1", "--term", "1h", "--colour", "red"}, []string{"unknown flag: --colour"}},
	} {
		_, err := run(t, append(append([]string{"bridge", "reserve", "--repository", "media"}, tc.args...), h...)...)
		for _, w := range tc.want {
			require.ErrorContains(t, err, w, tc.args)
		}
	}
	_, err = run(t, append([]string{"bridge", "reserve", "--capacity-gb", "1", "--term", "1h"}, h...)...)
	require.ErrorContains(t, err, `required flag(s) "repository" not set`)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(before), string(after))

	st := server.Status{Consumer: "flash1consumer", ChainID: "test-1", StartedAt: time.Now(), Autopilot: &server.AutopilotStatus{Enabled: true,
		Summary: autopilot.Summary{Budget: "1000", Spent: "900", Left: "100", Exhausted: "the autopilot's budget is exhausted: 200 uflash needed",
			Decisions: []autopilot.Decision{{Time: time.Now(), Action: autopilot.ActionReplaced, Repository: "media", Deal: 3, NewDeal: 5, Reason: "unit 1's last SLA verdict (epoch 4) is CRITICAL"}}}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _ = json.NewEncoder(w).Encode(st) }))
	defer srv.Close()
	out := mustRun(t, "bridge", "status", "--status-url", srv.URL)
	for _, want := range []string{"autopilot on: budget 1000 uflash, spent 900, left 100", "BUDGET EXHAUSTED: the autopilot's budget is exhausted", "replaced", "CRITICAL"} {
		require.Contains(t, out, want)
	}
}
