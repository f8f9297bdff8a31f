// Package providertest runs provider nodes against an in-process chain for
// tests: a network with short deal parameters, funded accounts, a provider
// with units, consumers with access keys, a node configuration, S3 clients
// and a TCP proxy that can cut the node off the chain.
package providertest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/api/dealauth"
	"github.com/flashbacknetwork/flashbackd/api/layout"
	"github.com/flashbacknetwork/flashbackd/api/provider/config"
	"github.com/flashbacknetwork/flashbackd/api/provider/node"
	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/network"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// PricePerGBSecond1000 is a unit price at which 1 GB earns 1,000 uflash a
// second: withdrawals are worth more than their gas within seconds.
var PricePerGBSecond1000 = sdkmath.NewInt(2_592_000_000)

// SLA is a plain SLA for units and requests.
var SLA = types.Sla{MaxLatencyMs: 100, MinUploadKbps: 1000, MinDownloadKbps: 1000, MinUptimeBps: 9900, MaxErrorRateBps: 100}

// Env is a running in-process chain with helpers for provider node tests.
type Env struct {
	T       *testing.T
	Net     *network.Network
	Val     *network.Validator
	Conn    *grpc.ClientConn
	Q       types.QueryClient
	ChainID string
}

// Start runs a one-validator network whose deals can be short: 5 s minimum
// term, 10 s minimum prepayment, 1 s consumer close notice. edits, if
// any, change the network's configuration (its genesis) before it starts.
func Start(t *testing.T, edits ...func(*network.Config)) *Env {
	t.Helper()
	cfg := network.DefaultConfig(t)
	var gs types.GenesisState
	cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[types.ModuleName], &gs)
	gs.Params.MinDealDuration = 5 * time.Second
	gs.Params.MinPrepaidPeriod = 10 * time.Second
	gs.Params.ConsumerCloseNotice = time.Second
	cfg.GenesisState[types.ModuleName] = cfg.Codec.MustMarshalJSON(&gs)
	for _, edit := range edits {
		edit(&cfg)
	}
	n := network.New(t, cfg)
	val := n.Validators[0]
	conn, err := grpc.NewClient(val.AppConfig.GRPC.Address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	// versitygw's posix backend moves the process into the data
	// directory; come back so that later tests find what they expect.
	wd, err := os.Getwd()
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.Chdir(wd) })
	return &Env{T: t, Net: n, Val: val, Conn: conn, Q: types.NewQueryClient(conn), ChainID: cfg.ChainID}
}

// KeyringDir is the validator's test keyring, which holds every account of
// the test (the provider node reads its key there).
func (e *Env) KeyringDir() string { return e.Val.ClientCtx.KeyringDir }

// NewAccounts creates keys in the validator's keyring and funds them with
// 5,000 FLASH each in one transaction.
func (e *Env) NewAccounts(names ...string) []sdk.AccAddress {
	e.T.Helper()
	var addrs []sdk.AccAddress
	var msgs []sdk.Msg
	for _, name := range names {
		rec, _, err := e.Val.ClientCtx.Keyring.NewMnemonic(name, keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
		require.NoError(e.T, err)
		addr, err := rec.GetAddress()
		require.NoError(e.T, err)
		addrs = append(addrs, addr)
		msgs = append(msgs, banktypes.NewMsgSend(e.Val.Address, addr, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 5_000_000_000))))
	}
	e.Send(e.Val.Moniker, msgs...)
	return addrs
}

// Send signs msgs with key from, waits for the block and requires success.
func (e *Env) Send(from string, msgs ...sdk.Msg) *sdk.TxResponse {
	e.T.Helper()
	res := network.BroadcastTx(e.T, e.Net, e.Val, from, msgs...)
	require.Zero(e.T, res.Code, res.RawLog)
	return res
}

