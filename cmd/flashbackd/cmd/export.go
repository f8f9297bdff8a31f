package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/client/flags"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/flashbacknetwork/flashbackd/app"
)

// appExport exports the state for `flashbackd export`.
func appExport(
	logger log.Logger, db dbm.DB, traceStore io.Writer, height int64, forZeroHeight bool,
	jailAllowedAddrs []string, appOpts servertypes.AppOptions, modulesToExport []string,
) (servertypes.ExportedApp, error) {
	viperAppOpts, ok := appOpts.(*viper.Viper)
	if !ok {
		return servertypes.ExportedApp{}, errors.New("appOpts is not a viper.Viper")
	}
	loadLatest := height == -1
	flashApp := app.New(logger, db, traceStore, loadLatest, viperAppOpts)
	if height != -1 {
		if err := flashApp.LoadHeight(height); err != nil {
			return servertypes.ExportedApp{}, err
		}
	}
	exported, err := flashApp.ExportAppStateAndValidators(forZeroHeight, jailAllowedAddrs, modulesToExport)
	// The SDK's export command opens the database and never closes it (the
	// process ends right after). Closing it here lets the command run more
	// than once in one process, as the export tests do. Not app.Close: it
	// logs, and the logger writes to stdout, where the genesis goes.
	return exported, errors.Join(err, db.Close())
}

// exportedConsensusParams completes the genesis that the SDK's `export`
// command writes. That command (server.ExportCmd) builds the genesis'
// consensus params with genutiltypes.NewConsensusGenesis, which copies the
// block, evidence and validator params and drops the version and ABCI ones:
// vote_extensions_enable_height became 0, and a chain started from the export
// ran with the oracle silently off. The command is kept as it is (its flags,
// its output to stdout or --output-document) and its genesis is rewritten
// with the two dropped params from the exported app, whose
// ExportAppStateAndValidators has already moved the enable height to a value
// valid for the new chain (app/export.go). A wrapper rather than a copy of
// the command: the SDK's opens the database and trace writer with unexported
// helpers, and would have to be kept in step by hand.
type exportedConsensusParams struct {
	// params are those of the last export of this command tree; set while
	// the SDK's command runs, read right after it.
	params *cmtproto.ConsensusParams
}

// capture wraps exporter so that the exported consensus params are kept.
func (e *exportedConsensusParams) capture(exporter servertypes.AppExporter) servertypes.AppExporter {
	return func(
		logger log.Logger, db dbm.DB, traceStore io.Writer, height int64, forZeroHeight bool,
		jailAllowedAddrs []string, appOpts servertypes.AppOptions, modulesToExport []string,
	) (servertypes.ExportedApp, error) {
		exported, err := exporter(logger, db, traceStore, height, forZeroHeight, jailAllowedAddrs, appOpts, modulesToExport)
		if err == nil {
			params := exported.ConsensusParams
			e.params = &params
		}
		return exported, err
	}
}

// completeGenesis wraps the `export` command of rootCmd: the SDK's command
// runs with its output captured, then the genesis gets the captured version
// and ABCI params and goes where the SDK would have written it.
func (e *exportedConsensusParams) completeGenesis(rootCmd *cobra.Command) {
	exportCmd, _, err := rootCmd.Find([]string{"export"})
	if err != nil || exportCmd.Name() != "export" {
		panic(fmt.Sprintf("the SDK added no export command: %v", err))
	}
	sdkRun := exportCmd.RunE
	exportCmd.RunE = func(cmd *cobra.Command, args []string) error {
		e.params = nil
		stdout := cmd.OutOrStdout()
		var captured bytes.Buffer
		cmd.SetOut(&captured)
		err := sdkRun(cmd, args)
		cmd.SetOut(stdout)
		if err != nil {
			return err
		}
		outputDocument, _ := cmd.Flags().GetString(flags.FlagOutputDocument)
		if outputDocument != "" {
			genesis, err := genutiltypes.AppGenesisFromFile(outputDocument)
			if err != nil {
				return err
			}
			if err := e.complete(genesis); err != nil {
				return err
			}
			return genesis.SaveAs(outputDocument)
		}
		genesis, err := genutiltypes.AppGenesisFromReader(&captured)
		if err != nil {
			return err
		}
		if err := e.complete(genesis); err != nil {
			return err
		}
		out, err := json.Marshal(genesis) // compact, as the SDK writes it
		if err != nil {
			return err
		}
		_, err = stdout.Write(out)
		return err
	}
}

// complete sets the params NewConsensusGenesis drops and checks the result
// as CometBFT will when the new chain starts.
func (e *exportedConsensusParams) complete(genesis *genutiltypes.AppGenesis) error {
	if e.params == nil || genesis.Consensus == nil || genesis.Consensus.Params == nil {
		return errors.New("export: no consensus params to complete the genesis with")
	}
	genesis.Consensus.Params.Version.App = e.params.Version.GetApp()
	genesis.Consensus.Params.ABCI.VoteExtensionsEnableHeight = e.params.Abci.GetVoteExtensionsEnableHeight()
	return genesis.Consensus.Params.ValidateBasic()
}
