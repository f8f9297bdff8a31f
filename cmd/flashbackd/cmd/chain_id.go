package cmd

import (
	"context"
	"fmt"

	"github.com/cosmos/cosmos-sdk/client"
)

// nodeChainID is the --chain-id of the command, or else the chain id of the
// node it talks to (--node): the chain id that deal credentials and usage
// receipts are bound to.
func nodeChainID(ctx context.Context, clientCtx client.Context) (string, error) {
	if clientCtx.ChainID != "" {
		return clientCtx.ChainID, nil
	}
	status, err := clientCtx.Client.Status(ctx)
	if err != nil {
		return "", fmt.Errorf("reading the chain id from the node: %w", err)
	}
	return status.NodeInfo.Network, nil
}
