package app

import (
	servertypes "github.com/cosmos/cosmos-sdk/server/types"

	oraclekeeper "github.com/flashbacknetwork/flashbackd/x/oracle/keeper"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// OracleReaderOption is the app option under which a Go test hands New a
// stand-in for x/oracle's agreed QoS (an orchestratortypes.OracleReader), so
// that SLA rounds can be driven with chosen measurements through the real
// wiring. A node's options come from app.toml and flags, which cannot hold a
// Go value of that type: a node always reads x/oracle.
const OracleReaderOption = "flashback.test-oracle-reader"

// oracleReader is what SLA enforcement reads the agreed QoS from: x/oracle,
// unless a test set OracleReaderOption.
func oracleReader(appOpts servertypes.AppOptions, k oraclekeeper.Keeper) orchestratortypes.OracleReader {
	if r, ok := appOpts.Get(OracleReaderOption).(orchestratortypes.OracleReader); ok {
		return r
	}
	return k
}
