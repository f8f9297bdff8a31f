package cmd

import (
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	serverconfig "github.com/cosmos/cosmos-sdk/server/config"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/x/oracle/prober"
)

// AppConfig is the content of app.toml: the SDK's server config plus
// flashbackd's own sections.
type AppConfig struct {
	serverconfig.Config `mapstructure:",squash"`

	// Oracle configures the QoS prober ([oracle]); off by default.
	Oracle prober.Config `mapstructure:"oracle"`
}

// initAppConfig returns the template and defaults of app.toml.
func initAppConfig() (string, any) {
	srvCfg := serverconfig.DefaultConfig()
	// Validators must refuse zero-fee spam: a default price in uflash.
	srvCfg.MinGasPrices = app.DefaultMinGasPrices
	// Decision: no app-side mempool (the SDK default, max-txs = -1). Why:
	// with one, ProcessProposal runs every transaction's ante handler
	// (signature checks included) a second time before FinalizeBlock, and
	// the sender-nonce mempool it would be is not fee-ordered either. The one
	// ordering a proposal needs, each sender's transactions by sequence, the
	// proposal's transaction selector restores (app/proposal_order.go).

	// Decision: index only the attributes wallets and explorers search
	// transactions by (app.DefaultIndexEvents). Why: indexing every attribute
	// made CometBFT's tx index the largest database a node writes, and its
	// compaction took CPU from consensus and lengthened blocks under load
	// (figures in docs/PERFORMANCE.md). An explorer's node sets
	// `index-events = []` to index everything; a validator may turn the
	// indexer off (config.toml, `[tx_index] indexer = "null"`).
	srvCfg.IndexEvents = app.DefaultIndexEvents

	cfg := AppConfig{Config: *srvCfg, Oracle: prober.DefaultConfig()}
	return serverconfig.DefaultConfigTemplate + prober.ConfigTemplate, cfg
}

// initCometBFTConfig returns the defaults of config.toml.
func initCometBFTConfig() *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	// Vote extensions travel in precommits; peers need room for them.
	cfg.P2P.MaxPacketMsgPayloadSize = 10240
	// Decision: a mempool of about two blocks' worth of transactions
	// (app.DefaultBlockMaxGas: 180–300). Why: after every block CometBFT
	// re-runs CheckTx on every transaction left in the mempool, inside
	// Commit, so consensus waits for it; two blocks' worth is enough for the
	// next proposals and a recheck that fits in timeout_commit. The excess is
	// refused at the door ("mempool is full", which wallets retry) instead of
	// queueing for minutes (docs/FAULTS.md, "Overload").
	cfg.Mempool.Size = DefaultMempoolSize
	cfg.Mempool.MaxTxsBytes = DefaultMempoolMaxTxsBytes
	// Decision: timeout_commit below CometBFT's 1 s. Why: flashbackd is
	// designed for ~1 s blocks (x/oracle's 10-block windows, x/mint's blocks
	// per year), and a block interval is timeout_commit plus the next
	// height's propose, prevote and precommit rounds (round trips on a real
	// network) plus any execution that outlasts the timeout; with CometBFT's
	// 1 s the interval is well above 1 s (docs/PERFORMANCE.md, part 3).
	cfg.Consensus.TimeoutCommit = DefaultTimeoutCommit
	return cfg
}

// DefaultMempoolSize and DefaultMempoolMaxTxsBytes bound CometBFT's mempool
// (see initCometBFTConfig): about two blocks of transactions, and 4 MiB
// (CometBFT's default is 1 GiB), which two blocks of flashbackd's ~0.3–1 KiB
// transactions never reach; it stops a flood of large ones.
const (
	DefaultMempoolSize        = 500
	DefaultMempoolMaxTxsBytes = 4 << 20
)

// DefaultTimeoutCommit is the timeout_commit of flashbackd's default
// config.toml and of `testnet init-files` (see initCometBFTConfig).
const DefaultTimeoutCommit = 500 * time.Millisecond
