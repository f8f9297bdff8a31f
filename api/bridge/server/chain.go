package server

import (
	"context"
	"crypto/ecdh"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/flashbacknetwork/flashbackd/api/bridge"
	"github.com/flashbacknetwork/flashbackd/api/bridge/config"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// chainTimeout bounds the start-up's chain queries.
const chainTimeout = 30 * time.Second

// dialChain connects to the configured gRPC node (lazily: a node that is
// down fails the first query, not this).
func dialChain(c config.Chain) (*grpc.ClientConn, error) {
	creds := insecure.NewCredentials()
	if c.GRPCTLS {
		creds = credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12})
	}
	conn, err := grpc.NewClient(c.GRPCAddress, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, fmt.Errorf("gRPC %s: %w", c.GRPCAddress, err)
	}
	return conn, nil
}

// chainID is the configured chain id, or the RPC node's.
func chainID(ctx context.Context, c config.Chain) (string, error) {
	if c.ChainID != "" {
		return c.ChainID, nil
	}
	rpc, err := rpchttp.NewWithTimeout(c.RPCAddress, "/websocket", uint(chainTimeout/time.Second))
	if err != nil {
		return "", fmt.Errorf("CometBFT RPC %s: %w", c.RPCAddress, err)
	}
	st, err := rpc.Status(ctx)
	if err != nil {
		return "", fmt.Errorf("reading the chain id from %s (or set chain.chain_id): %w", c.RPCAddress, err)
	}
	return st.NodeInfo.Network, nil
}

// resolveDeals reads every repository's deals and derives their
// credentials. A deal must exist, belong to the consumer and be ACTIVE;
// every deal that does not is reported, with its repository.
func resolveDeals(ctx context.Context, q bridge.ChainReader, key *ecdh.PrivateKey, chain, consumer string, repos []config.Repository) (map[uint64]bridge.DealAccess, error) {
	out := map[uint64]bridge.DealAccess{}
	var errs []error
	for _, r := range repos {
		for _, id := range r.Deals {
			bad := func(format string, args ...any) {
				errs = append(errs, fmt.Errorf("repository %s: deal %d: %s", r.Name, id, fmt.Sprintf(format, args...)))
			}
			res, err := q.Deal(ctx, &orchestratortypes.QueryDealRequest{Id: id})
			if status.Code(err) == codes.NotFound {
				bad("no such deal on chain %s", chain)
				continue
			}
			if err != nil {
				return nil, unreachable{fmt.Errorf("reading deal %d: %w", id, err)}
			}
			d := res.Deal
			if d.Consumer != consumer {
				bad("its consumer is %s, not the bridge's account %s (chain.key_name)", d.Consumer, consumer)
				continue
			}
			if d.State != orchestratortypes.DEAL_STATE_ACTIVE {
				bad("it is %s; the bridge serves ACTIVE deals only (remove it from the repository)", d.State)
				continue
			}
			access, err := bridge.ResolveDeal(ctx, q, key, chain, id)
			if err != nil {
				if c := status.Code(errors.Unwrap(err)); c == codes.Unavailable || c == codes.DeadlineExceeded {
					return nil, unreachable{err}
				}
				bad("%v", err)
				continue
			}
			out[id] = access
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// unreachable is a failure to read the chain, not a problem with a deal.
type unreachable struct{ error }

func (u unreachable) Unwrap() error { return u.error }

// resolved is what the bridge keeps of its last resolution: the chain id
// and every deal's access (the database is private to the consumer, like
// the access key the credentials are derived from).
type resolved struct {
	ChainID string                       `json:"chain_id"`
	Deals   map[uint64]bridge.DealAccess `json:"deals"`
}

const resolvedMeta = "resolved"
