// Package localnet drives scripts/localnet.sh from Go tests: it starts a
// multi-process flashbackd network on 127.0.0.1, gives access to each node's
// RPC, REST and CLI, and stops it when the test ends.
package localnet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"
)

// Options configure a Localnet.
type Options struct {
	// Validators is the number of validator nodes (N).
	Validators int
	// BasePort is the first port of node0 (each node uses 10).
	BasePort int
	// GenesisPatch is merged into the genesis app state.
	GenesisPatch string
	// Env adds environment variables for the script.
	Env []string
	// ProviderNode also runs the script's provider node for the `provider`
	// account (off by default: tests that drive the provider account by
	// hand must not have a node deciding its deals and using its key).
	ProviderNode bool
	// ProviderArgs are extra `provider init` flags.
	ProviderArgs string
	// SnapshotInterval makes every validator take a state-sync snapshot
	// every this many blocks (0: none).
	SnapshotInterval int
}

// Localnet is a running network started by scripts/localnet.sh.
type Localnet struct {
	t       testing.TB
	Dir     string
	Bin     string
	Root    string
	opts    Options
	stopped bool
	// trustHeight is the last state-sync trust height JoinByStateSync used.
	trustHeight int64
}

// RepoRoot returns the repository root (where scripts/ lives).
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Binary returns the flashbackd binary the tests run: $FLASHBACKD_BIN, else
// build/flashbackd under the repository root.
func Binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("FLASHBACKD_BIN")
	if bin == "" {
		bin = filepath.Join(RepoRoot(t), "build", "flashbackd")
	}
	_, err := os.Stat(bin)
	require.NoError(t, err, "flashbackd binary not found; run `make build` or set FLASHBACKD_BIN")
	return bin
}

// Start starts a network and registers its stop with t.Cleanup.
func Start(t testing.TB, opts Options) *Localnet {
	t.Helper()
	if opts.Validators == 0 {
		opts.Validators = 1
	}
	if opts.BasePort == 0 {
		opts.BasePort = 27600
	}
	ln := &Localnet{t: t, Dir: t.TempDir(), Bin: Binary(t), Root: RepoRoot(t), opts: opts}
	t.Cleanup(func() {
		if !ln.stopped {
			ln.Stop()
		}
		if t.Failed() {
			ln.dumpLogs()
		}
	})
	out, err := ln.script("start")
	require.NoError(t, err, "localnet start failed:\n%s", out)
	t.Logf("localnet started:\n%s", out)
	return ln
}