// CreateUnit submits unit id (ids are sequential: the test knows the next
// one) of 1,000 GB for the provider (key name from) with the endpoint of
// the node at publicURL.
func (e *Env) CreateUnit(from string, provider sdk.AccAddress, id uint64, publicURL string, price sdkmath.Int) {
	e.T.Helper()
	res := e.Send(from, &types.MsgCreateDataUnit{
		Provider: provider.String(), CapacityGb: 1000, PricePerGbMonth: price, Region: "eu-west", Country: "FR",
		Api: types.API_COMPATIBILITY_S3, Endpoint: layout.UnitEndpoint(publicURL, id), Sla: SLA,
	})
	var out types.MsgCreateDataUnitResponse
	MsgResponse(e.T, res, &out)
	require.Equal(e.T, id, out.UnitId)
}

// MsgResponse decodes the first message response of an included tx.
func MsgResponse(t *testing.T, res *sdk.TxResponse, out proto.Message) {
	t.Helper()
	raw, err := hex.DecodeString(res.Data)
	require.NoError(t, err)
	var data sdk.TxMsgData
	require.NoError(t, proto.Unmarshal(raw, &data))
	require.NotEmpty(t, data.MsgResponses)
	require.NoError(t, proto.Unmarshal(data.MsgResponses[0].Value, out))
}

// Consumer registers a consumer and, with a key file in dir, publishes its
// access key. It returns the key (nil without).
func (e *Env) Consumer(name string, addr sdk.AccAddress, dir string, withKey bool) *Party {
	e.T.Helper()
	msgs := []sdk.Msg{&types.MsgRegisterConsumer{Owner: addr.String()}}
	p := &Party{Name: name, Addr: addr}
	if withKey {
		p.KeyFile = filepath.Join(dir, name+"-access-key.json")
		key, err := dealauth.CreateKey(p.KeyFile)
		require.NoError(e.T, err)
		p.Key = key.PublicKey().Bytes()
		msgs = append(msgs, &types.MsgSetAccessKey{Owner: addr.String(), PublicKey: p.Key})
	}
	e.Send(name, msgs...)
	return p
}

// Party is a consumer of the test.
type Party struct {
	Name    string
	Addr    sdk.AccAddress
	KeyFile string
	Key     []byte
}

// RequestDeal requests capacity GB of unit for term, depositing the whole
// term's cost at 1,000 uflash per GB-second, and returns the deal id.
func (e *Env) RequestDeal(p *Party, unit, capacityGB uint64, term time.Duration) uint64 {
	e.T.Helper()
	u, err := e.Q.DataUnit(context.Background(), &types.QueryDataUnitRequest{Id: unit})
	require.NoError(e.T, err)
	cost := u.DataUnit.PricePerGbMonth.MulRaw(int64(capacityGB)).MulRaw(int64(term / time.Second)).QuoRaw(2_592_000)
	res := e.Send(p.Name, &types.MsgRequestDeal{Consumer: p.Addr.String(), UnitId: unit, CapacityGb: capacityGB, Term: term, Sla: SLA,
		Deposit: sdk.NewCoin(app.BondDenom, cost)})
	var out types.MsgRequestDealResponse
	MsgResponse(e.T, res, &out)
	return out.DealId
}

// Deal reads a deal.
func (e *Env) Deal(id uint64) *types.QueryDealResponse {
	e.T.Helper()
	res, err := e.Q.Deal(context.Background(), &types.QueryDealRequest{Id: id})
	require.NoError(e.T, err)
	return res
}

// WaitDealState waits until deal id is in state and returns when it was
// seen so.
func (e *Env) WaitDealState(id uint64, state types.DealState, timeout time.Duration) *types.Deal {
	e.T.Helper()
	var last *types.Deal
	require.Eventually(e.T, func() bool {
		res, err := e.Q.Deal(context.Background(), &types.QueryDealRequest{Id: id})
		if err != nil {
			return false
		}
		last = &res.Deal
		return res.Deal.State == state
	}, timeout, 100*time.Millisecond, "deal %d never reached %s (last: %v)", id, state, last)
	return last
}

