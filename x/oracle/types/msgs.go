package types

import (
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/address"
)

// MaxErrorDetails bounds a self-report's error details.
const MaxErrorDetails = 256

var (
	_ sdk.HasValidateBasic = (*MsgUpdateParams)(nil)
	_ sdk.HasValidateBasic = (*MsgSubmitQoSReport)(nil)
)

// ValidateBasic performs stateless checks of MsgUpdateParams.
func (m *MsgUpdateParams) ValidateBasic() error {
	if err := address.ValidateCanonical("authority", m.Authority); err != nil {
		return err
	}
	if err := m.Params.Validate(); err != nil {
		return errorsmod.Wrap(ErrInvalidParams, err.Error())
	}
	return nil
}

// ValidateBasic performs stateless checks of MsgSubmitQoSReport.
func (m *MsgSubmitQoSReport) ValidateBasic() error {
	if err := address.ValidateCanonical("reporter", m.Reporter); err != nil {
		return err
	}
	if m.DealId == 0 {
		return errorsmod.Wrap(ErrInvalidInput, "deal_id is required")
	}
	if _, ok := OperationType_name[int32(m.Operation)]; !ok || m.Operation == OPERATION_TYPE_UNSPECIFIED {
		return errorsmod.Wrapf(ErrInvalidInput, "operation must be READ, WRITE, UPLOAD, DOWNLOAD or DELETE, got %d", m.Operation)
	}
	if len(m.ErrorDetails) > MaxErrorDetails || !utf8.ValidString(m.ErrorDetails) {
		return errorsmod.Wrapf(ErrInvalidInput, "error_details must be valid UTF-8 of at most %d bytes", MaxErrorDetails)
	}
	if m.Success && m.ErrorDetails != "" {
		return errorsmod.Wrap(ErrInvalidInput, "a successful operation has no error details")
	}
	return nil
}
