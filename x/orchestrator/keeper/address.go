package keeper

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// accAddress decodes a bech32 account address with the app's address
// codec (the account keeper's), not the SDK's global configuration, so the
// keeper depends only on what it was built with.
func (k Keeper) accAddress(s string) (sdk.AccAddress, error) {
	bz, err := k.addressCodec.StringToBytes(s)
	return sdk.AccAddress(bz), err
}

// mustAccAddress is accAddress for an address already validated (by
// ValidateBasic or genesis validation): a failure is a bug, and panics.
func (k Keeper) mustAccAddress(s string) sdk.AccAddress {
	addr, err := k.accAddress(s)
	if err != nil {
		panic(fmt.Sprintf("invalid address %q: %s", s, err))
	}
	return addr
}
