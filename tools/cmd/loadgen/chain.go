package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	gogoproto "github.com/cosmos/gogoproto/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
	"github.com/flashbacknetwork/flashbackd/tools/bench/report"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// node is one validator's CometBFT RPC.
type node struct {
	url    string
	client *rpchttp.HTTP
	http   *http.Client // for the tracker's plain GETs (blocks.go)
}

// checkLocal refuses any RPC address that is not on this machine: the load
// generator only ever talks to a local network.
func checkLocal(raw string) (string, error) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme == "tcp" {
		u.Scheme = "http"
	}
	if u.Scheme != "http" {
		return "", fmt.Errorf("%s: only http:// (or tcp://) RPC addresses", raw)
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("%s: refusing a non-local host %q; loadgen only sends to 127.0.0.1", raw, host)
	}
	return u.String(), nil
}

func newNode(raw string) (*node, error) {
	addr, err := checkLocal(raw)
	if err != nil {
		return nil, err
	}
	httpClient := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second,
			// Never through a proxy: the traffic stays on 127.0.0.1.
			Proxy: nil,
		},
	}
	c, err := rpchttp.NewWithClient(addr, "/websocket", httpClient)
	if err != nil {
		return nil, err
	}
	return &node{url: addr, client: c, http: httpClient}, nil
}

// abciQuery runs a gRPC query through ABCI on committed state.
func (n *node) abciQuery(ctx context.Context, path string, req, resp gogoproto.Message) (uint32, error) {
	bz, err := gogoproto.Marshal(req)
	if err != nil {
		return 0, err
	}
	res, err := n.client.ABCIQuery(ctx, path, bz)
	if err != nil {
		return 0, err
	}
	if res.Response.Code != 0 {
		return res.Response.Code, nil
	}
	return 0, gogoproto.Unmarshal(res.Response.Value, resp)
}

// account returns the account number and sequence of addr; found is false
// when the account does not exist yet.
func (n *node) account(ctx context.Context, addr sdk.AccAddress) (num, seq uint64, found bool, err error) {
	var resp authtypes.QueryAccountResponse
	code, err := n.abciQuery(ctx, "/cosmos.auth.v1beta1.Query/Account", &authtypes.QueryAccountRequest{Address: addr.String()}, &resp)
	if err != nil || code != 0 {
		return 0, 0, false, err
	}
	if resp.Account == nil || resp.Account.TypeUrl != "/cosmos.auth.v1beta1.BaseAccount" {
		return 0, 0, false, fmt.Errorf("account %s: unexpected type %v", addr, resp.Account)
	}
	var acc authtypes.BaseAccount
	if err := gogoproto.Unmarshal(resp.Account.Value, &acc); err != nil {
		return 0, 0, false, err
	}
	return acc.AccountNumber, acc.Sequence, true, nil
}

// balance returns addr's uflash balance.
func (n *node) balance(ctx context.Context, addr sdk.AccAddress) (int64, error) {
	var resp banktypes.QueryBalanceResponse
	code, err := n.abciQuery(ctx, "/cosmos.bank.v1beta1.Query/Balance", &banktypes.QueryBalanceRequest{Address: addr.String(), Denom: app.BondDenom}, &resp)
	if err != nil || code != 0 || resp.Balance == nil {
		return 0, err
	}
	return resp.Balance.Amount.Int64(), nil
}

// syncAccount loads the account number and sequence of acc.
func (n *node) syncAccount(ctx context.Context, acc *txgen.Account) error {
	num, seq, found, err := n.account(ctx, acc.Addr)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("account %s does not exist", acc.Addr)
	}
	acc.Num, acc.Seq = num, seq
	return nil
}

func txHash(tx []byte) string {
	h := sha256.Sum256(tx)
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

var wrongSequence = regexp.MustCompile(`expected (\d+), got (\d+)`)

// expectedSequence reads the sequence CheckTx expected from its log.
func expectedSequence(log string) (uint64, bool) {
	m := wrongSequence.FindStringSubmatch(log)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseUint(m[1], 10, 64)
	return v, err == nil
}

// Codes of the SDK's errors that the load generator handles.
const (
	codespaceSDK      = "sdk"
	codeWrongSequence = 32
)

// oracleRows check that the oracle worked during the run: how many of the
// run's units have an agreed QoS record (units are created by the run, so
// any record is from it), and the validators' window reports.
func oracleRows(ctx context.Context, n *node, units []uint64) []report.Row {
	agreed := 0
	for _, id := range units {
		var resp oracletypes.QueryLatestQoSResponse
		code, err := n.abciQuery(ctx, "/flashback.oracle.v1.Query/LatestQoS", &oracletypes.QueryLatestQoSRequest{UnitId: id}, &resp)
		if err == nil && code == 0 && resp.Record.UnitId == id {
			agreed++
		}
	}
	rows := []report.Row{{Name: "oracle: units of the run with an agreed QoS record", Value: float64(agreed), Unit: "units",
		Note: fmt.Sprintf("of %d; probed by the validators' probers, agreed through vote extensions", len(units))}}
	var stats oracletypes.QueryReporterStatsResponse
	if code, err := n.abciQuery(ctx, "/flashback.oracle.v1.Query/ReporterStats", &oracletypes.QueryReporterStatsRequest{}, &stats); err == nil && code == 0 {
		var reported, empty, missed uint64
		for _, s := range stats.Stats {
			reported, empty, missed = reported+s.WindowsReported, empty+s.WindowsEmpty, missed+s.WindowsMissed
		}
		rows = append(rows, report.Row{Name: "oracle: validator window votes with measurements", Value: float64(reported), Unit: "votes",
			Note: fmt.Sprintf("since genesis, %d validators; %d empty, %d missed", len(stats.Stats), empty, missed)})
	}
	return rows
}
