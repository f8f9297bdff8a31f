package cmd

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"

	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	"github.com/flashbacknetwork/flashbackd/api/bridge/server"
	"github.com/flashbacknetwork/flashbackd/api/provider/chain"
	providerconfig "github.com/flashbacknetwork/flashbackd/api/provider/config"
	"github.com/flashbacknetwork/flashbackd/app"
)

// bridgeQoSTxTimeout bounds the wait for a self-report's inclusion.
const bridgeQoSTxTimeout = providerconfig.DefaultTxTimeout

// bridgeQoSChain is the chain client the bridge files its QoS self-reports
// with: the consumer's key (chain.key_name) signs them, gas at the
// provider node's default prices.
func bridgeQoSChain(a *app.App, cfg config.Config, kr keyring.Keyring, logger log.Logger) (server.QoSChain, error) {
	return chain.New(chain.Config{
		GRPCAddress: cfg.Chain.GRPCAddress, GRPCTLS: cfg.Chain.GRPCTLS, RPCAddress: cfg.Chain.RPCAddress, ChainID: cfg.Chain.ChainID,
		Keyring: kr, KeyName: cfg.Chain.KeyName,
		GasPrices: providerconfig.DefaultGasPrices, GasAdjustment: providerconfig.DefaultGasAdjustment, TxTimeout: bridgeQoSTxTimeout,
		Codec: a.AppCodec(), InterfaceRegistry: a.InterfaceRegistry(), TxConfig: a.TxConfig(),
	}, logger.With(log.ModuleKey, "bridge-qos"))
}

// printBridgeQoS prints the QoS self-reports part of bridge status.
func printBridgeQoS(w io.Writer, st server.Status) {
	if len(st.QoS) == 0 {
		return
	}
	fmt.Fprintln(w, "\nQoS self-reports (q oracle self-reports DEAL):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  DEAL\tLAST FILED\tREPORT\tLATENCY\tTHROUGHPUT\tOK\tNEXT DUE\tFILED/FAILED\tNOT FILED YET\tLAST ERROR")
	when := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Local().Format(time.RFC3339)
	}
	for _, q := range st.QoS {
		fmt.Fprintf(tw, "  %d\t%s\t%d\t%d ms\t%d kbps\t%t\t%s\t%d/%d\t%d requests, %d errors\t%s\n", q.Deal, when(q.LastFiled), q.LastReportID,
			q.LastLatencyMs, q.LastThroughputKbps, q.LastSuccess, when(q.NextDue), q.Filed, q.Failed, q.PendingRequests, q.PendingErrors, orDash(q.LastError))
	}
	tw.Flush()
}
