package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the module's messages with the legacy
// amino codec, under the amino names of their protos (amino.name): the names
// amino JSON signatures (Ledger) cover. app.TestAminoNamesAgree keeps the two
// in step.
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	legacy.RegisterAminoMsg(cdc, &MsgRateProvider{}, "flashback/MsgRateProvider")
	legacy.RegisterAminoMsg(cdc, &MsgFileDispute{}, "flashback/MsgFileDispute")
	legacy.RegisterAminoMsg(cdc, &MsgResolveDispute{}, "flashback/MsgResolveDispute")
	legacy.RegisterAminoMsg(cdc, &MsgFundRewardPool{}, "flashback/MsgFundRewardPool")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "flashback/reputation/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "flashback/reputation/Params", nil)
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
