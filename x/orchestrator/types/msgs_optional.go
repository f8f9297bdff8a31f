package types

import sdk "github.com/cosmos/cosmos-sdk/types"

// The optional fields of the data-unit messages are nullable (see tx.proto:
// a client that leaves them out must sign the bytes the node reads). These
// accessors give the keeper and validation their "none" values.

// PriorityFeeOrNone is the priority fee, or an empty coin when left out.
func (m *MsgCreateDataUnit) PriorityFeeOrNone() sdk.Coin { return coinOrNone(m.PriorityFee) }

// FeaturesOrNone is the unit's features, or none when left out.
func (m *MsgCreateDataUnit) FeaturesOrNone() Features { return featuresOrNone(m.Features) }

// AddPriorityFeeOrNone is the added priority fee, or an empty coin when left out.
func (m *MsgUpdateDataUnit) AddPriorityFeeOrNone() sdk.Coin { return coinOrNone(m.AddPriorityFee) }

// FeaturesOrNone is the unit's new features, or none when left out.
func (m *MsgUpdateDataUnit) FeaturesOrNone() Features { return featuresOrNone(m.Features) }

func coinOrNone(c *sdk.Coin) sdk.Coin {
	if c == nil {
		return sdk.Coin{}
	}
	return *c
}

func featuresOrNone(f *Features) Features {
	if f == nil {
		return Features{}
	}
	return *f
}