// NodeConfig is a provider node configuration for this chain: the given
// posix units, test timings (fast polls, withdrawals every 3 s, a 3 s
// retrieval period), the provider key from the validator's keyring.
func (e *Env) NodeConfig(home, keyName string, units ...uint64) config.Config {
	e.T.Helper()
	cfg := config.Default(e.KeyringDir())
	cfg.Chain.GRPCAddress = e.Val.AppConfig.GRPC.Address
	cfg.Chain.RPCAddress = e.Val.RPCAddress
	cfg.Chain.KeyringBackend = "test"
	cfg.Chain.KeyName = keyName
	cfg.Chain.PollInterval.Duration = 300 * time.Millisecond
	cfg.Chain.TxTimeout.Duration = 20 * time.Second
	cfg.Server.Listen = FreeAddr(e.T)
	cfg.Server.PublicURL = "http://" + cfg.Server.Listen
	cfg.Server.StatusListen = FreeAddr(e.T)
	cfg.Withdraw.Interval.Duration = 3 * time.Second
	cfg.Retrieval.Period.Duration = 3 * time.Second
	cfg.Policy.FreeSpaceMarginGB = 0
	for _, id := range units {
		cfg.Units = append(cfg.Units, config.Unit{ID: id, Posix: &config.UnitPosix{Dir: fmt.Sprintf("unit-%d", id)}})
	}
	cfg = cfg.WithHome(home)
	require.NoError(e.T, cfg.Validate())
	_, _, err := dealauth.LoadOrCreateKey(cfg.Path(cfg.Server.AccessKeyFile))
	require.NoError(e.T, err)
	return cfg
}

// Running is a provider node running in the test process.
type Running struct {
	*node.Node
	cancel context.CancelFunc
	done   chan error
}

// StartNode runs a node with cfg until Stop or the end of the test.
func (e *Env) StartNode(cfg config.Config) *Running {
	e.T.Helper()
	n, err := node.New(cfg, node.Options{
		Codec: e.Val.ClientCtx.Codec, InterfaceRegistry: e.Val.ClientCtx.InterfaceRegistry, TxConfig: e.Val.ClientCtx.TxConfig,
		Logger: log.NewTestLoggerInfo(e.T),
	})
	require.NoError(e.T, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &Running{Node: n, cancel: cancel, done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() { r.done <- n.Run(ctx, ready) }()
	select {
	case <-ready:
	case err := <-r.done:
		e.T.Fatalf("provider node did not start: %v", err)
	case <-time.After(30 * time.Second):
		e.T.Fatal("provider node not ready after 30s")
	}
	e.T.Cleanup(func() { r.Stop(e.T) })
	return r
}

// Stop shuts the node down (SIGTERM's path) and requires a clean exit.
func (r *Running) Stop(t *testing.T) {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		require.NoError(t, err, "provider node shutdown")
	case <-time.After(60 * time.Second):
		t.Fatal("provider node did not stop within 60s")
	}
}

// S3Endpoint is the node's S3 endpoint URL.
func (r *Running) S3Endpoint() string { return "http://" + r.S3Addr() }

// S3 is the AWS SDK's S3 client for an endpoint and credentials, path-style,
// without retries (the errors the tests provoke are answers).
func S3(endpoint string, creds dealauth.Credentials) *s3.Client {
	return s3.New(s3.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, ""),
		RetryMaxAttempts: 1,
	})
}

// ErrCode is the S3 error code and HTTP status of an SDK error.
func ErrCode(err error) (string, int) {
	var ae smithy.APIError
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

// handedOut holds the addresses FreeAddr has returned in this process: the
// kernel may give a port that was just closed again, and two servers of one
// test (an S3 and a status listener) must not be handed the same one.
var handedOut sync.Map

// FreeAddr is a loopback address whose port was free a moment ago and that
// no earlier call in this process returned.
func FreeAddr(t *testing.T) string {
	t.Helper()
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		require.NoError(t, l.Close())
		if _, taken := handedOut.LoadOrStore(addr, true); !taken {
			return addr
		}
	}
}
