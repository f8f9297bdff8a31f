package cmd_test

import (
	"context"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/viper"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/server"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// TestExportRestartKeepsOracle runs a one-validator chain whose prober
// measures a data unit until the oracle has a QoS record, stops it, exports it
// with `flashbackd export`, starts a new chain from the exported genesis with
// the same validator, and waits for a QoS record agreed on the new chain:
// vote extensions must survive the export (the SDK's export command used to
// write vote_extensions_enable_height 0, and the new chain ran with the
// oracle silently off).
func TestExportRestartKeepsOracle(t *testing.T) {
	target, srv := probetarget.Start(probetarget.Behaviour{Latency: 5 * time.Millisecond})
	t.Cleanup(func() {
		srv.Close()
		target.Close()
	})

	dir := t.TempDir()
	const chainID = "flashback-export-1"
	mustRun(t, "testnet", "init-files", "--validators", "1", "--output-dir", filepath.Join(dir, "net"),
		"--chain-id", chainID, "--accounts", "provider", "--timeout-commit", "1s",
		"--genesis-patch", `{"oracle":{"params":{"window_blocks":"2"}}}`)
	home := filepath.Join(dir, "net", "node0")

	// The first chain: a provider and one unit, probed until the oracle
	// records its QoS.
	first := startNode(t, home)
	first.waitHeight(t, 2)
	first.tx(t, home, chainID, "provider", "tx", "orchestrator", "register-provider", "Acme", "1000000000uflash", "--country", "FR")
	sla := `{"max_latency_ms":100,"min_upload_kbps":1000,"min_download_kbps":1000,"min_uptime_bps":9900,"max_error_rate_bps":100}`
	first.tx(t, home, chainID, "provider", "tx", "orchestrator", "create-data-unit", "1000", "20000", "eu-west", "FR", "s3",
		srv.URL+"/unit", "--sla", sla)
	before := first.waitRecord(t, 1, 0, 60*time.Second)
	first.stop()

	// Export through the CLI, as an operator would.
	exportedFile := filepath.Join(dir, "exported.json")
	mustRun(t, "export", "--home", home, "--output-document", exportedFile)
	exported, err := genutiltypes.AppGenesisFromFile(exportedFile)
	require.NoError(t, err)
	require.NoError(t, exported.ValidateAndComplete())
	params := exported.Consensus.Params
	require.Greater(t, exported.InitialHeight, before.Height, "the export is taken after the record")
	// Not fatal: before the fix the restart below shows what the zero meant.
	assert.Equal(t, exported.InitialHeight+1, params.ABCI.VoteExtensionsEnableHeight,
		"vote extensions on from the block after the new chain's initial height")
	assert.Equal(t, int64(app.DefaultBlockMaxGas), params.Block.MaxGas, "the chain's block gas limit is kept")
	assert.Equal(t, cmttypes.DefaultConsensusParams().Evidence, params.Evidence)
	assert.Equal(t, []string{cmttypes.ABCIPubKeyTypeEd25519}, params.Validator.PubKeyTypes)

	// The same export on stdout (nothing else there: `export > file` works),
	// and one for a chain restarting at height 1.
	stdout := mustRun(t, "export", "--home", home)
	onStdout, err := genutiltypes.AppGenesisFromReader(strings.NewReader(stdout))
	require.NoError(t, err, stdout)
	assert.Equal(t, params, onStdout.Consensus.Params)
	assert.Regexp(t, `"vote_extensions_enable_height":"`+strconv.FormatInt(exported.InitialHeight+1, 10)+`"`, stdout)
	zeroFile := filepath.Join(dir, "exported-zero.json")
	mustRun(t, "export", "--home", home, "--for-zero-height", "--output-document", zeroFile)
	zero, err := genutiltypes.AppGenesisFromFile(zeroFile)
	require.NoError(t, err)
	require.NoError(t, zero.ValidateAndComplete())
	assert.Equal(t, int64(1), zero.InitialHeight)
	assert.Equal(t, int64(app.VoteExtensionsEnableHeight), zero.Consensus.Params.ABCI.VoteExtensionsEnableHeight,
		"a zero-height export enables extensions from height 2, as every new genesis")

	// The new chain: the same validator keys and config, a fresh data
	// directory, the exported genesis.
	restarted := filepath.Join(dir, "restarted")
	for _, f := range []string{"config.toml", "app.toml", "client.toml", "node_key.json", "priv_validator_key.json"} {
		copyFile(t, filepath.Join(home, "config", f), filepath.Join(restarted, "config", f))
	}
	copyFile(t, exportedFile, filepath.Join(restarted, "config", "genesis.json"))
	require.NoError(t, os.MkdirAll(filepath.Join(restarted, "data"), 0o700))
	privval.LoadFilePVEmptyState(filepath.Join(restarted, "config", "priv_validator_key.json"),
		filepath.Join(restarted, "data", "priv_validator_state.json")).Save()

	second := startNode(t, restarted)
	// CometBFT reports a height once the block is stored, before the app
	// has committed it: at the next height the first block's state is there.
	second.waitHeight(t, exported.InitialHeight+1)
	carried, ok := second.latestQoS(t, 1)
	require.True(t, ok, "the record is in the exported state")
	require.GreaterOrEqual(t, carried.Window, before.Window)
	require.Less(t, carried.Height, exported.InitialHeight, "voted on the first chain")
	// A record agreed on the new chain: its reports were voted at or after
	// the new chain's initial height.
	after := second.waitRecord(t, 1, exported.InitialHeight, 45*time.Second)
	require.Greater(t, after.Window, carried.Window)
	require.Equal(t, uint32(1), after.Reporters)
}

// testNode is one flashbackd validator run in process from a home written by
// the CLI, as `flashbackd start` runs it (CometBFT node, local ABCI client,
// on-disk databases), without the API and gRPC servers.
type testNode struct {
	comet    *node.Node
	app      *app.App
	client   *rpchttp.HTTP
	rpcAddr  string
	stopOnce sync.Once
}

func startNode(t *testing.T, home string) *testNode {
	t.Helper()
	v := viper.New()
	v.SetConfigFile(filepath.Join(home, "config", "config.toml"))
	require.NoError(t, v.ReadInConfig())
	cfg := cmtcfg.DefaultConfig()
	require.NoError(t, v.Unmarshal(cfg))
	cfg.SetRoot(home)
	// Free loopback ports, and no pprof or metrics listeners: other tests
	// may run at the same time.
	cfg.RPC.ListenAddress = "tcp://" + freeAddr(t)
	cfg.P2P.ListenAddress = "tcp://" + freeAddr(t)
	cfg.RPC.PprofListenAddress = ""
	cfg.Instrumentation.Prometheus = false

	appOpts := viper.New()
	appOpts.SetConfigFile(filepath.Join(home, "config", "app.toml"))
	require.NoError(t, appOpts.ReadInConfig())
	appOpts.Set(flags.FlagHome, home)
	db, err := dbm.NewDB("application", server.GetAppDBBackend(appOpts), filepath.Join(home, "data"))
	require.NoError(t, err)
	a := app.New(log.NewNopLogger(), db, nil, true, appOpts, server.DefaultBaseappOptions(appOpts)...)
	// Transaction simulation (`--gas auto`) over ABCI queries, as `start`
	// registers it.
	a.RegisterTxService(client.Context{}.WithTxConfig(a.TxConfig()).WithCodec(a.AppCodec()).WithInterfaceRegistry(a.InterfaceRegistry()))

	nodeKey, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
	require.NoError(t, err)
	genesis := func() (*cmttypes.GenesisDoc, error) {
		ag, err := genutiltypes.AppGenesisFromFile(cfg.GenesisFile())
		if err != nil {
			return nil, err
		}
		return ag.ToGenesisDoc()
	}
	comet, err := node.NewNode(cfg, privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()), nodeKey,
		proxy.NewLocalClientCreator(server.NewCometABCIWrapper(a)), genesis, cmtcfg.DefaultDBProvider,
		node.DefaultMetricsProvider(cfg.Instrumentation), cmtlog.NewNopLogger())
	require.NoError(t, err)
	require.NoError(t, comet.Start())
	client, err := rpchttp.New(cfg.RPC.ListenAddress, "/websocket")
	require.NoError(t, err)
	n := &testNode{comet: comet, app: a, client: client, rpcAddr: cfg.RPC.ListenAddress}
	t.Cleanup(n.stop)
	return n
}

