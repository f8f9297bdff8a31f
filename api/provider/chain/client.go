// Package chain is the provider node's view of the chain: queries over
// gRPC, and transactions signed with the provider's keyring key, broadcast
// and looked up over CometBFT RPC. Every call has its own timeout and
// nothing is cached across calls but the chain id and the account sequence,
// so the node survives the chain node restarting or being unreachable: a
// call fails, the caller retries later.
package chain

import (
	"context"
	"crypto/tls"
	"fmt"
	"sync"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Config configures a Client.
type Config struct {
	GRPCAddress string
	GRPCTLS     bool
	// RPCAddress is CometBFT's RPC (tcp://, http:// or https://).
	RPCAddress string
	// ChainID, if empty, is read from the RPC node on first use.
	ChainID string

	Keyring keyring.Keyring
	KeyName string

	GasPrices     string
	GasAdjustment float64
	// TxTimeout bounds the wait for a transaction's inclusion.
	TxTimeout time.Duration

	// The app's codecs: the interface registry must know the account and
	// message types (the CLI passes its app's).
	Codec             codec.Codec
	InterfaceRegistry codectypes.InterfaceRegistry
	TxConfig          client.TxConfig
}

// callTimeout bounds one query, so that a chain node that accepts
// connections and never answers cannot stall the node.
const callTimeout = 10 * time.Second

// reconnectMaxDelay bounds the wait between reconnection attempts to a
// gRPC node that went away.
const reconnectMaxDelay = 5 * time.Second

// Client talks to one chain node. Safe for concurrent use; transactions
// are sent one at a time.
type Client struct {
	cfg     Config
	logger  log.Logger
	address sdk.AccAddress

	conn  *grpc.ClientConn
	rpc   *rpchttp.HTTP
	q     orchestratortypes.QueryClient
	auth  authtypes.QueryClient
	txSvc txtypes.ServiceClient

	chainMu sync.Mutex
	chainID string

	tx txState
}

// New prepares a client. It does not contact the chain (gRPC connects
// lazily and reconnects by itself), so it succeeds while the chain is down;
// it fails only on a bad configuration or a missing key.
func New(cfg Config, logger log.Logger) (*Client, error) {
	record, err := cfg.Keyring.Key(cfg.KeyName)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", cfg.KeyName, err)
	}
	addr, err := record.GetAddress()
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", cfg.KeyName, err)
	}
	creds := insecure.NewCredentials()
	if cfg.GRPCTLS {
		creds = credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12})
	}
	conn, err := grpc.NewClient(cfg.GRPCAddress,
		grpc.WithTransportCredentials(creds),
		// gRPC's default reconnect backoff grows to 2 minutes; a node
		// that comes back should be used within seconds.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 500 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: reconnectMaxDelay},
			MinConnectTimeout: 5 * time.Second,
		}),
		// The SDK's codec, so that gogoproto types and Any values decode.
		grpc.WithDefaultCallOptions(grpc.ForceCodec(codec.NewProtoCodec(cfg.InterfaceRegistry).GRPCCodec())),
	)
	if err != nil {
		return nil, fmt.Errorf("gRPC %s: %w", cfg.GRPCAddress, err)
	}
	rpc, err := rpchttp.NewWithTimeout(cfg.RPCAddress, "/websocket", uint(callTimeout/time.Second))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("CometBFT RPC %s: %w", cfg.RPCAddress, err)
	}
	if logger == nil {
		logger = log.NewNopLogger()
	}
	return &Client{
		cfg: cfg, logger: logger, address: addr,
		conn: conn, rpc: rpc,
		q:       orchestratortypes.NewQueryClient(conn),
		auth:    authtypes.NewQueryClient(conn),
		txSvc:   txtypes.NewServiceClient(conn),
		chainID: cfg.ChainID,
	}, nil
}

// Close releases the connections.
func (c *Client) Close() error { return c.conn.Close() }

// Address is the provider's account address (its key's).
func (c *Client) Address() sdk.AccAddress { return c.address }

// ChainID returns the configured chain id, or the RPC node's.
func (c *Client) ChainID(ctx context.Context) (string, error) {
	c.chainMu.Lock()
	defer c.chainMu.Unlock()
	if c.chainID != "" {
		return c.chainID, nil
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return "", fmt.Errorf("reading the chain id from %s: %w", c.cfg.RPCAddress, err)
	}
	c.chainID = st.NodeInfo.Network
	return c.chainID, nil
}

// IsNotFound reports whether a query failed because the thing does not
// exist (as opposed to the chain being unreachable).
func IsNotFound(err error) bool { return status.Code(err) == codes.NotFound }

