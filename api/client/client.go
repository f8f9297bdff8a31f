// Package client is the consumer's Go library for the Flashback network:
// what an application embeds to use storage on the marketplace without
// knowing which provider holds what. It lists and filters the marketplace's
// data units (gRPC), reserves them (a deal request with its escrow, signed
// with the consumer's keyring key, then the wait for the provider's answer),
// derives a deal's S3 credentials (api/dealauth, from the consumer's X25519
// access key and the public keys on chain) and reads and writes objects
// through a repository of one or more deals (api/bridge/repo: quorum writes,
// failover reads, repair). The consumer bridge (`flashbackd bridge`) is
// built on it.
//
// A Client is safe for concurrent use; its transactions are sent one at a
// time (one account sequence).
package client

import (
	"context"
	"crypto/ecdh"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"

	"cosmossdk.io/log"

	sdkclient "github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"

	"github.com/flashbacknetwork/flashbackd/api/provider/chain"
	"github.com/flashbacknetwork/flashbackd/app"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Config configures a Client.
type Config struct {
	// GRPCAddress (host:port) of a flashbackd node; GRPCTLS for TLS.
	GRPCAddress string
	GRPCTLS     bool
	// RPCAddress is CometBFT's RPC (tcp://, http:// or https://):
	// transactions are broadcast and looked up there.
	RPCAddress string
	// ChainID, if empty, is read from the RPC node on first use.
	ChainID string

	// Keyring and KeyName: the consumer's account key, which signs deal
	// requests, top-ups and closes.
	Keyring keyring.Keyring
	KeyName string
	// AccessKey is the consumer's private X25519 access key
	// (dealauth.LoadKey); nil: no deal credentials (DealAccess fails).
	AccessKey *ecdh.PrivateKey

	// GasPrices (e.g. "0.0025uflash"; empty: app.DefaultMinGasPrices) and
	// GasAdjustment (default 1.5) of its transactions; TxTimeout (default
	// 30 s) bounds the wait for a transaction's block.
	GasPrices     string
	GasAdjustment float64
	TxTimeout     time.Duration

	// The app's codecs (app.App's AppCodec, InterfaceRegistry, TxConfig).
	Codec             codec.Codec
	InterfaceRegistry codectypes.InterfaceRegistry
	TxConfig          sdkclient.TxConfig

	Logger log.Logger
}

// Client is a consumer's connection to the chain.
type Client struct {
	cfg   Config
	chain *chain.Client
	conn  grpc.ClientConnInterface
	q     orchestratortypes.QueryClient
	rep   reputationtypes.QueryClient
}

// New prepares a client. Like gRPC it connects lazily: it succeeds while
// the chain is down and fails only on a bad configuration or a missing key.
func New(cfg Config) (*Client, error) {
	if cfg.Keyring == nil || cfg.KeyName == "" {
		return nil, errors.New("client: a keyring and the consumer's key name are required")
	}
	if cfg.Codec == nil || cfg.InterfaceRegistry == nil || cfg.TxConfig == nil {
		return nil, errors.New("client: the app's codecs are required (Codec, InterfaceRegistry, TxConfig)")
	}
	if cfg.GasPrices == "" {
		cfg.GasPrices = app.DefaultMinGasPrices
	}
	if cfg.GasAdjustment == 0 {
		cfg.GasAdjustment = 1.5
	}
	if cfg.TxTimeout == 0 {
		cfg.TxTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	c, err := chain.New(chain.Config{
		GRPCAddress: cfg.GRPCAddress, GRPCTLS: cfg.GRPCTLS, RPCAddress: cfg.RPCAddress, ChainID: cfg.ChainID,
		Keyring: cfg.Keyring, KeyName: cfg.KeyName,
		GasPrices: cfg.GasPrices, GasAdjustment: cfg.GasAdjustment, TxTimeout: cfg.TxTimeout,
		Codec: cfg.Codec, InterfaceRegistry: cfg.InterfaceRegistry, TxConfig: cfg.TxConfig,
	}, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	conn := c.Conn()
	return &Client{cfg: cfg, chain: c, conn: conn,
		q: orchestratortypes.NewQueryClient(conn), rep: reputationtypes.NewQueryClient(conn)}, nil
}

// Close releases the connections.
func (c *Client) Close() error { return c.chain.Close() }

// Address is the consumer's account (the keyring key's address).
func (c *Client) Address() string { return c.chain.Address().String() }

// ChainID is the chain's id (configured, or read from the RPC node once).
func (c *Client) ChainID(ctx context.Context) (string, error) { return c.chain.ChainID(ctx) }

// Orchestrator is the x/orchestrator query client over the same connection.
func (c *Client) Orchestrator() orchestratortypes.QueryClient { return c.q }
