package walletgen

import (
	"context"
	"encoding/base64"
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	signingtypes "github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	"github.com/cosmos/gogoproto/proto"

	"github.com/flashbacknetwork/flashbackd/app"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// aminoVector is one amino JSON sign doc computed by the node's sign-mode
// handler, for the TypeScript client to reproduce byte for byte.
type aminoVector struct {
	Name          string `json:"name"`
	TypeURL       string `json:"typeUrl"`
	Msg           string `json:"msg"` // protobuf, base64
	ChainID       string `json:"chainId"`
	AccountNumber uint64 `json:"accountNumber"`
	Sequence      uint64 `json:"sequence"`
	Memo          string `json:"memo"`
	FeeDenom      string `json:"feeDenom"`
	FeeAmount     string `json:"feeAmount"`
	Gas           uint64 `json:"gas"`
	SignBytes     string `json:"signBytes"`
}

func aminoVectors(a *app.App) ([]aminoVector, error) {
	addr := sdk.AccAddress([]byte("flashback-test-addr1")).String()
	other := sdk.AccAddress([]byte("flashback-test-addr2")).String()
	sla := orchestratortypes.Sla{MaxLatencyMs: 100, MinUploadKbps: 80000, MinDownloadKbps: 160000, MinUptimeBps: 9990, MaxErrorRateBps: 10}
	fee := sdk.NewInt64Coin(app.BondDenom, 5000)
	start := time.Date(2027, 3, 1, 2, 0, 0, 0, time.UTC)
	orch := orchestratortypes.DefaultParams()
	orch.Certifier = other
	rep := reputationtypes.DefaultParams()
	ora := oracletypes.DefaultParams()
	cases := []struct {
		name string
		msg  proto.Message
	}{
		{"register provider", &orchestratortypes.MsgRegisterProvider{Owner: addr, Name: "Acme Storage", Country: "FR", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000)}},
		{"create unit, no optional fields", &orchestratortypes.MsgCreateDataUnit{Provider: addr, CapacityGb: 1000, PricePerGbMonth: sdkmath.NewInt(20000),
			Region: "eu-west", Country: "FR", Api: orchestratortypes.API_COMPATIBILITY_S3, Endpoint: "https://s3.acme.example/u1", Sla: sla}},
		{"create unit, every field", &orchestratortypes.MsgCreateDataUnit{Provider: addr, CapacityGb: 1000, PricePerGbMonth: sdkmath.NewInt(20000),
			Region: "eu-west", Country: "FR", Api: orchestratortypes.API_COMPATIBILITY_AZURE_BLOB, Endpoint: "https://s3.acme.example/u1", Sla: sla,
			Features: &orchestratortypes.Features{Versioning: true}, PriorityFee: &fee}},
		{"update unit", &orchestratortypes.MsgUpdateDataUnit{Provider: addr, UnitId: 3, CapacityGb: 2000, PricePerGbMonth: sdkmath.NewInt(18000),
			Endpoint: "https://s3.acme.example/u3", Sla: sla, Features: &orchestratortypes.Features{}}},
		{"request deal", &orchestratortypes.MsgRequestDeal{Consumer: addr, UnitId: 1, CapacityGb: 100, Term: 720 * time.Hour, Sla: sla,
			Deposit: sdk.NewInt64Coin(app.BondDenom, 2_000_000)}},
		{"request deal, odd term", &orchestratortypes.MsgRequestDeal{Consumer: addr, UnitId: 1, CapacityGb: 1, Term: 90*time.Minute + 1500*time.Millisecond,
			Sla: orchestratortypes.Sla{}, Deposit: sdk.NewInt64Coin(app.BondDenom, 1)}},
		{"maintenance", &orchestratortypes.MsgScheduleMaintenance{Provider: addr, UnitId: 2, Start: start, End: start.Add(time.Hour + 250*time.Millisecond)}},
		{"access key", &orchestratortypes.MsgSetAccessKey{Owner: addr, PublicKey: []byte("0123456789abcdef0123456789abcdef")}},
		{"certify", &orchestratortypes.MsgCertifyProvider{Authority: addr, Provider: other, Certified: true}},
		{"withdraw", &orchestratortypes.MsgWithdrawEarnings{Provider: addr, DealIds: []uint64{1, 2, 18446744073709551615}}},
		{"decline", &orchestratortypes.MsgDeclineDeal{Provider: addr, DealId: 9, Reason: "full \"now\" <é>"}},
		{"orchestrator params", &orchestratortypes.MsgUpdateParams{Authority: addr, Params: orch}},
		{"rate", &reputationtypes.MsgRateProvider{Consumer: addr, DealId: 7, Stars: 5, Comment: "fast"}},
		{"dispute", &reputationtypes.MsgFileDispute{Provider: addr, Kind: reputationtypes.DISPUTE_KIND_VERDICT, UnitId: 3, Epoch: 12, Reason: "probes disagree"}},
		{"fund pool", &reputationtypes.MsgFundRewardPool{Depositor: addr, Amount: sdk.NewInt64Coin(app.BondDenom, 1)}},
		{"reputation params", &reputationtypes.MsgUpdateParams{Authority: addr, Params: rep}},
		{"self report", &oracletypes.MsgSubmitQoSReport{Reporter: addr, DealId: 1, Operation: oracletypes.OPERATION_TYPE_DOWNLOAD, LatencyMs: 42, ThroughputKbps: 80000, Success: true}},
		{"oracle params", &oracletypes.MsgUpdateParams{Authority: addr, Params: ora}},
	}
	handler := a.TxConfig().SignModeHandler()
	out := make([]aminoVector, 0, len(cases))
	for i, c := range cases {
		b := a.TxConfig().NewTxBuilder()
		if err := b.SetMsgs(c.msg); err != nil {
			return nil, err
		}
		b.SetFeeAmount(sdk.NewCoins(fee))
		b.SetGasLimit(200_000 + uint64(i))
		b.SetMemo("vector " + c.name)
		data := authsigning.SignerData{Address: addr, ChainID: "flashback-vectors-1", AccountNumber: uint64(7 + i), Sequence: uint64(i)}
		signBytes, err := authsigning.GetSignBytesAdapter(context.Background(), handler, signingtypes.SignMode_SIGN_MODE_LEGACY_AMINO_JSON, data, b.GetTx())
		if err != nil {
			return nil, err
		}
		msgBytes, err := proto.Marshal(c.msg)
		if err != nil {
			return nil, err
		}
		out = append(out, aminoVector{
			Name: c.name, TypeURL: "/" + proto.MessageName(c.msg), Msg: base64.StdEncoding.EncodeToString(msgBytes),
			ChainID: data.ChainID, AccountNumber: data.AccountNumber, Sequence: data.Sequence, Memo: "vector " + c.name,
			FeeDenom: fee.Denom, FeeAmount: fee.Amount.String(), Gas: 200_000 + uint64(i), SignBytes: string(signBytes),
		})
	}
	return out, nil
}