// stop stops the node and closes its databases (export needs them closed).
func (n *testNode) stop() {
	n.stopOnce.Do(func() {
		_ = n.comet.Stop()
		n.comet.Wait()
		_ = n.app.Close()
	})
}

func (n *testNode) waitHeight(t *testing.T, h int64) {
	t.Helper()
	require.Eventually(t, func() bool {
		st, err := n.client.Status(context.Background())
		return err == nil && st.SyncInfo.LatestBlockHeight >= h
	}, 30*time.Second, 100*time.Millisecond, "height %d not reached", h)
}

var txHashRe = regexp.MustCompile(`"txhash":"([0-9A-F]{64})"`)

// tx sends a transaction with the CLI as `from` and waits until a block
// includes it; it fails the test unless the transaction succeeded.
func (n *testNode) tx(t *testing.T, home, chainID, from string, args ...string) {
	t.Helper()
	out := mustRun(t, append(args, "--from", from, "--keyring-backend", "test", "--home", home, "--chain-id", chainID,
		"--node", n.rpcAddr, "--gas", "600000", "--gas-prices", app.DefaultMinGasPrices, "--yes", "--output", "json")...)
	m := txHashRe.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	require.Contains(t, out, `"code":0`, out)
	hash, err := hex.DecodeString(m[1])
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		res, err := n.client.Tx(context.Background(), hash, false)
		if err != nil {
			return false
		}
		require.Zero(t, res.TxResult.Code, "%v: %s", args, res.TxResult.Log)
		return true
	}, 30*time.Second, 100*time.Millisecond, "tx %v not included", args)
}

