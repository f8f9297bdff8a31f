// Package cmd builds the flashbackd command tree: node commands from the
// Cosmos SDK server, genesis commands, keys, and tx/query commands generated
// by AutoCLI from the modules' protos.
package cmd

import (
	"os"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/cobra"

	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/config"
	"github.com/cosmos/cosmos-sdk/server"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	txmodule "github.com/cosmos/cosmos-sdk/x/auth/tx/config"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/flashbacknetwork/flashbackd/app"
)

// envPrefix prefixes the environment variables that set flags (FLASHBACKD_NODE).
const envPrefix = "FLASHBACKD"

// NewRootCmd returns the root command of flashbackd.
func NewRootCmd() *cobra.Command {
	// A throw-away app instance gives the CLI the same codecs, module basics
	// and AutoCLI options as the node.
	tempHome, err := os.MkdirTemp("", "flashbackd-cli-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tempHome)
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), nil, false, simtestutil.NewAppOptionsWithFlagHome(tempHome))

	initClientCtx := client.Context{}.
		WithCodec(tempApp.AppCodec()).
		WithInterfaceRegistry(tempApp.InterfaceRegistry()).
		WithTxConfig(tempApp.TxConfig()).
		WithLegacyAmino(tempApp.LegacyAmino()).
		WithInput(os.Stdin).
		WithAccountRetriever(authtypes.AccountRetriever{}).
		WithHomeDir(app.DefaultNodeHome).
		WithViper(envPrefix)

	rootCmd := &cobra.Command{
		Use:           app.AppName,
		Short:         "Flashback: a decentralized storage marketplace chain",
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.OutOrStdout())
			cmd.SetErr(cmd.ErrOrStderr())

			clientCtx := initClientCtx.WithCmdContext(cmd.Context())
			clientCtx, err := client.ReadPersistentCommandFlags(clientCtx, cmd.Flags())
			if err != nil {
				return err
			}
			// A fresh viper: the config loader adds <home>/config to the
			// instance's search paths, and one that had already read the
			// default home's client.toml kept finding that file first, so
			// `--home H` ignored H's client.toml (node, chain-id, keyring).
			clientCtx, err = config.ReadFromClientConfig(clientCtx.WithViper(envPrefix))
			if err != nil {
				return err
			}
			// SIGN_MODE_TEXTUAL needs coin metadata, which an online client
			// can query from the node.
			if !clientCtx.Offline {
				txConfig, err := app.NewTxConfig(clientCtx.Codec, txmodule.NewGRPCCoinMetadataQueryFn(clientCtx))
				if err != nil {
					return err
				}
				clientCtx = clientCtx.WithTxConfig(txConfig)
			}
			if err := client.SetCmdClientContextHandler(clientCtx, cmd); err != nil {
				return err
			}
			appTemplate, appConfig := initAppConfig()
			return server.InterceptConfigsPreRunHandler(cmd, appTemplate, appConfig, initCometBFTConfig())
		},
	}

	initRootCmd(rootCmd, tempApp)

	autoCliOpts := tempApp.AutoCliOpts()
	// AutoCLI's fallback context takes the client defaults without reading
	// (or creating) a client.toml in the default home: each command reads the
	// one under its --home when it runs.
	initClientCtx, _ = config.ReadDefaultValuesFromDefaultClientConfig(initClientCtx)
	autoCliOpts.ClientCtx = initClientCtx
	if err := autoCliOpts.EnhanceRootCommand(rootCmd); err != nil {
		panic(err)
	}
	if err := enhanceModuleCommands(rootCmd, autoCliOpts); err != nil {
		panic(err)
	}
	// Governance proposals for the modules' params (params_proposal.go).
	if gov := findCommand(rootCmd, "tx", "gov"); gov != nil {
		gov.AddCommand(draftParamsProposalCmd())
	}
	return rootCmd
}
