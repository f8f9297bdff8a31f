package app

import (
	txsigning "cosmossdk.io/x/tx/signing"
	"cosmossdk.io/x/tx/signing/textual"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	signingtypes "github.com/cosmos/cosmos-sdk/types/tx/signing"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
)

// NewTxConfig returns the tx config of the node and of every client in this
// repository: the SDK's direct and direct-aux sign modes, amino JSON with
// flashbackd's field encodings (amino_json.go) and, when coinMetadata is
// given, SIGN_MODE_TEXTUAL. The node and its clients must agree on the
// amino JSON encoder: it decides the bytes an amino signature covers.
func NewTxConfig(cdc codec.Codec, coinMetadata textual.CoinMetadataQueryFn) (client.TxConfig, error) {
	aminoJSON, err := NewAminoJSONSignModeHandler(cdc.InterfaceRegistry())
	if err != nil {
		return nil, err
	}
	modes := []signingtypes.SignMode{signingtypes.SignMode_SIGN_MODE_DIRECT, signingtypes.SignMode_SIGN_MODE_DIRECT_AUX}
	if coinMetadata != nil {
		modes = append(modes, signingtypes.SignMode_SIGN_MODE_TEXTUAL)
	}
	return authtx.NewTxConfigWithOptions(cdc, authtx.ConfigOptions{
		EnabledSignModes:           modes,
		CustomSignModes:            []txsigning.SignModeHandler{aminoJSON},
		TextualCoinMetadataQueryFn: coinMetadata,
	})
}
