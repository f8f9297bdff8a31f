// Package address checks account addresses in messages and params: they
// must be bech32 in their one canonical form, so that comparing two of them
// as strings compares the accounts.
package address

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
)

// ValidateCanonical checks that s is an account address written in its
// canonical form (lower case, as wallets print it). Bech32 also decodes the
// all-upper-case form, to the same account: accepted as is, it would make
// "FLASH1ABC…" and "flash1abc…" two parties wherever the modules compare or
// store addresses as strings (a provider could deal with itself).
func ValidateCanonical(field, s string) error {
	addr, err := sdk.AccAddressFromBech32(s)
	if err != nil {
		return errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "invalid %s address %q: %s", field, s, err)
	}
	if canonical := addr.String(); canonical != s {
		return errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "%s address %q is not in canonical form: use %s", field, s, canonical)
	}
	return nil
}
