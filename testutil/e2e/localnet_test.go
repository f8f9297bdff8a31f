//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/localnet"
)

// TestLocalnetFourValidators starts scripts/localnet.sh with N=4 and checks
// that blocks are finalized with all four validators signing, that the REST
// API and its OpenAPI spec are served, and that the script stops every node.
func TestLocalnetFourValidators(t *testing.T) {
	ln := localnet.Start(t, localnet.Options{Validators: 4, BasePort: 27600})
	ln.WaitForHeight(0, 5, 60*time.Second)

	rpc := ln.RPC(0)
	ctx := context.Background()
	vals, err := rpc.Validators(ctx, nil, nil, nil)
	require.NoError(t, err)
	require.Len(t, vals.Validators, 4)

	// Every recent block carries a commit signed by all four validators.
	h := ln.Height(0)
	for height := h - 2; height <= h; height++ {
		hh := height
		block, err := rpc.Block(ctx, &hh)
		require.NoError(t, err)
		signers := map[string]bool{}
		for _, sig := range block.Block.LastCommit.Signatures {
			if sig.BlockIDFlag == cmttypes.BlockIDFlagCommit {
				signers[sig.ValidatorAddress.String()] = true
			}
		}
		require.Len(t, signers, 4, "block %d's last commit has %d signers", height, len(signers))
	}

	// All four nodes follow the chain.
	for i := 1; i < 4; i++ {
		ln.WaitForHeight(i, h, 30*time.Second)
	}

	// REST and the OpenAPI spec.
	var params map[string]any
	require.NoError(t, ln.GetJSON(0, "/flashback/orchestrator/v1/params", &params))
	require.Contains(t, params, "params")
	resp, err := http.Get(ln.RESTAddr(0) + "/swagger/openapi.json")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	var spec map[string]any
	require.NoError(t, json.Unmarshal(body, &spec))
	require.Contains(t, string(body), "/flashback/orchestrator/v1/params")

	// The generated CLI queries run from a node's home, whose app.toml the
	// client loads too (a flag named like an app.toml section once broke
	// `data-units`).
	for _, args := range [][]string{
		{"q", "orchestrator", "data-units", "--api-compatibility", "s3", "--region", "eu-west", "--min-free-gb", "1"},
		{"q", "orchestrator", "providers"},
		{"q", "orchestrator", "deals", "--state", "active"},
		{"q", "orchestrator", "stats"},
		{"q", "reputation", "leaderboard"},
		{"q", "reputation", "reward-pool"},
		{"q", "reputation", "disputes"},
		{"q", "oracle", "assignment"},
		{"q", "oracle", "reporter-stats"},
	} {
		out, err := ln.CLI(0, append(args, "-o", "json")...)
		require.NoError(t, err)
		require.True(t, json.Valid([]byte(out)), "%v printed %q", args, out)
	}

	ln.Stop()
	for i := 0; i < 4; i++ {
		require.False(t, ln.NodeRunning(i), "node%d still running after stop", i)
	}
}
