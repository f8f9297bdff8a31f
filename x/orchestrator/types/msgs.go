package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Stateless checks of every message. The baseapp runs them before a
// transaction enters the mempool; the msg server runs them again so that
// messages arriving through authz or governance are checked too.
var (
	_ sdk.HasValidateBasic = (*MsgUpdateParams)(nil)
	_ sdk.HasValidateBasic = (*MsgRegisterProvider)(nil)
	_ sdk.HasValidateBasic = (*MsgUpdateProvider)(nil)
	_ sdk.HasValidateBasic = (*MsgAddProviderBond)(nil)
	_ sdk.HasValidateBasic = (*MsgBeginProviderExit)(nil)
	_ sdk.HasValidateBasic = (*MsgCertifyProvider)(nil)
	_ sdk.HasValidateBasic = (*MsgRegisterConsumer)(nil)
	_ sdk.HasValidateBasic = (*MsgUpdateConsumer)(nil)
	_ sdk.HasValidateBasic = (*MsgVerifyConsumer)(nil)
	_ sdk.HasValidateBasic = (*MsgCreateDataUnit)(nil)
	_ sdk.HasValidateBasic = (*MsgUpdateDataUnit)(nil)
	_ sdk.HasValidateBasic = (*MsgScheduleMaintenance)(nil)
	_ sdk.HasValidateBasic = (*MsgDecommissionDataUnit)(nil)
	_ sdk.HasValidateBasic = (*MsgRequestDeal)(nil)
	_ sdk.HasValidateBasic = (*MsgAcceptDeal)(nil)
	_ sdk.HasValidateBasic = (*MsgDeclineDeal)(nil)
	_ sdk.HasValidateBasic = (*MsgCancelDealRequest)(nil)
	_ sdk.HasValidateBasic = (*MsgTopUpDeal)(nil)
	_ sdk.HasValidateBasic = (*MsgWithdrawEarnings)(nil)
	_ sdk.HasValidateBasic = (*MsgCloseDeal)(nil)
)

// ValidateBasic checks MsgUpdateParams.
func (m *MsgUpdateParams) ValidateBasic() error {
	if err := validateAddress("authority", m.Authority); err != nil {
		return err
	}
	if err := m.Params.Validate(); err != nil {
		return errorsmod.Wrap(ErrInvalidParams, err.Error())
	}
	return nil
}

// validateParticipantMetadata checks the metadata shared by providers and consumers.
func validateParticipantMetadata(name, description, website, country string, nameRequired bool) error {
	if err := validateText("name", name, MaxNameLength, nameRequired); err != nil {
		return err
	}
	if err := validateText("description", description, MaxDescriptionLength, false); err != nil {
		return err
	}
	if err := validateURL("website", website, false); err != nil {
		return err
	}
	return validateCountry("country", country, false)
}

// ValidateBasic checks MsgRegisterProvider.
func (m *MsgRegisterProvider) ValidateBasic() error {
	if err := validateAddress("owner", m.Owner); err != nil {
		return err
	}
	if err := validateParticipantMetadata(m.Name, m.Description, m.Website, m.Country, true); err != nil {
		return err
	}
	return validateCoin("bond", m.Bond, false)
}

// ValidateBasic checks MsgUpdateProvider.
func (m *MsgUpdateProvider) ValidateBasic() error {
	if err := validateAddress("owner", m.Owner); err != nil {
		return err
	}
	return validateParticipantMetadata(m.Name, m.Description, m.Website, m.Country, true)
}

// ValidateBasic checks MsgAddProviderBond.
func (m *MsgAddProviderBond) ValidateBasic() error {
	if err := validateAddress("owner", m.Owner); err != nil {
		return err
	}
	return validateCoin("amount", m.Amount, false)
}

// ValidateBasic checks MsgBeginProviderExit.
func (m *MsgBeginProviderExit) ValidateBasic() error {
	return validateAddress("owner", m.Owner)
}

// ValidateBasic checks MsgCertifyProvider.
func (m *MsgCertifyProvider) ValidateBasic() error {
	if err := validateAddress("authority", m.Authority); err != nil {
		return err
	}
	return validateAddress("provider", m.Provider)
}

// ValidateBasic checks MsgRegisterConsumer.
func (m *MsgRegisterConsumer) ValidateBasic() error {
	if err := validateAddress("owner", m.Owner); err != nil {
		return err
	}
	return validateParticipantMetadata(m.Name, m.Description, m.Website, m.Country, false)
}

// ValidateBasic checks MsgUpdateConsumer.
func (m *MsgUpdateConsumer) ValidateBasic() error {
	if err := validateAddress("owner", m.Owner); err != nil {
		return err
	}
	return validateParticipantMetadata(m.Name, m.Description, m.Website, m.Country, false)
}

// ValidateBasic checks MsgVerifyConsumer.
func (m *MsgVerifyConsumer) ValidateBasic() error {
	if err := validateAddress("authority", m.Authority); err != nil {
		return err
	}
	return validateAddress("consumer", m.Consumer)
}

// validateUnitTerms checks the commercial terms shared by create and update.
func validateUnitTerms(capacityGB uint64, price sdkmath.Int, egressPrice uint64, endpoint string, sla Sla) error {
	if err := validateCapacity("capacity_gb", capacityGB); err != nil {
		return err
	}
	if err := validatePrice(price); err != nil {
		return err
	}
	if egressPrice > MaxPricePerGBEgress {
		return errorsmod.Wrapf(ErrAmountTooLarge, "price_per_gb_egress must be at most %d", MaxPricePerGBEgress)
	}
	if err := validateURL("endpoint", endpoint, true); err != nil {
		return err
	}
	return sla.Validate()
}

