package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the module's messages for amino JSON
// signing (Ledger).
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	legacy.RegisterAminoMsg(cdc, &MsgRateProvider{}, "reputation/MsgRateProvider")
	legacy.RegisterAminoMsg(cdc, &MsgFileDispute{}, "reputation/MsgFileDispute")
	legacy.RegisterAminoMsg(cdc, &MsgResolveDispute{}, "reputation/MsgResolveDispute")
	legacy.RegisterAminoMsg(cdc, &MsgFundRewardPool{}, "reputation/MsgFundRewardPool")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "reputation/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "reputation/Params", nil)
}

// RegisterInterfaces registers the module's messages with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgRateProvider{},
		&MsgFileDispute{},
		&MsgResolveDispute{},
		&MsgFundRewardPool{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