// latestQoS reads unit's latest QoS record through an ABCI query.
func (n *testNode) latestQoS(t *testing.T, unit uint64) (oracletypes.QoSRecord, bool) {
	t.Helper()
	req, err := (&oracletypes.QueryLatestQoSRequest{UnitId: unit}).Marshal()
	require.NoError(t, err)
	res, err := n.client.ABCIQuery(context.Background(), "/flashback.oracle.v1.Query/LatestQoS", req)
	if err != nil || res.Response.Code != 0 {
		return oracletypes.QoSRecord{}, false
	}
	var out oracletypes.QueryLatestQoSResponse
	require.NoError(t, out.Unmarshal(res.Response.Value))
	return out.Record, true
}

// waitRecord waits for a record of unit whose reports were voted at or
// after votedFrom.
func (n *testNode) waitRecord(t *testing.T, unit uint64, votedFrom int64, timeout time.Duration) oracletypes.QoSRecord {
	t.Helper()
	var (
		got oracletypes.QoSRecord
		ok  bool
	)
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got, ok = n.latestQoS(t, unit); ok && got.Height >= votedFrom {
			return got
		}
	}
	st, err := n.client.Status(context.Background())
	require.NoError(t, err)
	require.FailNow(t, "no new QoS record", "no QoS record of unit %d voted from height %d within %s; at height %d the latest is %+v",
		unit, votedFrom, timeout, st.SyncInfo.LatestBlockHeight, got)
	return got
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	bz, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(to), 0o700))
	require.NoError(t, os.WriteFile(to, bz, 0o600))
}
