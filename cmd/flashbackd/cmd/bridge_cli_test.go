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

	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/repo"
	"github.com/flashbacknetwork/flashbackd/api/bridge/server"
)

// TestBridgeInitKeysStatusCLI: bridge init writes a documented bridge.toml
// with one read-write key and the access key, never overwrites it, refuses
// bad repositories; keys add|list|remove edit the file; status prints a
// running bridge's /status.
func TestBridgeInitKeysStatusCLI(t *testing.T) {
	home := t.TempDir()
	h := []string{"--home", home}
	_, err := run(t, append([]string{"bridge", "init", "--repository", "media=mirror:1,2/3"}, h...)...)
	require.ErrorContains(t, err, "write_quorum: 3")
	_, err = run(t, append([]string{"bridge", "init", "--repository", "media=raid:1"}, h...)...)
	require.ErrorContains(t, err, "NAME=normal:DEAL")
	_, statErr := os.Stat(filepath.Join(home, "bridge", config.FileName))
	require.ErrorIs(t, statErr, os.ErrNotExist, "a refused init writes nothing")

	out := mustRun(t, append([]string{"bridge", "init", "--keyring-backend", "test", "--key-name", "alice",
		"--repository", "photos=normal:1", "--repository", "media=mirror:2,3,4/2"}, h...)...)
	require.Contains(t, out, "created your access key")
	require.Contains(t, out, "AWS_SECRET_ACCESS_KEY=")
	path := filepath.Join(home, "bridge", config.FileName)
	cfg, err := config.Load(path)
	require.NoError(t, err)
	require.Equal(t, "alice", cfg.Chain.KeyName)
	require.Equal(t, home, cfg.Chain.KeyringDir, "the keyring of --home, as for flashbackd keys")
	require.Len(t, cfg.Keys, 1)
	require.False(t, cfg.Keys[0].ReadOnly)
	require.Equal(t, []uint64{2, 3, 4}, cfg.Repositories[1].Deals)
	require.Equal(t, 2, cfg.Repositories[1].WriteQuorum)
	_, err = os.Stat(filepath.Join(home, "bridge", "access_key.json"))
	require.NoError(t, err)
	_, err = run(t, append([]string{"bridge", "init"}, h...)...)
	require.ErrorContains(t, err, "exists")

	out = mustRun(t, append([]string{"bridge", "keys", "add", "dashboards", "--read-only"}, h...)...)
	require.Contains(t, out, `added read-only key "dashboards"`)
	_, err = run(t, append([]string{"bridge", "keys", "add", "dashboards"}, h...)...)
	require.ErrorContains(t, err, "exists")
	out = mustRun(t, append([]string{"bridge", "keys", "list"}, h...)...)
	require.Contains(t, out, "dashboards")
	require.Contains(t, out, "read-only")
	require.NotContains(t, out, cfg.Keys[0].SecretAccessKey)
	mustRun(t, append([]string{"bridge", "keys", "remove", "app"}, h...)...)
	cfg, err = config.Load(path)
	require.NoError(t, err)
	require.Len(t, cfg.Keys, 1)
	require.True(t, cfg.Keys[0].ReadOnly)

	st := server.Status{Consumer: "flash1consumer", ChainID: "test-1", ChainError: "connection refused", S3Endpoint: "http://127.0.0.1:9200", StartedAt: time.Now(),
		Repositories: []repo.Status{{Name: "media", Mode: "mirror", WriteQuorum: 2, Objects: 7, Pending: 2, Deals: []repo.DealStatus{
			{Deal: 2, Endpoint: "http://p1", Bucket: "deal-2", Snapshot: repo.Snapshot{Up: true, LatencyP50Ms: 1.5, Requests: 10}},
			{Deal: 3, ChainState: "DEAL_STATE_CLOSED", Endpoint: "http://p2", Bucket: "deal-3", Pending: 2, Snapshot: repo.Snapshot{Up: false, ConsecutiveFailures: 4, Errors: 4, LastError: "connection refused"}},
		}}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _ = json.NewEncoder(w).Encode(st) }))
	defer srv.Close()
	out = mustRun(t, "bridge", "status", "--status-url", srv.URL)
	for _, want := range []string{"repository media: mirror, write quorum 2 of 2, 7 objects, 2 pending repairs", "DOWN (4 failures in a row)", "connection refused", "1.5 ms", "UNREACHABLE: connection refused", "CLOSED"} {
		require.Contains(t, out, want)
	}
	_, err = run(t, "bridge", "status", "--status-url", "http://127.0.0.1:1")
	require.ErrorContains(t, err, "is `flashbackd bridge serve` running?")
}
