//go:build e2e

package upgradetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/localnet"
)

// basePort is this package's port range (30000–30599): nodes use
// basePort + 10·i + 0…5.
const basePort = 30000

// upgradeName is the plan's name: app/upgrades/v2.
const upgradeName = "v2"

// sla is what the unit offers and the deals require (no prober runs here).
const sla = `{"max_latency_ms":200,"min_upload_kbps":100,"min_download_kbps":100,"min_uptime_bps":9900,"max_error_rate_bps":100}`

// TestUpgradeV2OnFourValidators upgrades a 4-validator localnet from v1 to
// v2 the way operators do: the network runs the v1 release (built from the
// commit in v1.commit) and has a provider with a rating; a software-upgrade
// proposal submitted with the CLI is voted through by the four validators;
// every node halts at the plan height with "UPGRADE "v2" NEEDED" and writes
// upgrade-info.json (cosmovisor's cue); every node restarts on the current
// binary, which runs the v2 handler (x/reputation 1 → 2); the provider's
// score then shows its star counts, blocks go on, a new rating counts, and
// every node's own app hash is the chain's at every height it reports.
func TestUpgradeV2OnFourValidators(t *testing.T) {
	v2Bin := localnet.Binary(t)
	v1Bin := v1Binary(t)
	began := time.Now()
	phase := func(name string, since time.Time) { t.Logf("TIMING %-28s %6.1fs", name, time.Since(since).Seconds()) }

	// The localnet starts on v1 (localnet.Binary reads FLASHBACKD_BIN).
	t.Setenv("FLASHBACKD_BIN", v1Bin)
	ln := localnet.Start(t, localnet.Options{
		Validators: 4, BasePort: basePort,
		// A short voting period, and a rating as soon as a deal has paid its
		// provider anything.
		GenesisPatch: `{"gov":{"params":{"voting_period":"10s","expedited_voting_period":"5s"}},` +
			`"reputation":{"params":{"min_rating_payment":"1"}}}`,
	})
	ln.WaitForHeight(0, 3, 60*time.Second)
	phase("start v1 network", began)
	require.Equal(t, v1Version(t), nodeVersion(t, ln, 0), "the network runs the v1 release")

	// v1 state: a provider rated 4 stars.
	setup := time.Now()
	provider := ln.KeyAddress("provider")
	ln.Tx("provider", "tx", "orchestrator", "register-provider", "Acme", "1000000000uflash", "--country", "FR")
	ln.Tx("provider", "tx", "orchestrator", "create-data-unit", "1000", "20000", "eu-west", "FR", "s3", "http://127.0.0.1:9/unit",
		"--sla", sla)
	ln.Tx("consumer", "tx", "orchestrator", "register-consumer")
	rate(t, ln, provider, 1, 4)
	v1Score := providerScore(t, ln, 0, provider)
	require.Equal(t, "1", v1Score.Community.Count)
	require.Nil(t, v1Score.Community.StarCounts, "v1 has no star counts")
	phase("v1 state (rating)", setup)

	// Governance: a software-upgrade proposal, voted yes by every validator.
	proposed := time.Now()
	planHeight := ln.Height(0) + 40
	ln.Tx("validator", "tx", "upgrade", "software-upgrade", upgradeName,
		"--upgrade-height", fmt.Sprint(planHeight), "--upgrade-info", `{"binaries":{}}`, "--no-validate",
		"--title", "v2", "--summary", "x/reputation 1 → 2: star counts", "--deposit", "10000000000uflash")
	for i := 0; i < 4; i++ {
		vote(t, ln, i, 1)
	}
	require.Eventually(t, func() bool { return proposalStatus(t, ln, 1) == "PROPOSAL_STATUS_PASSED" },
		60*time.Second, time.Second, "the upgrade proposal did not pass (status %s)", proposalStatus(t, ln, 1))
	phase("proposal passed", proposed)

	// Every node halts at the plan height: consensus decided block
	// planHeight but no application executed it (the last one they executed
	// is planHeight-1; the new binary will replay it), the log says the
	// upgrade is needed, and upgrade-info.json tells cosmovisor to switch
	// binaries.
	needed := fmt.Sprintf(`UPGRADE \"%s\" NEEDED at height: %d`, upgradeName, planHeight)
	for i := 0; i < 4; i++ {
		require.Eventually(t, func() bool { return strings.Contains(nodeLog(t, ln, i), needed) },
			90*time.Second, 500*time.Millisecond, "node%d did not halt for the upgrade (at height %d)", i, ln.Height(i))
	}
	phase("halt at plan height", proposed)
	for i := 0; i < 4; i++ {
		require.Equal(t, planHeight-1, appHeight(t, ln, i), "node%d's application's last block", i)
		var info struct {
			Name   string `json:"name"`
			Height int64  `json:"height"`
		}
		raw, err := os.ReadFile(filepath.Join(ln.Home(i), "data", "upgrade-info.json"))
		require.NoError(t, err, "node%d wrote no upgrade-info.json", i)
		require.NoError(t, json.Unmarshal(raw, &info))
		require.Equal(t, upgradeName, info.Name)
		require.Equal(t, planHeight, info.Height)
	}

	// Every node restarts on the new binary.
	restarted := time.Now()
	for i := 0; i < 4; i++ {
		ln.StopNode(i)
	}
	ln.Bin = v2Bin
	for i := 0; i < 4; i++ {
		ln.RestartNode(i)
	}
	for i := 0; i < 4; i++ {
		ln.WaitForHeight(i, planHeight+3, 90*time.Second)
	}
	phase("restart to plan height + 3", restarted)
	for i := 0; i < 4; i++ {
		require.Contains(t, nodeLog(t, ln, i), "migrated x/reputation to v2", "node%d did not run the migration", i)
		require.NotEqual(t, v1Version(t), nodeVersion(t, ln, i), "node%d still runs v1", i)

		var applied struct {
			Height string `json:"height"`
		}
		require.NoError(t, ln.GetJSON(i, "/cosmos/upgrade/v1beta1/applied_plan/"+upgradeName, &applied))
		require.Equal(t, fmt.Sprint(planHeight), applied.Height)
		var versions struct {
			ModuleVersions []struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"module_versions"`
		}
		require.NoError(t, ln.GetJSON(i, "/cosmos/upgrade/v1beta1/module_versions?module_name=reputation", &versions))
		require.Len(t, versions.ModuleVersions, 1)
		require.Equal(t, "2", versions.ModuleVersions[0].Version)

		// The migration filled the star counts from the v1 rating.
		require.Equal(t, []string{"0", "0", "0", "1", "0"}, providerScore(t, ln, i, provider).Community.StarCounts, "node%d", i)
	}

	// The chain goes on under v2: a new 5-star rating counts.
	rate(t, ln, provider, 2, 5)
	require.Equal(t, []string{"0", "0", "0", "1", "1"}, providerScore(t, ln, 0, provider).Community.StarCounts)

	checkAppHashes(t, ln, planHeight)
	phase("whole test", began)
}

// appHeight is the last height node i's application executed and committed.
func appHeight(t *testing.T, ln *localnet.Localnet, i int) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := ln.RPC(i).ABCIInfo(ctx)
	require.NoError(t, err)
	return info.Response.LastBlockHeight
}

// v1Binary is the v1 release's binary: $FLASHBACKD_V1_BIN, else
// build/flashbackd-v1 (make build-v1), built at the commit of v1.commit.
func v1Binary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("FLASHBACKD_V1_BIN")
	if bin == "" {
		bin = filepath.Join(localnet.RepoRoot(t), "build", "flashbackd-v1")
	}
	built, err := os.ReadFile(bin + ".commit")
	require.NoError(t, err, "no v1 binary at %s: run `make build-v1` (or set FLASHBACKD_V1_BIN)", bin)
	require.Equal(t, v1Commit(t), strings.TrimSpace(string(built)), "%s is not built at v1.commit: run `make build-v1`", bin)
	return bin
}

func v1Commit(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("v1.commit")
	require.NoError(t, err)
	return strings.TrimSpace(string(raw))
}

// v1Version is the version build-at-commit.sh gives the v1 binary.
func v1Version(t *testing.T) string { return v1Commit(t)[:12] }

// nodeVersion is the application version node i reports.
func nodeVersion(t *testing.T, ln *localnet.Localnet, i int) string {
	t.Helper()
	var info struct {
		ApplicationVersion struct {
			Version string `json:"version"`
		} `json:"application_version"`
	}
	require.NoError(t, ln.GetJSON(i, "/cosmos/base/tendermint/v1beta1/node_info", &info))
	return info.ApplicationVersion.Version
}

// rate makes deal `deal` on unit 1 between the consumer and the provider,
// and rates it once it has paid the provider something.
func rate(t *testing.T, ln *localnet.Localnet, providerAddr string, deal, stars int) {
	t.Helper()
	ln.Tx("consumer", "tx", "orchestrator", "request-deal", "1", "100", "720h", "2000000uflash", "--sla", sla)
	ln.Tx("provider", "tx", "orchestrator", "accept-deal", fmt.Sprint(deal))
	// The deal pays ~0.8 uflash a second: until it has paid its provider
	// min_rating_payment (1 uflash), the rating is refused in CheckTx.
	require.Eventually(t, func() bool {
		out, err := ln.CLI(0, "tx", "reputation", "rate-provider", fmt.Sprint(deal), fmt.Sprint(stars),
			"--from", "consumer", "--keyring-backend", "test", "--chain-id", ln.ChainID(),
			"--gas", "600000", "--gas-prices", "0.0025uflash", "--yes", "--output", "json")
		require.NoError(t, err)
		var res struct {
			Code   uint32 `json:"code"`
			TxHash string `json:"txhash"`
			RawLog string `json:"raw_log"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &res), out)
		if res.Code != 0 {
			require.Contains(t, res.RawLog, "min_rating_payment", "rating deal %d", deal)
			return false
		}
		// Passing CheckTx is not being included: wait for the block's
		// answer, and try again if the block refused it too (v1's CheckTx
		// ran no rating check at all, so on v1 a rating passed CheckTx and
		// failed in its block with "paid 0uflash"; v2's refuses it at the
		// door: app TestRatingCheckTxJudgesAsItsBlock).
		var included struct {
			Code   uint32 `json:"code"`
			RawLog string `json:"raw_log"`
		}
		require.Eventually(t, func() bool {
			out, err := ln.CLI(0, "q", "tx", res.TxHash, "--output", "json")
			return err == nil && json.Unmarshal([]byte(out), &included) == nil
		}, 30*time.Second, 500*time.Millisecond, "the rating of deal %d (tx %s) was not included", deal, res.TxHash)
		if included.Code != 0 {
			t.Logf("rating deal %d failed in its block, retrying: %s", deal, included.RawLog)
			return false
		}
		return true
	}, 60*time.Second, time.Second, "deal %d never paid enough to be rated", deal)
	require.Eventually(t, func() bool { return providerRatings(t, ln, providerAddr) >= deal }, 30*time.Second, 500*time.Millisecond,
		"the rating of deal %d was not included", deal)
}

