package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/address/addresstest"
	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// TestMsgsRefuseNonCanonicalAddresses: every message that takes an address
// refuses it in upper or mixed case. MsgInjectVoteExtensions takes none.
func TestMsgsRefuseNonCanonicalAddresses(t *testing.T) {
	addr := sdk.AccAddress(secp256k1.GenPrivKeyFromSecret([]byte("reporter")).PubKey().Address()).String()
	msgs := map[string]addresstest.Msg{
		"SubmitQoSReport": &types.MsgSubmitQoSReport{Reporter: addr, DealId: 1, Operation: types.OPERATION_TYPE_READ, Success: true},
		"UpdateParams":    &types.MsgUpdateParams{Authority: authtypes.NewModuleAddress("gov").String(), Params: types.DefaultParams()},
	}
	for _, method := range types.Msg_serviceDesc.Methods {
		if method.MethodName == "InjectVoteExtensions" {
			require.Empty(t, addresstest.AddressFields(t, &types.MsgInjectVoteExtensions{}))
			continue
		}
		msg, ok := msgs[method.MethodName]
		require.True(t, ok, "no fixture for %s", method.MethodName)
		t.Run(method.MethodName, func(t *testing.T) {
			require.Positive(t, addresstest.RequireCanonicalOnly(t, msg))
		})
	}
}
