//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/localnet"
)

// Fault tests on a real 4-validator localnet (docs/FAULTS.md). Their size is
// set by the environment so that CI runs a short variant and
// `make test-faults-long` a long one:
//
//	FAULTS_KILLS          SIGKILL/restart cycles under load (default 3)
//	FAULTS_LOAD_DURATION  how long loadgen sends (default 60s)
//	FAULTS_RATE           loadgen's offered tx/s (default 60)
func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, "%s", name)
	return n
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	require.NoError(t, err, "%s", name)
	return d
}

// loadgenBinary builds tools/cmd/loadgen (or takes $LOADGEN_BIN).
func loadgenBinary(t *testing.T) string {
	if bin := os.Getenv("LOADGEN_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "loadgen")
	cmd := exec.Command("go", "build", "-o", bin, "./tools/cmd/loadgen")
	cmd.Dir = localnet.RepoRoot(t)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "building loadgen: %s", out)
	return bin
}

// loadRun is a loadgen process sending to the localnet's four validators.
type loadRun struct {
	cmd       *exec.Cmd
	setupDone chan struct{}
	exited    chan error
	stderr    *bytes.Buffer
	out       string
}

// startLoad runs loadgen against the validators, without reading their
// metrics (a killed node would fail the reading), and returns once its
// setup is done and the measured phase has begun.
func startLoad(t *testing.T, ln *localnet.Localnet, validators int, rate int, duration time.Duration, accounts int) *loadRun {
	t.Helper()
	var nodes []string
	for i := 0; i < validators; i++ {
		nodes = append(nodes, strings.Replace(ln.RPCAddr(i), "tcp://", "http://", 1))
	}
	r := &loadRun{setupDone: make(chan struct{}), exited: make(chan error, 1), stderr: &bytes.Buffer{},
		out: filepath.Join(t.TempDir(), "load.json")}
	r.cmd = exec.Command(loadgenBinary(t), "--home", ln.Dir, "--nodes", strings.Join(nodes, ","), "--metrics", "",
		"--rate", fmt.Sprint(rate), "--duration", duration.String(), "--accounts", fmt.Sprint(accounts),
		"--units", "1", "--drain", "20s", "--out", r.out)
	pipe, err := r.cmd.StderrPipe()
	require.NoError(t, err)
	r.cmd.Stdout = io.Discard
	require.NoError(t, r.cmd.Start())
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			_ = r.cmd.Process.Kill()
		}
	})
	go func() {
		sc := bufio.NewScanner(pipe)
		once := false
		for sc.Scan() {
			line := sc.Text()
			r.stderr.WriteString(line + "\n")
			if !once && strings.Contains(line, "setup done") {
				once = true
				close(r.setupDone)
			}
		}
		r.exited <- r.cmd.Wait()
	}()
	select {
	case <-r.setupDone:
	case err := <-r.exited:
		t.Fatalf("loadgen exited during setup: %v\n%s", err, r.stderr.String())
	case <-time.After(3 * time.Minute):
		t.Fatalf("loadgen setup did not finish:\n%s", r.stderr.String())
	}
	return r
}

// loadResult is what the tests read of loadgen's JSON report.
type loadResult struct {
	Details struct {
		Attempts       int            `json:"attempts"`
		Accepted       int            `json:"accepted"`
		CommittedOK    int            `json:"committed_ok"`
		NotIncluded    int            `json:"not_included"`
		DeliverFailure map[string]int `json:"deliver_failures"`
		RPCErrors      int            `json:"rpc_errors"`
	} `json:"details"`
}

func (r *loadRun) wait(t *testing.T, timeout time.Duration) loadResult {
	t.Helper()
	select {
	case err := <-r.exited:
		require.NoError(t, err, "loadgen failed:\n%s", r.stderr.String())
	case <-time.After(timeout):
		t.Fatalf("loadgen did not finish:\n%s", r.stderr.String())
	}
	raw, err := os.ReadFile(r.out)
	require.NoError(t, err)
	var res loadResult
	require.NoError(t, json.Unmarshal(raw, &res))
	return res
}