// providerRatings is the number of ratings listed for a provider.
func providerRatings(t *testing.T, ln *localnet.Localnet, addr string) int {
	t.Helper()
	var res struct {
		Ratings []json.RawMessage `json:"ratings"`
	}
	if err := ln.GetJSON(0, "/flashback/reputation/v1/providers/"+addr+"/ratings", &res); err != nil {
		return 0
	}
	return len(res.Ratings)
}

type scoreJSON struct {
	Community struct {
		Count      string   `json:"count"`
		StarCounts []string `json:"star_counts"`
	} `json:"community"`
}

func providerScore(t *testing.T, ln *localnet.Localnet, i int, provider string) scoreJSON {
	t.Helper()
	var res struct {
		Score scoreJSON `json:"score"`
	}
	require.NoError(t, ln.GetJSON(i, "/flashback/reputation/v1/providers/"+provider, &res))
	return res.Score
}

// vote votes yes on a proposal with node i's validator key (each node's
// keyring holds its own), through node i.
func vote(t *testing.T, ln *localnet.Localnet, i int, proposal int) {
	t.Helper()
	out := run(t, ln.Bin, "tx", "gov", "vote", fmt.Sprint(proposal), "yes", "--from", "validator",
		"--home", ln.Home(i), "--keyring-backend", "test", "--node", ln.RPCAddr(i), "--chain-id", ln.ChainID(),
		"--gas", "200000", "--gas-prices", "0.0025uflash", "--yes", "--output", "json")
	var res struct {
		Code   uint32 `json:"code"`
		RawLog string `json:"raw_log"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.Zero(t, res.Code, "node%d's vote: %s", i, res.RawLog)
}

func proposalStatus(t *testing.T, ln *localnet.Localnet, id int) string {
	t.Helper()
	var res struct {
		Proposal struct {
			Status string `json:"status"`
		} `json:"proposal"`
	}
	if err := ln.GetJSON(0, fmt.Sprintf("/cosmos/gov/v1/proposals/%d", id), &res); err != nil {
		return err.Error()
	}
	return res.Proposal.Status
}

func run(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "flashbackd %s\n%s", strings.Join(args, " "), stderr.String())
	return stdout.String()
}

func nodeLog(t *testing.T, ln *localnet.Localnet, i int) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(ln.Dir, "logs", fmt.Sprintf("node%d.log", i)))
	require.NoError(t, err)
	return string(raw)
}

// checkAppHashes checks that each node's own app hash (ABCI info: what its
// application computed) is the one the chain's next header commits to, and
// that the four nodes' headers agree at every height from 1 to the last
// common one, across the upgrade.
func checkAppHashes(t *testing.T, ln *localnet.Localnet, planHeight int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	common := ln.Height(0)
	for i := 0; i < 4; i++ {
		info, err := ln.RPC(i).ABCIInfo(ctx)
		require.NoError(t, err)
		last := info.Response.LastBlockHeight
		ln.WaitForHeight(0, last+1, 30*time.Second)
		next := last + 1
		header, err := ln.RPC(0).Header(ctx, &next)
		require.NoError(t, err)
		require.Equal(t, header.Header.AppHash.String(), fmt.Sprintf("%X", info.Response.LastBlockAppHash),
			"node%d's app hash at height %d is not the chain's", i, last)
		common = min(common, ln.Height(i))
	}
	require.Greater(t, common, planHeight)
	for h := int64(1); h <= common; h++ {
		var want string
		for i := 0; i < 4; i++ {
			header, err := ln.RPC(i).Header(ctx, &h)
			require.NoError(t, err)
			if i == 0 {
				want = header.Header.AppHash.String()
				continue
			}
			require.Equal(t, want, header.Header.AppHash.String(), "node%d's app hash at height %d", i, h)
		}
	}
	t.Logf("app hashes agree on heights 1–%d (upgrade at %d)", common, planHeight)
}
