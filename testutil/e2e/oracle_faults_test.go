//go:build e2e

package e2e

import (
	"context"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/localnet"
	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
	oracleabci "github.com/flashbacknetwork/flashbackd/x/oracle/abci"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// qosRecord is a QoS record as REST returns it.
type qosRecord struct {
	Window       string `json:"window"`
	Height       string `json:"height"`
	LatencyMs    uint32 `json:"latency_ms"`
	DownloadKbps string `json:"download_kbps"`
	UploadKbps   string `json:"upload_kbps"`
	UptimeBps    uint32 `json:"uptime_bps"`
	ErrorRateBps uint32 `json:"error_rate_bps"`
	Reporters    uint32 `json:"reporters"`
}

func (r qosRecord) window(t *testing.T) uint64 {
	w, err := strconv.ParseUint(r.Window, 10, 64)
	require.NoError(t, err)
	return w
}

func (r qosRecord) votedAt(t *testing.T) int64 {
	h, err := strconv.ParseInt(r.Height, 10, 64)
	require.NoError(t, err)
	return h
}

func (r qosRecord) kbps(t *testing.T) (down, up uint64) {
	var err error
	down, err = strconv.ParseUint(r.DownloadKbps, 10, 64)
	require.NoError(t, err)
	up, err = strconv.ParseUint(r.UploadKbps, 10, 64)
	require.NoError(t, err)
	return down, up
}

// unitHistory returns unit's QoS records of windows from..latest.
func unitHistory(t *testing.T, ln *localnet.Localnet, unit int, from uint64) []qosRecord {
	t.Helper()
	var res struct {
		Records []qosRecord `json:"records"`
	}
	require.NoError(t, ln.GetJSON(0, fmt.Sprintf("/flashback/oracle/v1/units/%d/history?from_window=%d&pagination.limit=1000", unit, from), &res))
	return res.Records
}

func latestRecord(t *testing.T, ln *localnet.Localnet, unit int) (qosRecord, bool) {
	var res struct {
		Record qosRecord `json:"record"`
	}
	err := ln.GetJSON(0, fmt.Sprintf("/flashback/oracle/v1/units/%d/latest", unit), &res)
	return res.Record, err == nil
}

// waitRecord waits for a record of unit voted after height that satisfies
// ok, and returns it.
func waitRecord(t *testing.T, ln *localnet.Localnet, unit int, after int64, timeout time.Duration, ok func(qosRecord) bool) qosRecord {
	t.Helper()
	var got qosRecord
	require.Eventually(t, func() bool {
		r, found := latestRecord(t, ln, unit)
		if !found || r.votedAt(t) <= after || !ok(r) {
			return false
		}
		got = r
		return true
	}, timeout, time.Second, "no QoS record of unit %d voted after height %d as expected (last: %+v)", unit, after, got)
	return got
}

// consAddress is node i's validator consensus address (hex) from its RPC.
func consAddress(t *testing.T, ln *localnet.Localnet, i int) string {
	t.Helper()
	st, err := ln.RPC(i).Status(context.Background())
	require.NoError(t, err)
	return st.ValidatorInfo.Address.String()
}

// votesOfWindow decodes the vote extensions the validators signed at
// height (a window's end) from the oracle payload of block height+1, by
// validator consensus address (hex); an invalid extension maps to nil.
func votesOfWindow(t *testing.T, ln *localnet.Localnet, height int64) map[string]*oracletypes.VoteExtension {
	t.Helper()
	next := height + 1
	block, err := ln.RPC(0).Block(context.Background(), &next)
	require.NoError(t, err)
	require.NotEmpty(t, block.Block.Txs, "block %d carries no oracle payload", next)
	txCfg, err := txgen.NewTxConfig()
	require.NoError(t, err)
	commit, err := oracleabci.NewPayloadCodec(txCfg).Decode(block.Block.Txs[0], 4)
	require.NoError(t, err)
	out := map[string]*oracletypes.VoteExtension{}
	for _, v := range commit.Votes {
		addr := strings.ToUpper(hex.EncodeToString(v.Validator.Address))
		ve, err := oracletypes.DecodeVoteExtension(v.VoteExtension, height)
		if err != nil {
			out[addr] = nil
			continue
		}
		out[addr] = ve
	}
	return out
}

// measurementOf returns ve's measurement of unit.
func measurementOf(ve *oracletypes.VoteExtension, unit uint64) (oracletypes.Measurement, bool) {
	if ve == nil {
		return oracletypes.Measurement{}, false
	}
	for _, m := range ve.Measurements {
		if m.UnitId == unit {
			return m, true
		}
	}
	return oracletypes.Measurement{}, false
}

// TestOracleFaults runs two oracle faults on a real 4-validator network
// probing one storage endpoint:
//
//  1. a validator is stopped for longer than the oracle window (four
//     windows): every window of the outage still gets an agreed QoS record
//     from the other three (the quorum holds), and the validator reports
//     again after its restart;
//  2. validators holding just under 1/3 of the voting power turn Byzantine
//     (the `faultinject` build): one signs garbage vote extensions, the other
//     valid extensions at the extremes of every range. The chain does not
//     halt, every window is still agreed, and each agreed value lies between
//     the honest validators' own reports (read back from the blocks).
func TestOracleFaults(t *testing.T) {
	faultBin := localnet.FaultBinary(t)
	_, target := probetarget.Start(probetarget.Behaviour{Latency: 20 * time.Millisecond})
	t.Cleanup(target.Close)

	const window = 5
	ln := localnet.Start(t, localnet.Options{
		Validators: 4, BasePort: 29100,
		GenesisPatch: fmt.Sprintf(`{"oracle":{"params":{"window_blocks":"%d"}}}`, window),
	})
	ln.WaitForHeight(0, 3, 60*time.Second)
	ln.Tx("provider", "tx", "orchestrator", "register-provider", "Acme", "1000000000uflash", "--country", "FR")
	sla := `{"max_latency_ms":100,"min_upload_kbps":1000,"min_download_kbps":1000,"min_uptime_bps":9900,"max_error_rate_bps":100}`
	ln.Tx("provider", "tx", "orchestrator", "create-data-unit", "1000", "20000", "eu-west", "FR", "s3", target.URL+"/unit", "--sla", sla)
	const unit = 1
	first := waitRecord(t, ln, unit, 0, 2*time.Minute, func(r qosRecord) bool { return r.Reporters == 4 })
	t.Logf("all four report: %+v", first)

	t.Run("validator stopped longer than the window", func(t *testing.T) {
		stopAt := ln.Height(0)
		ln.StopNode(3)
		// Four whole windows (and the one in progress) without node3.
		ln.WaitForHeight(0, stopAt+5*window, 2*time.Minute)
		downTo := ln.Height(0)
		ln.RestartNode(3)

		var voted []qosRecord
		for _, r := range unitHistory(t, ln, unit, 0) {
			if h := r.votedAt(t); h > stopAt+1 && h < downTo {
				voted = append(voted, r)
			}
		}
		t.Logf("node3 down from height %d to %d: %d windows agreed: %+v", stopAt, downTo, len(voted), voted)
		require.GreaterOrEqual(t, len(voted), 4, "windows of the outage without an agreed record")
		for i, r := range voted {
			require.Equal(t, uint32(3), r.Reporters, "%+v", r)
			if i > 0 {
				require.Equal(t, voted[i-1].window(t)+1, r.window(t), "a window of the outage was not agreed: %+v", voted)
			}
		}
		ln.WaitForHeight(3, ln.Height(0), 90*time.Second)
		back := waitRecord(t, ln, unit, ln.Height(0), 90*time.Second, func(r qosRecord) bool { return r.Reporters == 4 })
		t.Logf("node3 back: %+v", back)
	})

	t.Run("byzantine validators under a third of the power", func(t *testing.T) {
		// Powers 201k, 201k, 100k, 100k: node2 and node3 hold 200/602 =
		// 33.2 % of the power, just under a third.
		for i, from := range map[int]string{0: "spare", 1: "consumer"} {
			valoper, err := exec.Command(ln.Bin, "keys", "show", "validator", "--bech", "val", "-a", "--keyring-backend", "test", "--home", ln.Home(i)).Output()
			require.NoError(t, err)
			ln.Tx(from, "tx", "staking", "delegate", strings.TrimSpace(string(valoper)), "101000000000uflash")
		}
		h := ln.Height(0)
		ln.WaitForHeight(0, h+3, time.Minute)
		vals, err := ln.RPC(0).Validators(context.Background(), nil, nil, nil)
		require.NoError(t, err)
		power := map[string]int64{}
		var total int64
		for _, v := range vals.Validators {
			power[v.Address.String()] = v.VotingPower
			total += v.VotingPower
		}
		addrs := make([]string, 4)
		for i := range addrs {
			addrs[i] = consAddress(t, ln, i)
		}
		byzantine := power[addrs[2]] + power[addrs[3]]
		t.Logf("powers %v (total %d): Byzantine share %.2f %%", power, total, 100*float64(byzantine)/float64(total))
		require.Less(t, byzantine*3, total, "the Byzantine validators must hold under a third")
		require.Greater(t, byzantine*10, total*3, "and close to it")

		ln.StopNode(2)
		ln.RestartNodeBinary(2, faultBin, []string{"FLASHBACKD_UNSAFE_ORACLE_FAULT=" + oracleabci.FaultGarbageExtensions}, nil)
		ln.StopNode(3)
		ln.RestartNodeBinary(3, faultBin, []string{"FLASHBACKD_UNSAFE_ORACLE_FAULT=" + oracleabci.FaultExtremeExtensions}, nil)
		ln.WaitForHeight(2, ln.Height(0), 90*time.Second)
		ln.WaitForHeight(3, ln.Height(0), 90*time.Second)
		from := ln.Height(0)
		ln.WaitForHeight(0, from+4*window+1, 2*time.Minute)
		to := ln.Height(0)
		for i := 0; i < 4; i++ {
			ln.WaitForHeight(i, to, time.Minute) // nobody stalled, the Byzantine included
		}

		var records []qosRecord
		for _, r := range unitHistory(t, ln, unit, 0) {
			if h := r.votedAt(t); h > from && h < to {
				records = append(records, r)
			}
		}
		require.GreaterOrEqual(t, len(records), 3, "windows without an agreed record while Byzantine")
		extremes := 0
		for i, r := range records {
			if i > 0 {
				require.Equal(t, records[i-1].window(t)+1, r.window(t), "a window was not agreed: %+v", records)
			}
			votes := votesOfWindow(t, ln, r.votedAt(t))
			require.Nil(t, votes[addrs[2]], "node2's garbage extension must be rejected")
			// node3's vote is in the commit when it arrived before +2/3
			// did; node0 and node1 alone hold 66.8 %, a quorum.
			wantReporters := uint32(2)
			if m, ok := measurementOf(votes[addrs[3]], unit); ok {
				require.Equal(t, uint32(0), m.UptimeBps, "node3 reports extremes")
				extremes++
				wantReporters = 3
			}
			var honest []oracletypes.Measurement
			for _, i := range []int{0, 1} {
				m, ok := measurementOf(votes[addrs[i]], unit)
				require.True(t, ok, "honest node%d reported nothing at height %s", i, r.Height)
				honest = append(honest, m)
			}
			down, up := r.kbps(t)
			within := func(name string, v, a, b uint64) {
				lo, hi := min(a, b), max(a, b)
				require.True(t, v >= lo && v <= hi, "window %s: agreed %s %d outside the honest reports [%d, %d]", r.Window, name, v, lo, hi)
			}
			within("latency", uint64(r.LatencyMs), uint64(honest[0].LatencyMs), uint64(honest[1].LatencyMs))
			within("download", down, honest[0].DownloadKbps, honest[1].DownloadKbps)
			within("upload", up, honest[0].UploadKbps, honest[1].UploadKbps)
			within("uptime", uint64(r.UptimeBps), uint64(honest[0].UptimeBps), uint64(honest[1].UptimeBps))
			within("error rate", uint64(r.ErrorRateBps), uint64(honest[0].ErrorRateBps), uint64(honest[1].ErrorRateBps))
			require.Equal(t, wantReporters, r.Reporters, "node0, node1 and, when its vote made the commit, the extreme node3: %+v", r)
		}
		require.Positive(t, extremes, "node3's extreme extensions never reached a window")
		t.Logf("Byzantine from height %d to %d: %d windows agreed, %d with node3's extremes, every agreed value within the honest reports: %+v",
			from, to, len(records), extremes, records)

		// The reporter stats name them: node2 missed, node3 an outlier.
		var stats struct {
			Stats []struct {
				Validator string `json:"validator"`
				Missed    string `json:"windows_missed"`
				Outliers  string `json:"outliers"`
			} `json:"stats"`
		}
		require.NoError(t, ln.GetJSON(0, "/flashback/oracle/v1/reporters", &stats))
		t.Logf("reporter stats: %+v", stats.Stats)
		outliers := 0
		for _, s := range stats.Stats {
			if n, _ := strconv.Atoi(s.Outliers); n > 0 {
				outliers++
			}
		}
		require.Positive(t, outliers)
	})
}
