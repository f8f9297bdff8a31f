package localnet

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FaultBinary returns the flashbackd binary built with the `faultinject`
// build tag (`make build-faultinject`), the only build that reads
// FLASHBACKD_UNSAFE_ORACLE_FAULT: $FLASHBACKD_FAULT_BIN, else
// build/flashbackd-faultinject under the repository root.
func FaultBinary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("FLASHBACKD_FAULT_BIN")
	if bin == "" {
		bin = filepath.Join(RepoRoot(t), "build", "flashbackd-faultinject")
	}
	_, err := os.Stat(bin)
	require.NoError(t, err, "fault-injection binary not found; run `make build-faultinject` or set FLASHBACKD_FAULT_BIN")
	return bin
}

// KillNode kills node i with SIGKILL (no shutdown, no flush) and waits for
// the process to be gone.
func (ln *Localnet) KillNode(i int) {
	ln.t.Helper()
	require.NoError(ln.t, syscall.Kill(ln.pid(i), syscall.SIGKILL))
	require.Eventually(ln.t, func() bool { return !ln.NodeRunning(i) }, 30*time.Second, 100*time.Millisecond)
}

// AppHashes reads, at height h, the block header's app_hash (the state after
// h-1, which consensus agreed on) and the app hash node i's own application
// returned from FinalizeBlock for h (/block_results, kept per node). A node
// whose execution diverged would show a different second value.
func (ln *Localnet) AppHashes(i int, h int64) (header, executed []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := ln.RPC(i)
	block, err := c.Block(ctx, &h)
	if err != nil {
		return nil, nil, err
	}
	results, err := c.BlockResults(ctx, &h)
	if err != nil {
		return nil, nil, err
	}
	return block.Block.AppHash, results.AppHash, nil
}

// StateSyncJoin is a node that joined the network by state sync.
type StateSyncJoin struct {
	Index       int           // its node index (ports base+10·Index…)
	TrustHeight int64         // the light client's trusted height
	Started     time.Time     // when its process started
	Joined      time.Duration // start → caught up with the validators
	SyncedAt    int64         // the first height it stored (the snapshot's height + 1)
}

// JoinByStateSync creates a new full node (index Validators+k, no validator
// key in the set), configures it to state-sync from the validators'
// snapshots with a trusted height and hash read from node0's RPC, starts it,
// and waits until it has caught up with node0. Its home, log and pid file sit
// with the others, so Stop stops it.
func (ln *Localnet) JoinByStateSync(index int, timeout time.Duration) StateSyncJoin {
	ln.t.Helper()
	require.GreaterOrEqual(ln.t, index, ln.opts.Validators)
	home := ln.Home(index)
	out, err := exec.Command(ln.Bin, "init", fmt.Sprintf("node%d", index), "--home", home, "--chain-id", ln.ChainID()).CombinedOutput()
	require.NoError(ln.t, err, string(out))

	// The validators' genesis and configuration, moved to this node's ports;
	// its own node and validator keys from init.
	src := ln.Home(ln.opts.Validators - 1)
	raw, err := os.ReadFile(filepath.Join(src, "config", "genesis.json"))
	require.NoError(ln.t, err)
	require.NoError(ln.t, os.WriteFile(filepath.Join(home, "config", "genesis.json"), raw, 0o600))
	for _, name := range []string{"app.toml", "config.toml"} {
		raw, err := os.ReadFile(filepath.Join(src, "config", name))
		require.NoError(ln.t, err)
		text := string(raw)
		for off := 0; off < 10; off++ {
			text = strings.ReplaceAll(text, fmt.Sprintf("127.0.0.1:%d", ln.port(ln.opts.Validators-1, off)), fmt.Sprintf("127.0.0.1:%d", ln.port(index, off)))
		}
		text = strings.Replace(text, fmt.Sprintf("moniker = \"node%d\"", ln.opts.Validators-1), fmt.Sprintf("moniker = \"node%d\"", index), 1)
		if name == "config.toml" {
			text = ln.stateSyncConfig(text)
		} else {
			// Not a validator: no prober, no snapshots of its own.
			text = setInSection(text, "oracle", "enabled", "false")
			text = setInSection(text, "state-sync", "snapshot-interval", "0")
		}
		require.NoError(ln.t, os.WriteFile(filepath.Join(home, "config", name), []byte(text), 0o600))
	}
	// The source's persistent peers miss the source itself.
	peers := make([]string, 0, ln.opts.Validators)
	for i := 0; i < ln.opts.Validators; i++ {
		out, err := exec.Command(ln.Bin, "comet", "show-node-id", "--home", ln.Home(i)).Output()
		require.NoError(ln.t, err)
		peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", strings.TrimSpace(string(out)), ln.port(i, 0)))
	}
	cfgPath := filepath.Join(home, "config", "config.toml")
	raw, err = os.ReadFile(cfgPath)
	require.NoError(ln.t, err)
	text := setInSection(string(raw), "p2p", "persistent_peers", fmt.Sprintf("%q", strings.Join(peers, ",")))
	require.NoError(ln.t, os.WriteFile(cfgPath, []byte(text), 0o600))

	join := StateSyncJoin{Index: index, TrustHeight: ln.trustHeight}
	join.Started = time.Now()
	ln.RestartNodeBinary(index, ln.Bin, nil, nil)
	require.Eventually(ln.t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		st, err := ln.RPC(index).Status(ctx)
		if err != nil || st.SyncInfo.CatchingUp || st.SyncInfo.EarliestBlockHeight == 0 {
			return false
		}
		join.SyncedAt = st.SyncInfo.EarliestBlockHeight
		return st.SyncInfo.LatestBlockHeight >= ln.Height(0)-1
	}, timeout, 250*time.Millisecond, "node%d did not join by state sync within %s", index, timeout)
	join.Joined = time.Since(join.Started)
	return join
}

// stateSyncConfig turns state sync on in a config.toml, trusting node0's
// header at a recent height (the light client verifies the snapshot's app
// hash against headers from two RPC servers).
func (ln *Localnet) stateSyncConfig(text string) string {
	ln.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := ln.Height(0)
	require.Greater(ln.t, h, int64(1))
	block, err := ln.RPC(0).Block(ctx, &h)
	require.NoError(ln.t, err)
	ln.trustHeight = h
	text = setInSection(text, "statesync", "enable", "true")
	text = setInSection(text, "statesync", "rpc_servers", fmt.Sprintf("%q", fmt.Sprintf("127.0.0.1:%d,127.0.0.1:%d", ln.port(0, 1), ln.port(1, 1))))
	text = setInSection(text, "statesync", "trust_height", fmt.Sprint(h))
	text = setInSection(text, "statesync", "trust_hash", fmt.Sprintf("%q", block.BlockID.Hash.String()))
	return text
}

// setInSection sets key = value in a TOML section of a config file, and
// fails loudly (a panic in a test helper) when the key is not there: a
// silent no-op would test the wrong configuration.
func setInSection(text, section, key, value string) string {
	header := "\n[" + section + "]\n"
	start := strings.Index(text, header)
	if start < 0 {
		panic(fmt.Sprintf("no [%s] section", section))
	}
	start += len(header)
	end := strings.Index(text[start:], "\n[")
	if end < 0 {
		end = len(text) - start
	}
	body := text[start : start+end]
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + ` = .*$`)
	if !re.MatchString(body) {
		panic(fmt.Sprintf("no %s in [%s]", key, section))
	}
	var buf bytes.Buffer
	buf.WriteString(text[:start])
	buf.WriteString(re.ReplaceAllLiteralString(body, key+" = "+value))
	buf.WriteString(text[start+end:])
	return buf.String()
}
