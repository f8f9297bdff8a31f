//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/testutil/localnet"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
	oracleabci "github.com/flashbacknetwork/flashbackd/x/oracle/abci"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// TestLocalnetFourValidators starts scripts/localnet.sh with N=4 and checks
// that blocks are finalized with all four validators signing, that the REST
// API and its OpenAPI spec are served, that transaction search works on
// blocks carrying the oracle payload, and that the script stops every node.
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

	checkOracleTransactions(t, ln)

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

// checkOracleTransactions: the oracle payload every block carries at index 0
// is a real transaction that executes with code 0, so transaction search by
// height works over the CLI and REST; a user cannot submit its message.
func checkOracleTransactions(t *testing.T, ln *localnet.Localnet) {
	t.Helper()
	height := ln.Height(0) - 1
	injected := sdk.MsgTypeURL(&oracletypes.MsgInjectVoteExtensions{})

	type txResponse struct {
		Height string `json:"height"`
		Code   uint32 `json:"code"`
		Tx     struct {
			Body struct {
				Messages []map[string]any `json:"messages"`
			} `json:"body"`
		} `json:"tx"`
	}
	query := fmt.Sprintf("tx.height=%d", height)

	out, err := ln.CLI(0, "q", "txs", "--query", query, "-o", "json")
	require.NoError(t, err, out)
	var cli struct {
		Txs []txResponse `json:"txs"` // the CLI prints the SDK's SearchTxsResult
	}
	require.NoError(t, json.Unmarshal([]byte(out), &cli), out)
	require.NotEmpty(t, cli.Txs, "q txs %s: %s", query, out)
	first := cli.Txs[0]
	require.Zero(t, first.Code, out)
	require.Equal(t, injected, first.Tx.Body.Messages[0]["@type"], out)

	var rest struct {
		TxResponses []txResponse `json:"tx_responses"`
	}
	require.NoError(t, ln.GetJSON(0, "/cosmos/tx/v1beta1/txs?query="+url.QueryEscape(query), &rest))
	require.NotEmpty(t, rest.TxResponses)
	require.Zero(t, rest.TxResponses[0].Code)
	require.Equal(t, injected, rest.TxResponses[0].Tx.Body.Messages[0]["@type"])

	// Every transaction of the block succeeded as far as the payload goes.
	results, err := ln.RPC(0).BlockResults(context.Background(), &height)
	require.NoError(t, err)
	require.NotEmpty(t, results.TxsResults)
	require.Zero(t, results.TxsResults[0].Code, results.TxsResults[0].Log)

	// A user broadcasting the message is refused by CheckTx.
	txCfg, err := txgen.NewTxConfig()
	require.NoError(t, err)
	payload, err := oracleabci.NewPayloadCodec(txCfg).Encode(abci.ExtendedCommitInfo{})
	require.NoError(t, err)
	res, err := ln.RPC(0).BroadcastTxSync(context.Background(), payload)
	require.NoError(t, err)
	require.Equal(t, oracletypes.ErrInjectedOnly.ABCICode(), res.Code, res.Log)
	require.Equal(t, oracletypes.ModuleName, res.Codespace)
}
