package cmd_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/cmd/flashbackd/cmd"
)

// run executes one flashbackd command in process, as the binary would.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := cmd.NewRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := svrcmd.Execute(root, "FLASHBACKD", app.DefaultNodeHome)
	return out.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := run(t, args...)
	require.NoError(t, err, "flashbackd %s\n%s", strings.Join(args, " "), out)
	return out
}

// TestGenesisCLIPath walks the path a validator operator takes to create a
// chain, and checks the genesis it produces.
func TestGenesisCLIPath(t *testing.T) {
	home := t.TempDir()
	h := []string{"--home", home}
	kr := append([]string{"--keyring-backend", "test"}, h...)

	mustRun(t, append([]string{"init", "node0", "--chain-id", "flashback-cli-1"}, h...)...)
	mustRun(t, append([]string{"keys", "add", "val"}, kr...)...)
	addr := strings.TrimSpace(mustRun(t, append([]string{"keys", "show", "val", "-a"}, kr...)...))
	require.True(t, strings.HasPrefix(addr, "flash1"), addr)

	mustRun(t, append([]string{"genesis", "add-genesis-account", "val", "1000000000000uflash"}, kr...)...)
	mustRun(t, append([]string{"genesis", "gentx", "val", "100000000000uflash", "--chain-id", "flashback-cli-1"}, kr...)...)
	mustRun(t, append([]string{"genesis", "collect-gentxs"}, h...)...)
	mustRun(t, append([]string{"genesis", "validate-genesis"}, h...)...)

	raw, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	require.NoError(t, err)
	var genesis struct {
		ChainID   string `json:"chain_id"`
		Consensus struct {
			Params struct {
				ABCI struct {
					VoteExtensionsEnableHeight string `json:"vote_extensions_enable_height"`
				} `json:"abci"`
				Block struct {
					MaxGas string `json:"max_gas"`
				} `json:"block"`
			} `json:"params"`
		} `json:"consensus"`
		AppState struct {
			Staking struct {
				Params struct {
					BondDenom string `json:"bond_denom"`
				} `json:"params"`
			} `json:"staking"`
			Mint struct {
				Params struct {
					MintDenom     string `json:"mint_denom"`
					BlocksPerYear string `json:"blocks_per_year"`
				} `json:"params"`
			} `json:"mint"`
			Slashing struct {
				Params struct {
					SignedBlocksWindow string `json:"signed_blocks_window"`
					MinSignedPerWindow string `json:"min_signed_per_window"`
				} `json:"params"`
			} `json:"slashing"`
			Gov struct {
				Params struct {
					MinDeposit []struct {
						Denom string `json:"denom"`
					} `json:"min_deposit"`
				} `json:"params"`
			} `json:"gov"`
			Genutil struct {
				GenTxs []json.RawMessage `json:"gen_txs"`
			} `json:"genutil"`
			Orchestrator json.RawMessage `json:"orchestrator"`
			Reputation   json.RawMessage `json:"reputation"`
			Oracle       json.RawMessage `json:"oracle"`
		} `json:"app_state"`
	}
	require.NoError(t, json.Unmarshal(raw, &genesis))
	require.Equal(t, "flashback-cli-1", genesis.ChainID)
	require.Equal(t, "2", genesis.Consensus.Params.ABCI.VoteExtensionsEnableHeight)
	require.Equal(t, "30000000", genesis.Consensus.Params.Block.MaxGas, "a block executes within timeout_commit (app.DefaultBlockMaxGas)")
	require.Equal(t, "uflash", genesis.AppState.Staking.Params.BondDenom)
	require.Equal(t, "uflash", genesis.AppState.Mint.Params.MintDenom)
	require.Equal(t, "31557600", genesis.AppState.Mint.Params.BlocksPerYear, "x/mint counts ~1 s blocks")
	require.Equal(t, "10000", genesis.AppState.Slashing.Params.SignedBlocksWindow, "x/slashing's window counts ~1 s blocks")
	require.Equal(t, "0.500000000000000000", genesis.AppState.Slashing.Params.MinSignedPerWindow)
	cfg, err := os.ReadFile(filepath.Join(home, "config", "config.toml"))
	require.NoError(t, err)
	require.Regexp(t, `(?m)^timeout_commit = "500ms"$`, string(cfg), "flashbackd's block time (cmd/flashbackd/cmd/config.go)")
	require.Regexp(t, `(?m)^size = 500$`, string(cfg), "flashbackd's mempool size")
	require.Regexp(t, `(?m)^max_txs_bytes = 4194304$`, string(cfg), "flashbackd's mempool bytes")
	appToml, err := os.ReadFile(filepath.Join(home, "config", "app.toml"))
	require.NoError(t, err)
	require.Contains(t, string(appToml), `index-events = ["message.action", "message.sender", "transfer.recipient", "tx.acc_seq", ]`,
		"flashbackd indexes the searched attributes, not every event (cmd/flashbackd/cmd/config.go)")
	require.Regexp(t, `(?m)^allow-private-endpoints = false$`, string(appToml), "a validator probes public addresses only")
	require.Equal(t, "uflash", genesis.AppState.Gov.Params.MinDeposit[0].Denom)
	require.Len(t, genesis.AppState.Genutil.GenTxs, 1)
	require.NotEmpty(t, genesis.AppState.Orchestrator)
	require.NotEmpty(t, genesis.AppState.Reputation)
	require.NotEmpty(t, genesis.AppState.Oracle)
	require.NotContains(t, string(raw), `"stake"`)
}

