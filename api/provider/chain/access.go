package chain

import (
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"google.golang.org/grpc"
)

// Conn is the client's gRPC connection, for query clients of other
// modules (the consumer library, api/client, shares it).
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// RPC is the client's CometBFT RPC client (transaction search).
func (c *Client) RPC() *rpchttp.HTTP { return c.rpc }
