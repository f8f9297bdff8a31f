//go:build e2e

package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/localnet"
	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

type latestQoS struct {
	Record struct {
		Window       string `json:"window"`
		Height       string `json:"height"` // the height whose votes carried the reports
		LatencyMs    uint32 `json:"latency_ms"`
		UptimeBps    uint32 `json:"uptime_bps"`
		ErrorRateBps uint32 `json:"error_rate_bps"`
		Reporters    uint32 `json:"reporters"`
	} `json:"record"`
}

func latest(t *testing.T, ln *localnet.Localnet, node int, unit int) (latestQoS, bool) {
	var q latestQoS
	err := ln.GetJSON(node, fmt.Sprintf("/flashback/oracle/v1/units/%d/latest", unit), &q)
	return q, err == nil
}

// waitNewRecord waits until unit's latest record is from a window after
// `after`, and returns it.
func waitNewRecord(t *testing.T, ln *localnet.Localnet, node, unit int, after string, timeout time.Duration) latestQoS {
	t.Helper()
	var got latestQoS
	require.Eventually(t, func() bool {
		q, ok := latest(t, ln, node, unit)
		if ok && q.Record.Window != after {
			got = q
			return true
		}
		return false
	}, timeout, time.Second, "no new QoS record for unit %d after window %s", unit, after)
	return got
}

// waitRecordVotedAfter waits for a record of unit on node whose reports were
// voted after height.
func waitRecordVotedAfter(t *testing.T, ln *localnet.Localnet, node, unit int, height int64, timeout time.Duration) latestQoS {
	t.Helper()
	var got latestQoS
	require.Eventually(t, func() bool {
		q, ok := latest(t, ln, node, unit)
		if !ok {
			return false
		}
		voted, err := strconv.ParseInt(q.Record.Height, 10, 64)
		require.NoError(t, err, "%+v", q)
		got = q
		return voted > height
	}, timeout, time.Second, "no QoS record for unit %d voted after height %d", unit, height)
	return got
}

// TestOracleOnFourValidators runs the whole oracle on a real 4-validator
// network: probers measure three probe targets with different behaviours,
// the validators agree through vote extensions, and the chain's QoS matches
// the targets. Then it stops and restarts a validator with its prober off:
// the chain keeps finalizing and recording QoS with the other three.
func TestOracleOnFourValidators(t *testing.T) {
	fast, fastSrv := probetarget.Start(probetarget.Behaviour{Latency: 20 * time.Millisecond})
	slow, slowSrv := probetarget.Start(probetarget.Behaviour{Latency: 250 * time.Millisecond})
	// 40 % failures, not 50 %: the four probers often check in lockstep, and
	// an every-second-request pattern then fails one prober's requests and
	// never another's (probetarget.Behaviour.FailureRate).
	flaky, flakySrv := probetarget.Start(probetarget.Behaviour{Latency: 20 * time.Millisecond, FailureRate: 4000})
	t.Cleanup(func() {
		fastSrv.Close()
		slowSrv.Close()
		flakySrv.Close()
		fast.Close()
		slow.Close()
		flaky.Close()
	})

	ln := localnet.Start(t, localnet.Options{
		Validators: 4, BasePort: 27700,
		GenesisPatch: `{"oracle":{"params":{"window_blocks":"5"}}}`,
	})
	ln.WaitForHeight(0, 3, 60*time.Second)

	ln.Tx("provider", "tx", "orchestrator", "register-provider", "Acme", "1000000000uflash", "--country", "FR")
	sla := `{"max_latency_ms":100,"min_upload_kbps":1000,"min_download_kbps":1000,"min_uptime_bps":9900,"max_error_rate_bps":100}`
	for _, url := range []string{fastSrv.URL, slowSrv.URL, flakySrv.URL} {
		ln.Tx("provider", "tx", "orchestrator", "create-data-unit", "1000", "20000", "eu-west", "FR", "s3", url+"/unit", "--sla", sla)
	}

	// All four probe: the agreed QoS matches each target's behaviour.
	q1 := waitNewRecord(t, ln, 0, 1, "", 90*time.Second)
	q2 := waitNewRecord(t, ln, 0, 2, "", 30*time.Second)
	q3 := waitNewRecord(t, ln, 0, 3, "", 30*time.Second)
	require.InDelta(t, 20, q1.Record.LatencyMs, 60, "fast target: %+v", q1)
	require.Equal(t, uint32(10_000), q1.Record.UptimeBps)
	require.Zero(t, q1.Record.ErrorRateBps)
	require.InDelta(t, 250, q2.Record.LatencyMs, 150, "slow target: %+v", q2)
	require.Greater(t, q3.Record.ErrorRateBps, uint32(1_500), "flaky target: %+v", q3)
	require.Less(t, q3.Record.ErrorRateBps, uint32(8_500), "flaky target: %+v", q3)
	require.GreaterOrEqual(t, q1.Record.Reporters, uint32(3))

	// A validator stops: the chain goes on with 3 of 4. It restarts with
	// its prober off and catches up; the other three still reach 2/3.
	ln.StopNode(3)
	h := ln.Height(0)
	ln.WaitForHeight(0, h+3, 30*time.Second)
	ln.RestartNodeWith(3, nil, disableProber)
	ln.WaitForHeight(3, ln.Height(0), 60*time.Second) // restarted node catches up
	// Only a window voted after the restart shows it: one voted while node3
	// was still up, and recorded later, has four reporters.
	q := waitRecordVotedAfter(t, ln, 0, 1, ln.Height(0), 60*time.Second)
	require.Equal(t, uint32(3), q.Record.Reporters, "node3 reports nothing, the others agree")
	// Byzantine validators (garbage and extreme extensions) and a validator
	// down for several windows: TestOracleFaults.
}

// disableProber turns the prober off in the [oracle] section of app.toml.
func disableProber(appToml string) string {
	i := strings.Index(appToml, "[oracle]")
	if i < 0 {
		return appToml
	}
	return appToml[:i] + strings.Replace(appToml[i:], "enabled = true", "enabled = false", 1)
}