// TestCLIBadInput checks that malformed input gets a clear error and a
// failing exit, never a panic.
func TestCLIBadInput(t *testing.T) {
	home := t.TempDir()
	h := []string{"--home", home}
	kr := append([]string{"--keyring-backend", "test"}, h...)
	mustRun(t, append([]string{"init", "node0", "--chain-id", "flashback-cli-1"}, h...)...)

	cases := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"invalid address", append([]string{"genesis", "add-genesis-account", "flash1notanaddress", "10uflash"}, kr...), "address"},
		{"address of another chain", append([]string{"genesis", "add-genesis-account", "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu", "10uflash"}, kr...), ""},
		{"invalid coins", append([]string{"genesis", "add-genesis-account", "val", "ten-flash"}, kr...), ""},
		{"negative amount", append([]string{"genesis", "add-genesis-account", "val", "-5uflash"}, kr...), ""},
		{"gentx without key", append([]string{"genesis", "gentx", "nobody", "1uflash", "--chain-id", "flashback-cli-1"}, kr...), "nobody"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(t, tc.args...)
			require.Error(t, err, out)
			if tc.wantErr != "" {
				require.Contains(t, err.Error(), tc.wantErr)
			}
		})
	}

	genFile := filepath.Join(home, "config", "genesis.json")
	t.Run("malformed genesis file", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "genesis.json")
		require.NoError(t, os.WriteFile(bad, []byte(`{"app_state": {"orchestrator": `), 0o600))
		_, err := run(t, append([]string{"genesis", "validate-genesis", bad}, h...)...)
		require.Error(t, err)
	})
	t.Run("genesis with invalid module params", func(t *testing.T) {
		raw, err := os.ReadFile(genFile)
		require.NoError(t, err)
		broken := strings.Replace(string(raw), `"platform_fee_rate": "0.005000000000000000"`, `"platform_fee_rate": "-0.010000000000000000"`, 1)
		require.NotEqual(t, string(raw), broken, "the genesis should carry the default platform fee")
		bad := filepath.Join(t.TempDir(), "genesis.json")
		require.NoError(t, os.WriteFile(bad, []byte(broken), 0o600))
		_, err = run(t, append([]string{"genesis", "validate-genesis", bad}, h...)...)
		require.Error(t, err)
		require.Contains(t, err.Error(), "platform_fee_rate")
	})
	t.Run("invalid tx amount", func(t *testing.T) {
		mustRun(t, append([]string{"keys", "add", "val"}, kr...)...)
		_, err := run(t, append([]string{"tx", "bank", "send", "val", "flash1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu", "abc", "--chain-id", "x", "--generate-only"}, kr...)...)
		require.Error(t, err)
	})
}