func (ln *Localnet) script(action string) (string, error) {
	cmd := exec.Command("bash", filepath.Join(ln.Root, "scripts", "localnet.sh"), action)
	cmd.Env = append(os.Environ(),
		fmt.Sprintf("N=%d", ln.opts.Validators),
		"LOCALNET_DIR="+ln.Dir,
		fmt.Sprintf("BASE_PORT=%d", ln.opts.BasePort),
		"FLASHBACKD_BIN="+ln.Bin,
		"GENESIS_PATCH="+ln.opts.GenesisPatch,
		fmt.Sprintf("PROVIDER_NODE=%d", map[bool]int{false: 0, true: 1}[ln.opts.ProviderNode]),
		"PROVIDER_ARGS="+ln.opts.ProviderArgs,
		fmt.Sprintf("SNAPSHOT_INTERVAL=%d", ln.opts.SnapshotInterval),
	)
	cmd.Env = append(cmd.Env, ln.opts.Env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Stop stops the network through the script and checks that every node exited.
func (ln *Localnet) Stop() {
	ln.t.Helper()
	out, err := ln.script("stop")
	require.NoError(ln.t, err, out)
	ln.stopped = true
}

// StopNode stops one node (SIGTERM) and waits for it to exit.
func (ln *Localnet) StopNode(i int) {
	ln.t.Helper()
	pid := ln.pid(i)
	proc, err := os.FindProcess(pid)
	require.NoError(ln.t, err)
	require.NoError(ln.t, proc.Signal(os.Interrupt))
	require.Eventually(ln.t, func() bool { return !ln.NodeRunning(i) }, 30*time.Second, 200*time.Millisecond)
}

// RestartNode starts a stopped node again on its existing home.
func (ln *Localnet) RestartNode(i int) {
	ln.t.Helper()
	logFile, err := os.OpenFile(filepath.Join(ln.Dir, "logs", fmt.Sprintf("node%d.log", i)), os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(ln.t, err)
	defer logFile.Close()
	cmd := exec.Command(ln.Bin, "start", "--home", ln.Home(i))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(ln.t, cmd.Start())
	require.NoError(ln.t, os.WriteFile(ln.pidFile(i), []byte(fmt.Sprint(cmd.Process.Pid)), 0o644))
	go func() { _ = cmd.Wait() }()
}

func (ln *Localnet) pidFile(i int) string {
	return filepath.Join(ln.Dir, "pids", fmt.Sprintf("node%d.pid", i))
}

func (ln *Localnet) pid(i int) int {
	ln.t.Helper()
	raw, err := os.ReadFile(ln.pidFile(i))
	require.NoError(ln.t, err)
	var pid int
	_, err = fmt.Sscan(strings.TrimSpace(string(raw)), &pid)
	require.NoError(ln.t, err)
	return pid
}

// NodeRunning reports whether node i's process is alive.
func (ln *Localnet) NodeRunning(i int) bool {
	raw, err := os.ReadFile(ln.pidFile(i))
	if err != nil {
		return false
	}
	var pid int
	if _, err := fmt.Sscan(strings.TrimSpace(string(raw)), &pid); err != nil {
		return false
	}
	return exec.Command("kill", "-0", fmt.Sprint(pid)).Run() == nil
}

// ProviderHome is the provider node's home (with ProviderNode).
func (ln *Localnet) ProviderHome() string { return filepath.Join(ln.Dir, "provider") }

// ProviderPort is the provider node's S3 port (its status port is the next).
func (ln *Localnet) ProviderPort() int { return ln.opts.BasePort + 200 }

// Home returns node i's home directory.
func (ln *Localnet) Home(i int) string {
	return filepath.Join(ln.Dir, "homes", fmt.Sprintf("node%d", i))
}

func (ln *Localnet) port(i, offset int) int { return ln.opts.BasePort + 10*i + offset }

// RPCAddr returns node i's CometBFT RPC address (tcp://...).
func (ln *Localnet) RPCAddr(i int) string { return fmt.Sprintf("tcp://127.0.0.1:%d", ln.port(i, 1)) }

// GRPCAddr returns node i's gRPC address.
func (ln *Localnet) GRPCAddr(i int) string { return fmt.Sprintf("127.0.0.1:%d", ln.port(i, 2)) }

// RESTAddr returns node i's REST base URL.
func (ln *Localnet) RESTAddr(i int) string { return fmt.Sprintf("http://127.0.0.1:%d", ln.port(i, 3)) }

// RPC returns a CometBFT RPC client of node i.
func (ln *Localnet) RPC(i int) *rpchttp.HTTP {
	ln.t.Helper()
	c, err := rpchttp.New(ln.RPCAddr(i), "/websocket")
	require.NoError(ln.t, err)
	return c
}

// Height returns node i's latest height, or 0 when it does not answer.
func (ln *Localnet) Height(i int) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	st, err := ln.RPC(i).Status(ctx)
	if err != nil {
		return 0
	}
	return st.SyncInfo.LatestBlockHeight
}

// WaitForHeight waits until node i reaches height h.
func (ln *Localnet) WaitForHeight(i int, h int64, timeout time.Duration) {
	ln.t.Helper()
	require.Eventually(ln.t, func() bool { return ln.Height(i) >= h }, timeout, 250*time.Millisecond,
		"node%d did not reach height %d (at %d)", i, h, ln.Height(i))
}

// CLI runs a flashbackd command against node i and returns its stdout.
func (ln *Localnet) CLI(i int, args ...string) (string, error) {
	args = append(args, "--home", ln.Home(0), "--node", ln.RPCAddr(i))
	cmd := exec.Command(ln.Bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String(), fmt.Errorf("flashbackd %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// GetJSON decodes a REST response of node i into out.
func (ln *Localnet) GetJSON(i int, path string, out any) error {
	resp, err := http.Get(ln.RESTAddr(i) + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (ln *Localnet) dumpLogs() {
	// Every node's log: the validators, any node that joined later
	// (JoinByStateSync) and the provider node.
	logs, _ := filepath.Glob(filepath.Join(ln.Dir, "logs", "*.log"))
	var names []string
	for _, l := range logs {
		if name := strings.TrimSuffix(filepath.Base(l), ".log"); name != "init" && name != "provider-init" {
			names = append(names, name)
		}
	}
	for _, name := range names {
		raw, err := os.ReadFile(filepath.Join(ln.Dir, "logs", name+".log"))
		if err != nil {
			continue
		}
		lines := strings.Split(string(raw), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		ln.t.Logf("--- %s log (tail) ---\n%s", name, strings.Join(lines, "\n"))
	}
}

// RestartNodeWith starts a stopped node again with extra environment
// variables, after editing its app.toml with edit (nil: unchanged).
func (ln *Localnet) RestartNodeWith(i int, env []string, edit func(appToml string) string) {
	ln.t.Helper()
	ln.RestartNodeBinary(i, ln.Bin, env, edit)
}

// RestartNodeBinary is RestartNodeWith with another flashbackd binary (e.g.
// FaultBinary's).
func (ln *Localnet) RestartNodeBinary(i int, bin string, env []string, edit func(appToml string) string) {
	ln.t.Helper()
	if edit != nil {
		path := filepath.Join(ln.Home(i), "config", "app.toml")
		raw, err := os.ReadFile(path)
		require.NoError(ln.t, err)
		require.NoError(ln.t, os.WriteFile(path, []byte(edit(string(raw))), 0o600))
	}
	logFile, err := os.OpenFile(filepath.Join(ln.Dir, "logs", fmt.Sprintf("node%d.log", i)), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	require.NoError(ln.t, err)
	defer logFile.Close()
	cmd := exec.Command(bin, "start", "--home", ln.Home(i))
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(ln.t, cmd.Start())
	require.NoError(ln.t, os.WriteFile(ln.pidFile(i), []byte(fmt.Sprint(cmd.Process.Pid)), 0o644))
	go func() { _ = cmd.Wait() }()
}

// Tx signs and broadcasts a transaction with the CLI as `from` (a key of
// node0's test keyring) and waits until a block includes it; it fails the
// test unless the transaction succeeded. It returns the tx hash.
func (ln *Localnet) Tx(from string, args ...string) string {
	ln.t.Helper()
	args = append(args, "--from", from, "--keyring-backend", "test", "--chain-id", ln.ChainID(),
		"--gas", "600000", "--gas-prices", "0.0025uflash", "--yes", "--output", "json")
	out, err := ln.CLI(0, args...)
	require.NoError(ln.t, err)
	var res struct {
		Code   uint32 `json:"code"`
		TxHash string `json:"txhash"`
		RawLog string `json:"raw_log"`
	}
	require.NoError(ln.t, json.Unmarshal([]byte(out), &res), out)
	require.Zero(ln.t, res.Code, "check of %v failed: %s", args, res.RawLog)
	require.Eventually(ln.t, func() bool {
		out, err := ln.CLI(0, "q", "tx", res.TxHash, "--output", "json")
		if err != nil {
			return false
		}
		var q struct {
			Code   uint32 `json:"code"`
			RawLog string `json:"raw_log"`
		}
		if json.Unmarshal([]byte(out), &q) != nil {
			return false
		}
		require.Zero(ln.t, q.Code, "%v failed: %s", args, q.RawLog)
		return true
	}, 30*time.Second, 500*time.Millisecond, "tx %s was not included", res.TxHash)
	return res.TxHash
}

// ChainID is the chain ID the localnet script uses by default.
func (ln *Localnet) ChainID() string { return "flashback-local-1" }

// KeyAddress returns the address of a key of node0's test keyring.
func (ln *Localnet) KeyAddress(name string) string {
	ln.t.Helper()
	cmd := exec.Command(ln.Bin, "keys", "show", name, "-a", "--keyring-backend", "test", "--home", ln.Home(0))
	out, err := cmd.Output()
	require.NoError(ln.t, err)
	return strings.TrimSpace(string(out))
}