// ValidateBasic checks MsgCreateDataUnit.
func (m *MsgCreateDataUnit) ValidateBasic() error {
	if err := validateAddress("provider", m.Provider); err != nil {
		return err
	}
	if err := validateUnitTerms(m.CapacityGb, m.PricePerGbMonth, m.PricePerGbEgress, m.Endpoint, m.Sla); err != nil {
		return err
	}
	if err := ValidateRegion(m.Region); err != nil {
		return err
	}
	if err := validateCountry("country", m.Country, true); err != nil {
		return err
	}
	if _, ok := ApiCompatibility_name[int32(m.Api)]; !ok || m.Api == API_COMPATIBILITY_UNSPECIFIED {
		return errorsmod.Wrapf(ErrInvalidInput, "api must be one of S3, GCS, AZURE_BLOB, IPFS, OTHER, got %d", m.Api)
	}
	return validateCoin("priority_fee", m.PriorityFeeOrNone(), true)
}

// ValidateBasic checks MsgUpdateDataUnit.
func (m *MsgUpdateDataUnit) ValidateBasic() error {
	if err := validateAddress("provider", m.Provider); err != nil {
		return err
	}
	if m.UnitId == 0 {
		return errorsmod.Wrap(ErrInvalidInput, "unit_id is required")
	}
	if err := validateUnitTerms(m.CapacityGb, m.PricePerGbMonth, m.PricePerGbEgress, m.Endpoint, m.Sla); err != nil {
		return err
	}
	return validateCoin("add_priority_fee", m.AddPriorityFeeOrNone(), true)
}

// ValidateBasic checks MsgScheduleMaintenance.
func (m *MsgScheduleMaintenance) ValidateBasic() error {
	if err := validateAddress("provider", m.Provider); err != nil {
		return err
	}
	if m.UnitId == 0 {
		return errorsmod.Wrap(ErrInvalidInput, "unit_id is required")
	}
	if !m.End.After(m.Start) {
		return errorsmod.Wrapf(ErrInvalidSchedule, "end %s must be after start %s", m.End, m.Start)
	}
	return nil
}

// ValidateBasic checks MsgDecommissionDataUnit.
func (m *MsgDecommissionDataUnit) ValidateBasic() error {
	if err := validateAddress("provider", m.Provider); err != nil {
		return err
	}
	if m.UnitId == 0 {
		return errorsmod.Wrap(ErrInvalidInput, "unit_id is required")
	}
	return nil
}

// ValidateBasic checks MsgRequestDeal.
func (m *MsgRequestDeal) ValidateBasic() error {
	if err := validateAddress("consumer", m.Consumer); err != nil {
		return err
	}
	if m.UnitId == 0 {
		return errorsmod.Wrap(ErrInvalidInput, "unit_id is required")
	}
	if err := validateCapacity("capacity_gb", m.CapacityGb); err != nil {
		return err
	}
	if m.Term <= 0 {
		return errorsmod.Wrapf(ErrInvalidDuration, "term must be positive, got %s", m.Term)
	}
	if err := m.Sla.Validate(); err != nil {
		return err
	}
	return validateCoin("deposit", m.Deposit, false)
}

func validateDealAction(signerField, signer string, dealID uint64) error {
	if err := validateAddress(signerField, signer); err != nil {
		return err
	}
	if dealID == 0 {
		return errorsmod.Wrap(ErrInvalidInput, "deal_id is required")
	}
	return nil
}

// ValidateBasic checks MsgAcceptDeal.
func (m *MsgAcceptDeal) ValidateBasic() error {
	return validateDealAction("provider", m.Provider, m.DealId)
}

// ValidateBasic checks MsgDeclineDeal.
func (m *MsgDeclineDeal) ValidateBasic() error {
	if err := validateDealAction("provider", m.Provider, m.DealId); err != nil {
		return err
	}
	return validateText("reason", m.Reason, MaxDeclineReason, false)
}

// ValidateBasic checks MsgCancelDealRequest.
func (m *MsgCancelDealRequest) ValidateBasic() error {
	return validateDealAction("consumer", m.Consumer, m.DealId)
}

// ValidateBasic checks MsgTopUpDeal.
func (m *MsgTopUpDeal) ValidateBasic() error {
	if err := validateDealAction("consumer", m.Consumer, m.DealId); err != nil {
		return err
	}
	return validateCoin("amount", m.Amount, false)
}

// ValidateBasic checks MsgWithdrawEarnings.
func (m *MsgWithdrawEarnings) ValidateBasic() error {
	if err := validateAddress("provider", m.Provider); err != nil {
		return err
	}
	if len(m.DealIds) == 0 || len(m.DealIds) > MaxWithdrawDeals {
		return errorsmod.Wrapf(ErrInvalidInput, "name 1 to %d deals, got %d", MaxWithdrawDeals, len(m.DealIds))
	}
	seen := make(map[uint64]struct{}, len(m.DealIds))
	for _, id := range m.DealIds {
		if id == 0 {
			return errorsmod.Wrap(ErrInvalidInput, "deal id 0 does not exist")
		}
		if _, dup := seen[id]; dup {
			return errorsmod.Wrapf(ErrInvalidInput, "deal %d is named twice", id)
		}
		seen[id] = struct{}{}
	}
	return nil
}

// ValidateBasic checks MsgCloseDeal.
func (m *MsgCloseDeal) ValidateBasic() error { return validateDealAction("sender", m.Sender, m.DealId) }