// appHashCheck compares, at every height from..to, the app hash each node's
// application computed (/block_results) and the header's app hash of the
// next height, across nodes; from[i] is node i's first stored height (a
// state-synced node has none before its snapshot). It returns the heights
// compared and the mismatches, described.
func appHashCheck(t *testing.T, ln *localnet.Localnet, nodes []int, from map[int]int64, to int64) (heights int, mismatches []string) {
	t.Helper()
	for h := int64(1); h <= to; h++ {
		var ref []byte
		refNode := -1
		compared := 0
		for _, i := range nodes {
			if h < from[i] {
				continue
			}
			_, executed, err := ln.AppHashes(i, h)
			require.NoError(t, err, "node%d height %d", i, h)
			next, _, err := ln.AppHashes(i, h+1)
			require.NoError(t, err, "node%d height %d", i, h+1)
			if !bytes.Equal(executed, next) {
				mismatches = append(mismatches, fmt.Sprintf("node%d h%d: executed %X, next header %X", i, h, executed, next))
			}
			if ref == nil {
				ref, refNode = executed, i
			} else if !bytes.Equal(ref, executed) {
				mismatches = append(mismatches, fmt.Sprintf("h%d: node%d %X, node%d %X", h, refNode, ref, i, executed))
			}
			compared++
		}
		if compared > 1 {
			heights++
		}
	}
	return heights, mismatches
}

// TestFaultsKillUnderLoadAndStateSync: under load from the repository's
// load generator, validators are killed with SIGKILL one after the other
// and restarted, and each catches up; a fresh node then joins by state sync
// from the validators' snapshots while the load goes on, and follows the
// chain. At the end every node reports the same app hash at every height
// they have in common, and each node's own execution matches the next
// header.
func TestFaultsKillUnderLoadAndStateSync(t *testing.T) {
	kills := envInt(t, "FAULTS_KILLS", 3)
	duration := envDuration(t, "FAULTS_LOAD_DURATION", 60*time.Second)
	rate := envInt(t, "FAULTS_RATE", 60)

	ln := localnet.Start(t, localnet.Options{Validators: 4, BasePort: 29000, SnapshotInterval: 10})
	ln.WaitForHeight(0, 3, 60*time.Second)
	load := startLoad(t, ln, 4, rate, duration, 40)
	loadStart := time.Now()

	for k := 0; k < kills; k++ {
		node := 1 + k%3 // node0 is the one loadgen follows
		time.Sleep(3 * time.Second)
		before := ln.Height(0)
		ln.KillNode(node)
		ln.WaitForHeight(0, before+2, 60*time.Second) // 3 of 4 go on
		ln.RestartNode(node)
		target := ln.Height(0)
		start := time.Now()
		ln.WaitForHeight(node, target, 90*time.Second)
		t.Logf("restart %d: node%d killed at height %d, caught up to %d in %s (%s into the load)",
			k+1, node, before, target, time.Since(start).Round(100*time.Millisecond), time.Since(loadStart).Round(time.Second))
	}

	// A new node joins by state sync; the validators have snapshots every
	// 10 blocks.
	ln.WaitForHeight(0, 25, 60*time.Second) // two snapshots taken
	joinAt := time.Since(loadStart)
	join := ln.JoinByStateSync(4, 3*time.Minute)
	t.Logf("state sync: node4 joined in %s (trust height %d, first stored height %d; started %s into the %s load)",
		join.Joined.Round(100*time.Millisecond), join.TrustHeight, join.SyncedAt, joinAt.Round(time.Second), duration)
	require.Greater(t, join.SyncedAt, int64(1), "node4 block-synced from genesis instead of restoring a snapshot")

	res := load.wait(t, duration+3*time.Minute)
	t.Logf("load: %d sent, %d accepted, %d committed, %d accepted but not included (mempools of killed nodes), %d RPC errors",
		res.Details.Attempts, res.Details.Accepted, res.Details.CommittedOK, res.Details.NotIncluded, res.Details.RPCErrors)
	require.Empty(t, res.Details.DeliverFailure)
	require.Greater(t, res.Details.CommittedOK, 0)

	// The state-synced node follows the chain.
	h := ln.Height(0)
	ln.WaitForHeight(4, h+3, 60*time.Second)
	for i := 0; i < 4; i++ {
		ln.WaitForHeight(i, h+3, 60*time.Second)
	}
	from := map[int]int64{0: 1, 1: 1, 2: 1, 3: 1, 4: join.SyncedAt}
	heights, mismatches := appHashCheck(t, ln, []int{0, 1, 2, 3, 4}, from, h+1)
	t.Logf("app hashes: %d heights compared across 5 nodes, %d mismatches", heights, len(mismatches))
	require.Empty(t, mismatches)
	require.Greater(t, heights, 20)
}