// call runs one query with the call timeout.
func call[T any](ctx context.Context, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return f(ctx)
}

// Provider reads a provider's record.
func (c *Client) Provider(ctx context.Context, addr string) (orchestratortypes.Provider, error) {
	res, err := call(ctx, func(ctx context.Context) (*orchestratortypes.QueryProviderResponse, error) {
		return c.q.Provider(ctx, &orchestratortypes.QueryProviderRequest{Address: addr})
	})
	if err != nil {
		return orchestratortypes.Provider{}, err
	}
	return res.Provider, nil
}

// Consumer reads a consumer's record.
func (c *Client) Consumer(ctx context.Context, addr string) (orchestratortypes.Consumer, error) {
	res, err := call(ctx, func(ctx context.Context) (*orchestratortypes.QueryConsumerResponse, error) {
		return c.q.Consumer(ctx, &orchestratortypes.QueryConsumerRequest{Address: addr})
	})
	if err != nil {
		return orchestratortypes.Consumer{}, err
	}
	return res.Consumer, nil
}

// AccessKey reads a party's published X25519 public key.
func (c *Client) AccessKey(ctx context.Context, addr string) ([]byte, error) {
	res, err := call(ctx, func(ctx context.Context) (*orchestratortypes.QueryAccessKeyResponse, error) {
		return c.q.AccessKey(ctx, &orchestratortypes.QueryAccessKeyRequest{Address: addr})
	})
	if err != nil {
		return nil, err
	}
	return res.AccessKey.PublicKey, nil
}

// DataUnit reads a data unit.
func (c *Client) DataUnit(ctx context.Context, id uint64) (orchestratortypes.DataUnit, error) {
	res, err := call(ctx, func(ctx context.Context) (*orchestratortypes.QueryDataUnitResponse, error) {
		return c.q.DataUnit(ctx, &orchestratortypes.QueryDataUnitRequest{Id: id})
	})
	if err != nil {
		return orchestratortypes.DataUnit{}, err
	}
	return res.DataUnit, nil
}

// Deal reads a deal and its escrow projected to the latest block.
func (c *Client) Deal(ctx context.Context, id uint64) (*orchestratortypes.QueryDealResponse, error) {
	return call(ctx, func(ctx context.Context) (*orchestratortypes.QueryDealResponse, error) {
		return c.q.Deal(ctx, &orchestratortypes.QueryDealRequest{Id: id})
	})
}

// dealsPage is the page size of deal listings (the module's maximum).
const dealsPage = 200

// ProviderDeals lists the provider's deals in one state, every page.
func (c *Client) ProviderDeals(ctx context.Context, provider string, state orchestratortypes.DealState) ([]orchestratortypes.Deal, error) {
	var out []orchestratortypes.Deal
	var key []byte
	for {
		// A limit and no count_total: the module refuses a total for a
		// party and a state, and the SDK counts when no limit is given.
		req := &orchestratortypes.QueryDealsRequest{Provider: provider, State: state, Pagination: &query.PageRequest{Key: key, Limit: dealsPage}}
		res, err := call(ctx, func(ctx context.Context) (*orchestratortypes.QueryDealsResponse, error) { return c.q.Deals(ctx, req) })
		if err != nil {
			return nil, err
		}
		out = append(out, res.Deals...)
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			return out, nil
		}
		key = res.Pagination.NextKey
	}
}

// Params reads x/orchestrator's params.
func (c *Client) Params(ctx context.Context) (orchestratortypes.Params, error) {
	res, err := call(ctx, func(ctx context.Context) (*orchestratortypes.QueryParamsResponse, error) {
		return c.q.Params(ctx, &orchestratortypes.QueryParamsRequest{})
	})
	if err != nil {
		return orchestratortypes.Params{}, err
	}
	return res.Params, nil
}

// AccountPubKey is the public key an account has on chain; nil when the
// account has never signed a transaction.
func (c *Client) AccountPubKey(ctx context.Context, addr string) (cryptotypes.PubKey, error) {
	res, err := call(ctx, func(ctx context.Context) (*authtypes.QueryAccountResponse, error) {
		return c.auth.Account(ctx, &authtypes.QueryAccountRequest{Address: addr})
	})
	if err != nil {
		return nil, err
	}
	var acc sdk.AccountI
	if err := c.cfg.InterfaceRegistry.UnpackAny(res.Account, &acc); err != nil {
		return nil, fmt.Errorf("decoding account %s: %w", addr, err)
	}
	return acc.GetPubKey(), nil
}
