package types_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/address/addresstest"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// TestMsgsRefuseNonCanonicalAddresses: every message that takes an address
// refuses it in upper or mixed case (upper case decodes to the same account
// and would pass string comparisons of parties as another one).
func TestMsgsRefuseNonCanonicalAddresses(t *testing.T) {
	addr := sdk.AccAddress(secp256k1.GenPrivKeyFromSecret([]byte("owner")).PubKey().Address()).String()
	gov := authtypes.NewModuleAddress("gov").String()
	msgs := map[string]addresstest.Msg{
		"RateProvider":   &types.MsgRateProvider{Consumer: addr, DealId: 1, Stars: 4},
		"FileDispute":    &types.MsgFileDispute{Provider: addr, Kind: types.DISPUTE_KIND_RATING, DealId: 1, Reason: "unfair"},
		"ResolveDispute": &types.MsgResolveDispute{Authority: gov, DisputeId: 1, Upheld: true},
		"FundRewardPool": &types.MsgFundRewardPool{Depositor: addr, Amount: sdk.NewInt64Coin("uflash", 5)},
		"UpdateParams":   &types.MsgUpdateParams{Authority: gov, Params: types.DefaultParams()},
	}
	for _, method := range types.Msg_serviceDesc.Methods {
		msg, ok := msgs[method.MethodName]
		require.True(t, ok, "no fixture for %s", method.MethodName)
		t.Run(method.MethodName, func(t *testing.T) {
			require.Positive(t, addresstest.RequireCanonicalOnly(t, msg))
		})
	}
	p := types.DefaultParams()
	p.Arbiter = strings.ToUpper(addr)
	require.ErrorContains(t, p.Validate(), "canonical")
}
