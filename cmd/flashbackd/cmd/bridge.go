package cmd

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"

	"github.com/flashbacknetwork/flashbackd/api/bridge"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/app"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

const flagAccessKeyFile = "access-key-file"

// bridgeCommand is `flashbackd bridge`: the consumer side of the API service.
func bridgeCommand(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bridge",
		Short: "Consumer side of the API service: one local S3 endpoint over your deals, your access key, your deals' credentials",
		Long: `The bridge serves your repositories (buckets backed by one deal, or mirrored
over several) on a local S3 endpoint, with keys it issues itself. Its home is
<home>/bridge (--home, default ~/.flashbackd): bridge.toml, your access key
(access_key.json) and its data directory. See api/bridge/README.md.`,
	}
	cmd.AddCommand(bridgeAccessKeyCmd(), bridgeCredentialsCmd(), bridgeReceiptCmd(),
		bridgeInitCmd(), bridgeServeCmd(a), bridgeStatusCmd(), bridgeKeysCmd(), bridgeRebuildCmd(a),
		bridgeReserveCmd(a))
	return cmd
}

// accessKeyPath is the --access-key-file flag, or the bridge's key in the
// home directory.
func accessKeyPath(cmd *cobra.Command) (string, error) {
	path, err := cmd.Flags().GetString(flagAccessKeyFile)
	if err != nil || path != "" {
		return path, err
	}
	clientCtx, err := client.GetClientQueryContext(cmd)
	if err != nil {
		return "", err
	}
	return filepath.Join(clientCtx.HomeDir, "bridge", "access_key.json"), nil
}

func bridgeAccessKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "access-key",
		Short: "Create your consumer access key if there is none, and print its public key",
		Long: `Creates the X25519 key from which your deals' S3 credentials are derived
(<home>/bridge/access_key.json by default, readable by you only; back it up:
without it you cannot compute your credentials), and prints its public key.
Publish the public key once with the printed command; the providers' nodes
derive the same credentials from it. Creating a new key and publishing it
changes the credentials of all your deals.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := accessKeyPath(cmd)
			if err != nil {
				return err
			}
			key, created, err := dealauth.LoadOrCreateKey(path)
			if err != nil {
				return err
			}
			pub := hex.EncodeToString(key.PublicKey().Bytes())
			if created {
				cmd.Printf("created %s\n", path)
			}
			cmd.Printf("public key: %s\npublish it: flashbackd tx orchestrator set-access-key %s --from <your consumer key>\n", pub, pub)
			return nil
		},
	}
	cmd.Flags().String(flagAccessKeyFile, "", "private access key file (default <home>/bridge/access_key.json)")
	flags.AddQueryFlagsToCmd(cmd)
	return cmd
}

func bridgeCredentialsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "credentials [deal-id]",
		Short: "Print the S3 endpoint, bucket and credentials of one of your deals",
		Long: `Reads the deal, its data unit and both parties' published access keys from
the chain, and derives the deal's S3 credentials (AWS Signature V4) with your
private access key. Nothing is sent anywhere: the provider's node derives
the same credentials. Use them with any S3 client, path-style.`,
		Example: `flashbackd bridge credentials 1 --node tcp://127.0.0.1:26601
eval "$(flashbackd bridge credentials 1 -o env)" && aws --endpoint-url "$S3_ENDPOINT" s3 ls "s3://$S3_BUCKET"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dealID, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || dealID == 0 {
				return fmt.Errorf("deal-id must be a positive integer, got %q", args[0])
			}
			path, err := accessKeyPath(cmd)
			if err != nil {
				return err
			}
			key, err := dealauth.LoadKey(path)
			if err != nil {
				return fmt.Errorf("your access key: %w (create one with `flashbackd bridge access-key`)", err)
			}
			clientCtx, err := client.GetClientQueryContext(cmd)
			if err != nil {
				return err
			}
			chainID, err := nodeChainID(cmd.Context(), clientCtx)
			if err != nil {
				return err
			}
			access, err := bridge.ResolveDeal(cmd.Context(), orchestratortypes.NewQueryClient(clientCtx), key, chainID, dealID)
			if err != nil {
				return err
			}
			return printDealAccess(cmd, clientCtx.OutputFormat, access)
		},
	}
	cmd.Flags().String(flagAccessKeyFile, "", "private access key file (default <home>/bridge/access_key.json)")
	flags.AddQueryFlagsToCmd(cmd)
	cmd.Flags().Lookup(flags.FlagOutput).Usage = "output format: text, json or env (shell variables for the aws CLI)"
	return cmd
}

func printDealAccess(cmd *cobra.Command, format string, a bridge.DealAccess) error {
	switch format {
	case "json":
		bz, err := json.MarshalIndent(a, "", "  ")
		if err != nil {
			return err
		}
		cmd.Println(string(bz))
	case "env":
		cmd.Printf("export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\nexport S3_ENDPOINT=%s\nexport S3_BUCKET=%s\n",
			a.AccessKeyID, a.SecretAccessKey, a.Endpoint, a.Bucket)
	default:
		cmd.Printf("deal:              %d (%s)\nendpoint:          %s (path-style)\nbucket:            %s\naccess key id:     %s\nsecret access key: %s\n",
			a.DealID, a.State, a.Endpoint, a.Bucket, a.AccessKeyID, a.SecretAccessKey)
	}
	return nil
}
