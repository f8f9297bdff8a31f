package types

import (
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/address"
)

// MaxDisputeReason and MaxResolutionLength bound free text in disputes. A
// comment's bound is the max_comment_length param.
const (
	MaxDisputeReason    = 512
	MaxResolutionLength = 512
	// MaxCommentBytes is the hard cap checked before params are read.
	MaxCommentBytes = 4096
)

var (
	_ sdk.HasValidateBasic = (*MsgUpdateParams)(nil)
	_ sdk.HasValidateBasic = (*MsgRateProvider)(nil)
	_ sdk.HasValidateBasic = (*MsgFileDispute)(nil)
	_ sdk.HasValidateBasic = (*MsgResolveDispute)(nil)
	_ sdk.HasValidateBasic = (*MsgFundRewardPool)(nil)
)

func validAddress(field, addr string) error {
	return address.ValidateCanonical(field, addr)
}

func validText(field, s string, max int, required bool) error {
	if required && s == "" {
		return errorsmod.Wrapf(ErrInvalidInput, "%s is required", field)
	}
	if len(s) > max || !utf8.ValidString(s) {
		return errorsmod.Wrapf(ErrInvalidInput, "%s must be valid UTF-8 of at most %d bytes", field, max)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' || r == 0x7f {
			return errorsmod.Wrapf(ErrInvalidInput, "%s contains a control character", field)
		}
	}
	return nil
}

// ValidateBasic performs stateless checks of MsgUpdateParams.
func (m *MsgUpdateParams) ValidateBasic() error {
	if err := validAddress("authority", m.Authority); err != nil {
		return err
	}
	if err := m.Params.Validate(); err != nil {
		return errorsmod.Wrap(ErrInvalidParams, err.Error())
	}
	return nil
}

// ValidateBasic performs stateless checks of MsgRateProvider.
func (m *MsgRateProvider) ValidateBasic() error {
	if err := validAddress("consumer", m.Consumer); err != nil {
		return err
	}
	if m.DealId == 0 {
		return errorsmod.Wrap(ErrInvalidInput, "deal_id is required")
	}
	if m.Stars < 1 || m.Stars > 5 {
		return errorsmod.Wrapf(ErrInvalidInput, "stars must be 1 to 5, got %d", m.Stars)
	}
	return validText("comment", m.Comment, MaxCommentBytes, false)
}

// ValidateBasic performs stateless checks of MsgFileDispute.
func (m *MsgFileDispute) ValidateBasic() error {
	if err := validAddress("provider", m.Provider); err != nil {
		return err
	}
	switch m.Kind {
	case DISPUTE_KIND_VERDICT:
		if m.UnitId == 0 || m.Epoch <= 0 {
			return errorsmod.Wrap(ErrInvalidInput, "a verdict dispute names unit_id and epoch")
		}
	case DISPUTE_KIND_RATING:
		if m.DealId == 0 {
			return errorsmod.Wrap(ErrInvalidInput, "a rating dispute names deal_id")
		}
	default:
		return errorsmod.Wrapf(ErrInvalidInput, "kind must be VERDICT or RATING, got %d", m.Kind)
	}
	return validText("reason", m.Reason, MaxDisputeReason, true)
}

// ValidateBasic performs stateless checks of MsgResolveDispute.
func (m *MsgResolveDispute) ValidateBasic() error {
	if err := validAddress("authority", m.Authority); err != nil {
		return err
	}
	if m.DisputeId == 0 {
		return errorsmod.Wrap(ErrInvalidInput, "dispute_id is required")
	}
	return validText("resolution", m.Resolution, MaxResolutionLength, false)
}

// ValidateBasic performs stateless checks of MsgFundRewardPool; the denom is
// checked against the market denom in the handler.
func (m *MsgFundRewardPool) ValidateBasic() error {
	if err := validAddress("depositor", m.Depositor); err != nil {
		return err
	}
	if err := m.Amount.Validate(); err != nil || !m.Amount.IsPositive() {
		return errorsmod.Wrapf(ErrInvalidInput, "amount must be a positive coin, got %s", m.Amount)
	}
	return nil
}
