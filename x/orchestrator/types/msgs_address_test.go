package types_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/address/addresstest"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

func testAddr(seed string) string {
	return sdk.AccAddress(secp256k1.GenPrivKeyFromSecret([]byte(seed)).PubKey().Address()).String()
}

// TestMsgsRefuseNonCanonicalAddresses: every message that takes an address
// refuses it in upper or mixed case. Upper case decodes to the same account
// and used to pass, so that a provider could request a deal with itself
// ("no deal with itself" compared the strings).
func TestMsgsRefuseNonCanonicalAddresses(t *testing.T) {
	owner, other := testAddr("owner"), testAddr("other")
	gov := authtypes.NewModuleAddress("gov").String()
	coin := sdk.NewInt64Coin("uflash", 1_000_000)
	sla := types.DefaultParams().ReferenceSla
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	msgs := map[string]addresstest.Msg{
		"RegisterProvider":     &types.MsgRegisterProvider{Owner: owner, Name: "p", Bond: coin},
		"UpdateProvider":       &types.MsgUpdateProvider{Owner: owner, Name: "p"},
		"AddProviderBond":      &types.MsgAddProviderBond{Owner: owner, Amount: coin},
		"BeginProviderExit":    &types.MsgBeginProviderExit{Owner: owner},
		"CertifyProvider":      &types.MsgCertifyProvider{Authority: gov, Provider: other, Certified: true},
		"RegisterConsumer":     &types.MsgRegisterConsumer{Owner: owner},
		"UpdateConsumer":       &types.MsgUpdateConsumer{Owner: owner},
		"VerifyConsumer":       &types.MsgVerifyConsumer{Authority: gov, Consumer: other, Verified: true},
		"SetAccessKey":         &types.MsgSetAccessKey{Owner: owner, PublicKey: bytes.Repeat([]byte{9}, 32)},
		"CreateDataUnit":       &types.MsgCreateDataUnit{Provider: owner, CapacityGb: 10, PricePerGbMonth: sdkmath.NewInt(1000), Region: "eu-west", Country: "FR", Api: types.API_COMPATIBILITY_S3, Endpoint: "https://s3.example.com/u", Sla: sla},
		"UpdateDataUnit":       &types.MsgUpdateDataUnit{Provider: owner, UnitId: 1, CapacityGb: 10, PricePerGbMonth: sdkmath.NewInt(1000), Endpoint: "https://s3.example.com/u", Sla: sla},
		"ScheduleMaintenance":  &types.MsgScheduleMaintenance{Provider: owner, UnitId: 1, Start: start, End: start.Add(time.Hour)},
		"DecommissionDataUnit": &types.MsgDecommissionDataUnit{Provider: owner, UnitId: 1},
		"RequestDeal":          &types.MsgRequestDeal{Consumer: owner, UnitId: 1, CapacityGb: 1, Term: time.Hour, Sla: sla, Deposit: coin},
		"AcceptDeal":           &types.MsgAcceptDeal{Provider: owner, DealId: 1},
		"DeclineDeal":          &types.MsgDeclineDeal{Provider: owner, DealId: 1},
		"CancelDealRequest":    &types.MsgCancelDealRequest{Consumer: owner, DealId: 1},
		"TopUpDeal":            &types.MsgTopUpDeal{Consumer: owner, DealId: 1, Amount: coin},
		"WithdrawEarnings":     &types.MsgWithdrawEarnings{Provider: owner, DealIds: []uint64{1}},
		"CloseDeal":            &types.MsgCloseDeal{Sender: owner, DealId: 1},
		"SubmitUsageReceipt":   &types.MsgSubmitUsageReceipt{Provider: owner, DealId: 1, BytesServed: 1, Sequence: 1, ConsumerSignature: make([]byte, 64)},
		"UpdateParams":         &types.MsgUpdateParams{Authority: gov, Params: types.DefaultParams()},
	}
	for _, method := range types.Msg_serviceDesc.Methods {
		msg, ok := msgs[method.MethodName]
		require.True(t, ok, "no fixture for %s: every message that takes an address must be checked", method.MethodName)
		t.Run(method.MethodName, func(t *testing.T) {
			require.Positive(t, addresstest.RequireCanonicalOnly(t, msg))
		})
	}
}

func TestParamsRefuseNonCanonicalCertifier(t *testing.T) {
	p := types.DefaultParams()
	p.Certifier = testAddr("certifier")
	require.NoError(t, p.Validate())
	p.Certifier = strings.ToUpper(p.Certifier)
	require.ErrorContains(t, p.Validate(), "canonical")
}
