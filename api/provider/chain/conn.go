package chain

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
)

// Conn is the client's gRPC connection for queries of other modules (each
// call gets the query timeout and the SDK's codec).
func (c *Client) Conn() grpc.ClientConnInterface { return timeoutConn{c.conn} }

// LatestBlockTime is the time of the RPC node's latest block: a transaction
// broadcast now lands in a block at least that late (block times only grow).
func (c *Client) LatestBlockTime(ctx context.Context) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the latest block from %s: %w", c.cfg.RPCAddress, err)
	}
	return st.SyncInfo.LatestBlockTime, nil
}
