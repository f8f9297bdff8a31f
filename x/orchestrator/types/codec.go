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
	legacy.RegisterAminoMsg(cdc, &MsgRegisterProvider{}, "flashback/MsgRegisterProvider")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateProvider{}, "flashback/MsgUpdateProvider")
	legacy.RegisterAminoMsg(cdc, &MsgAddProviderBond{}, "flashback/MsgAddProviderBond")
	legacy.RegisterAminoMsg(cdc, &MsgBeginProviderExit{}, "flashback/MsgBeginProviderExit")
	legacy.RegisterAminoMsg(cdc, &MsgCertifyProvider{}, "flashback/MsgCertifyProvider")
	legacy.RegisterAminoMsg(cdc, &MsgRegisterConsumer{}, "flashback/MsgRegisterConsumer")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateConsumer{}, "flashback/MsgUpdateConsumer")
	legacy.RegisterAminoMsg(cdc, &MsgVerifyConsumer{}, "flashback/MsgVerifyConsumer")
	legacy.RegisterAminoMsg(cdc, &MsgSetAccessKey{}, "flashback/MsgSetAccessKey")
	legacy.RegisterAminoMsg(cdc, &MsgCreateDataUnit{}, "flashback/MsgCreateDataUnit")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateDataUnit{}, "flashback/MsgUpdateDataUnit")
	legacy.RegisterAminoMsg(cdc, &MsgScheduleMaintenance{}, "flashback/MsgScheduleMaintenance")
	legacy.RegisterAminoMsg(cdc, &MsgDecommissionDataUnit{}, "flashback/MsgDecommissionDataUnit")
	legacy.RegisterAminoMsg(cdc, &MsgRequestDeal{}, "flashback/MsgRequestDeal")
	legacy.RegisterAminoMsg(cdc, &MsgAcceptDeal{}, "flashback/MsgAcceptDeal")
	legacy.RegisterAminoMsg(cdc, &MsgDeclineDeal{}, "flashback/MsgDeclineDeal")
	legacy.RegisterAminoMsg(cdc, &MsgCancelDealRequest{}, "flashback/MsgCancelDealRequest")
	legacy.RegisterAminoMsg(cdc, &MsgTopUpDeal{}, "flashback/MsgTopUpDeal")
	legacy.RegisterAminoMsg(cdc, &MsgWithdrawEarnings{}, "flashback/MsgWithdrawEarnings")
	legacy.RegisterAminoMsg(cdc, &MsgCloseDeal{}, "flashback/MsgCloseDeal")
	legacy.RegisterAminoMsg(cdc, &MsgSubmitUsageReceipt{}, "flashback/MsgSubmitUsageReceipt")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "flashback/orchestrator/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "flashback/orchestrator/Params", nil)
}

// RegisterInterfaces registers the module's messages with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgRegisterProvider{},
		&MsgUpdateProvider{},
		&MsgAddProviderBond{},
		&MsgBeginProviderExit{},
		&MsgCertifyProvider{},
		&MsgRegisterConsumer{},
		&MsgUpdateConsumer{},
		&MsgVerifyConsumer{},
		&MsgSetAccessKey{},
		&MsgCreateDataUnit{},
		&MsgUpdateDataUnit{},
		&MsgScheduleMaintenance{},
		&MsgDecommissionDataUnit{},
		&MsgRequestDeal{},
		&MsgAcceptDeal{},
		&MsgDeclineDeal{},
		&MsgCancelDealRequest{},
		&MsgTopUpDeal{},
		&MsgWithdrawEarnings{},
		&MsgCloseDeal{},
		&MsgSubmitUsageReceipt{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
