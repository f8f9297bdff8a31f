package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutilcli "github.com/cosmos/cosmos-sdk/x/genutil/client/cli"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/flashbacknetwork/flashbackd/app"
)

// initCmd is the SDK's `init` followed by flashbackd's genesis defaults: FLASH
// denoms and metadata in the app state, and vote extensions enabled from
// height app.VoteExtensionsEnableHeight in the consensus params.
func initCmd(basics module.BasicManager, defaultNodeHome string) *cobra.Command {
	cmd := genutilcli.InitCmd(basics, defaultNodeHome)
	sdkRunE := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := sdkRunE(cmd, args); err != nil {
			return err
		}
		clientCtx := client.GetClientContextFromCmd(cmd)
		config := server.GetServerContextFromCmd(cmd).Config
		config.SetRoot(clientCtx.HomeDir)

		genFile := config.GenesisFile()
		appGenesis, err := genutiltypes.AppGenesisFromFile(genFile)
		if err != nil {
			return fmt.Errorf("reading the genesis written by init: %w", err)
		}
		genesisState := app.NewDefaultGenesisState(clientCtx.Codec, basics)
		appState, err := genesisState.MarshalIndent()
		if err != nil {
			return err
		}
		appGenesis.AppState = appState
		keyTypes := appGenesis.Consensus.Params.Validator.PubKeyTypes
		appGenesis.Consensus.Params = app.ConsensusParams()
		appGenesis.Consensus.Params.Validator.PubKeyTypes = keyTypes
		return genutil.ExportGenesisFile(appGenesis, genFile)
	}
	return cmd
}
