//go:build e2e

package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"

	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/server"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/testutil/providertest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// TestBridgeClients runs scripts/test-bridge-clients.sh — the aws CLI and
// rclone — against a bridge over three provider nodes (each its own
// process) on a live chain: a normal repository and a mirror one over a
// deal on each node (write quorum 2). The script kills one mirror node in
// the middle of an upload and a download; both finish. The node is then
// restarted, and the bridge repairs its replica: it holds the upload made
// while it was dead, byte for byte.
func TestBridgeClients(t *testing.T) {
	for _, tool := range []string{"aws", "rclone", "jq"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "%s is required (apt-get install awscli rclone jq; .ci/run installs them)", tool)
	}
	env := providertest.Start(t)
	accts := env.NewAccounts("p1", "p2", "p3", "alice")
	nodes := startProviderNodes(t, env, accts, 3)
	alice := env.Consumer("alice", accts[3], t.TempDir(), true)
	solo := env.RequestDeal(alice, 1, 1, 10*time.Minute)
	var mirror []uint64
	for unit := uint64(1); unit <= 3; unit++ {
		mirror = append(mirror, env.RequestDeal(alice, unit, 1, 10*time.Minute))
	}
	for _, d := range append(mirror, solo) {
		env.WaitDealState(d, types.DEAL_STATE_ACTIVE, 30*time.Second)
	}

	cfg := config.Default(env.KeyringDir())
	cfg.Chain.GRPCAddress, cfg.Chain.RPCAddress, cfg.Chain.ChainID = env.Val.AppConfig.GRPC.Address, env.Val.RPCAddress, env.ChainID
	cfg.Chain.KeyringBackend, cfg.Chain.KeyName = "test", "alice"
	cfg.Server.Listen, cfg.Server.StatusListen = providertest.FreeAddr(t), providertest.FreeAddr(t)
	cfg.Server.AccessKeyFile = alice.KeyFile
	cfg.Mirror.HealthInterval.Duration = 500 * time.Millisecond
	cfg.Mirror.FailuresToDown = 2
	cfg.Mirror.RepairInterval.Duration = time.Second
	key, err := config.NewKey("app", false)
	require.NoError(t, err)
	cfg.Keys = []config.Key{key}
	cfg.Repositories = []config.Repository{
		{Name: "solo", Mode: config.ModeNormal, Deals: []uint64{solo}},
		{Name: "media", Mode: config.ModeMirror, Deals: mirror, WriteQuorum: 2},
	}
	cfg = cfg.WithHome(t.TempDir())
	b := startBridgeWith(t, cfg, server.Options{Consumer: accts[3].String(), Logger: log.NewTestLogger(t)})

	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "..", "scripts", "test-bridge-clients.sh")
	victim := nodes[2]
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(),
		"BRIDGE_ENDPOINT=http://"+b.Addr(), "AWS_ACCESS_KEY_ID="+key.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+key.SecretAccessKey,
		"NORMAL_BUCKET=solo", "MIRROR_BUCKET=media", "KILL_PID="+strconv.Itoa(victim.cmd.Process.Pid), "BIG_MIB=70")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("test-bridge-clients.sh (%s):\n%s", time.Since(start).Round(time.Second), out)
	require.NoError(t, err)
	require.Contains(t, string(out), "all bridge client checks passed")
	m := regexp.MustCompile(`DURING_SHA256=([0-9a-f]{64})`).FindSubmatch(out)
	require.NotNil(t, m)

	// The killed node comes back: its replica is repaired.
	victim.kill() // reaps the process the script killed
	require.False(t, b.Status().Repositories[1].Deals[2].Up)
	require.Positive(t, b.Status().Repositories[1].Deals[2].Pending)
	back := time.Now()
	victim.start()
	b.waitIdle(t)
	t.Logf("node back → its replica repaired in %s", time.Since(back).Round(time.Millisecond))
	aliceKey, err := dealauth.LoadKey(alice.KeyFile)
	require.NoError(t, err)
	got := newDealClient(t, env, aliceKey, mirror[2]).get(t, "kill/during.bin")
	sum := sha256.Sum256(got)
	require.Equal(t, string(m[1]), hex.EncodeToString(sum[:]), "the repaired replica holds the upload made while its node was dead")
}
