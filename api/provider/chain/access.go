package chain

import (
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// RPC is the client's CometBFT RPC client (transaction search).
func (c *Client) RPC() *rpchttp.HTTP { return c.rpc }
