package cmd

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"

	"github.com/flashbacknetwork/flashbackd/api/bridge"
	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/api/layout"
	"github.com/flashbacknetwork/flashbackd/api/receipts"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

const flagReceiptSequence = "receipt-sequence"

// bridgeReceiptCmd signs one usage receipt and uploads it to the deal's
// provider node: what `bridge serve` does as data flows, by hand.
func bridgeReceiptCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "receipt [deal-id] [bytes-served]",
		Short: "Sign a usage receipt for a deal's egress and send it to the deal's provider node",
		Long: `Signs, with your account key (--from), that the deal's provider has served you
bytes-served bytes in all since the deal started, and uploads the receipt to
the deal's bucket (key .flashback/usage-receipt) with the deal's S3
credentials. The provider node checks it and bills it on chain at the unit's
egress price (see x/orchestrator's README, "Egress"). Receipts are
cumulative: each one must say more bytes, with a higher sequence, than the
last. Nothing is sent to the chain by this command.

Arguments:
  deal-id        the deal's id
  bytes-served   cumulative bytes the provider served you, since the deal started`,
		Example: "flashbackd bridge receipt 1 5000000000 --from consumer --node tcp://127.0.0.1:26601",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			dealID, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || dealID == 0 {
				return fmt.Errorf("deal-id must be a positive integer, got %q", args[0])
			}
			served, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil || served == 0 {
				return fmt.Errorf("bytes-served must be a positive integer, got %q", args[1])
			}
			seq, err := cmd.Flags().GetUint64(flagReceiptSequence)
			if err != nil {
				return err
			}
			if seq == 0 {
				seq = uint64(time.Now().UnixMilli())
			}
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			if clientCtx.FromName == "" {
				return fmt.Errorf("--from is required: the key of the deal's consumer account")
			}
			path, err := accessKeyPath(cmd)
			if err != nil {
				return err
			}
			key, err := dealauth.LoadKey(path)
			if err != nil {
				return fmt.Errorf("your access key: %w (create one with `flashbackd bridge access-key`)", err)
			}
			chainID, err := nodeChainID(cmd.Context(), clientCtx)
			if err != nil {
				return err
			}
			access, err := bridge.ResolveDeal(cmd.Context(), orchestratortypes.NewQueryClient(clientCtx), key, chainID, dealID)
			if err != nil {
				return err
			}
			signed, err := receipts.Sign(clientCtx.Keyring, clientCtx.FromName,
				orchestratortypes.UsageReceipt{ChainId: chainID, DealId: dealID, BytesServed: served, Sequence: seq})
			if err != nil {
				return err
			}
			s3c := s3.New(s3.Options{
				Region: "us-east-1", BaseEndpoint: aws.String(access.Endpoint), UsePathStyle: true,
				Credentials: credentials.NewStaticCredentialsProvider(access.AccessKeyID, access.SecretAccessKey, ""),
			})
			if _, err := s3c.PutObject(cmd.Context(), &s3.PutObjectInput{
				Bucket: aws.String(access.Bucket), Key: aws.String(layout.ReceiptKey), Body: bytes.NewReader(receipts.Encode(signed)),
			}); err != nil {
				return fmt.Errorf("the provider node refused the receipt: %w", err)
			}
			cmd.Printf("receipt for deal %d sent: %d bytes served, sequence %d; the provider node bills it on chain\n", dealID, served, seq)
			return nil
		},
	}
	cmd.Flags().String(flagAccessKeyFile, "", "private access key file (default <home>/bridge/access_key.json)")
	cmd.Flags().Uint64(flagReceiptSequence, 0, "the receipt's sequence, above your deal's last (default: the time in milliseconds)")
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}
