package cmd

import (
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

// appMempoolMaxTxs bounds the app-side mempool that proposals select from.
const appMempoolMaxTxs = 5000

// initAppConfig returns the template and defaults of app.toml.
func initAppConfig() (string, any) {
	srvCfg := serverconfig.DefaultConfig()
	// Validators must refuse zero-fee spam: a default price in uflash.
	srvCfg.MinGasPrices = app.DefaultMinGasPrices
	// A real app-side mempool (sender-nonce ordered) instead of none.
	srvCfg.Mempool.MaxTxs = appMempoolMaxTxs

	cfg := AppConfig{Config: *srvCfg, Oracle: prober.DefaultConfig()}
	return serverconfig.DefaultConfigTemplate + prober.ConfigTemplate, cfg
}

// initCometBFTConfig returns the defaults of config.toml.
func initCometBFTConfig() *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	// Vote extensions travel in precommits; peers need room for them.
	cfg.P2P.MaxPacketMsgPayloadSize = 10240
	return cfg
}