// TestOrchestratorAuditQueries checks that AutoCLI builds the audit queries
// (the module account's holdings, the SLA rounds in progress).
func TestOrchestratorAuditQueries(t *testing.T) {
	for _, c := range []struct{ use, short string }{
		{"holdings", "pending platform fees"},
		{"sla-rounds", "SLA checks are still in progress"},
	} {
		out := mustRun(t, "query", "orchestrator", c.use, "--help")
		require.Contains(t, out, c.short, c.use)
		require.Contains(t, out, "flashbackd query orchestrator "+c.use, c.use)
	}
}

func TestVersionCommand(t *testing.T) {
	out := mustRun(t, "version", "--long", "-o", "json")
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &v), out)
	for _, k := range []string{"name", "server_name", "version", "commit", "go"} {
		require.Contains(t, v, k)
	}
}

func TestTestnetInitFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "net")
	mustRun(t, "testnet", "init-files", "--validators", "3", "--output-dir", out, "--chain-id", "flashback-tn-1",
		"--base-port", "36600", "--genesis-patch", `{"reputation":{"params":{"min_public_ratings":4}}}`)

	var first []byte
	for i := 0; i < 3; i++ {
		home := filepath.Join(out, "node"+string(rune('0'+i)))
		mustRun(t, "genesis", "validate-genesis", "--home", home)
		raw, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
		require.NoError(t, err)
		if i == 0 {
			first = raw
		}
		require.Equal(t, string(first), string(raw), "all nodes share one genesis")
		cfg, err := os.ReadFile(filepath.Join(home, "config", "config.toml"))
		require.NoError(t, err)
		require.Contains(t, string(cfg), "127.0.0.1:366"+string(rune('0'+i))+"1", "RPC port of node%d", i)
		require.Equal(t, 2, strings.Count(peersLine(string(cfg)), "@127.0.0.1:"), "node%d peers with the two others", i)
		require.Regexp(t, `(?m)^size = 500$`, string(cfg), "flashbackd's mempool size (cmd/flashbackd/cmd/config.go)")
		require.Regexp(t, `(?m)^timeout_commit = "500ms"$`, string(cfg), "testnet's default is flashbackd's")
		require.Regexp(t, `(?m)^timeout_propose = "2s"$`, string(cfg), "never under 2 s")
		require.Regexp(t, `(?m)^prometheus = true$`, string(cfg))
		require.Contains(t, string(cfg), `prometheus_listen_addr = "127.0.0.1:366`+string(rune('0'+i))+`5"`, "metrics port of node%d", i)
		appToml, err := os.ReadFile(filepath.Join(home, "config", "app.toml"))
		require.NoError(t, err)
		require.Contains(t, string(appToml), `minimum-gas-prices = "0.0025uflash"`)
		require.Contains(t, string(appToml), `index-events = ["message.action", "message.sender", "transfer.recipient", "tx.acc_seq", ]`)
		require.Regexp(t, `(?m)^allow-private-endpoints = true$`, string(appToml), "local validators probe storage on 127.0.0.1")
	}
	require.Contains(t, string(first), `"vote_extensions_enable_height": "2"`)
	require.Contains(t, string(first), `"min_public_ratings": 4`)
	require.Equal(t, 3, strings.Count(string(first), "MsgCreateValidator"))
	for _, name := range []string{"provider", "consumer", "spare"} {
		addr := strings.TrimSpace(mustRun(t, "keys", "show", name, "-a", "--keyring-backend", "test", "--home", filepath.Join(out, "node0")))
		require.Contains(t, string(first), addr, "%s is funded in genesis", name)
	}

	_, err := run(t, "testnet", "init-files", "--validators", "0", "--output-dir", filepath.Join(t.TempDir(), "x"))
	require.ErrorContains(t, err, "between 1 and 100")
	_, err = run(t, "testnet", "init-files", "--output-dir", filepath.Join(t.TempDir(), "y"), "--genesis-patch", `{"nosuchmodule":{}}`)
	require.ErrorContains(t, err, "unknown module")
}

func peersLine(configToml string) string {
	for _, line := range strings.Split(configToml, "\n") {
		if strings.HasPrefix(line, "persistent_peers = ") {
			return line
		}
	}
	return ""
}
