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
	legacy.RegisterAminoMsg(cdc, &MsgRegisterProvider{}, "orchestrator/MsgRegisterProvider")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateProvider{}, "orchestrator/MsgUpdateProvider")
	legacy.RegisterAminoMsg(cdc, &MsgAddProviderBond{}, "orchestrator/MsgAddProviderBond")
	legacy.RegisterAminoMsg(cdc, &MsgBeginProviderExit{}, "orchestrator/MsgBeginProviderExit")
	legacy.RegisterAminoMsg(cdc, &MsgCertifyProvider{}, "orchestrator/MsgCertifyProvider")
	legacy.RegisterAminoMsg(cdc, &MsgRegisterConsumer{}, "orchestrator/MsgRegisterConsumer")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateConsumer{}, "orchestrator/MsgUpdateConsumer")
	legacy.RegisterAminoMsg(cdc, &MsgVerifyConsumer{}, "orchestrator/MsgVerifyConsumer")
	legacy.RegisterAminoMsg(cdc, &MsgSetAccessKey{}, "orchestrator/MsgSetAccessKey")
	legacy.RegisterAminoMsg(cdc, &MsgCreateDataUnit{}, "orchestrator/MsgCreateDataUnit")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateDataUnit{}, "orchestrator/MsgUpdateDataUnit")
	legacy.RegisterAminoMsg(cdc, &MsgScheduleMaintenance{}, "orchestrator/MsgScheduleMaintenance")
	legacy.RegisterAminoMsg(cdc, &MsgDecommissionDataUnit{}, "orchestrator/MsgDecommissionDataUnit")
	legacy.RegisterAminoMsg(cdc, &MsgRequestDeal{}, "orchestrator/MsgRequestDeal")
	legacy.RegisterAminoMsg(cdc, &MsgAcceptDeal{}, "orchestrator/MsgAcceptDeal")
	legacy.RegisterAminoMsg(cdc, &MsgDeclineDeal{}, "orchestrator/MsgDeclineDeal")
	legacy.RegisterAminoMsg(cdc, &MsgCancelDealRequest{}, "orchestrator/MsgCancelDealRequest")
	legacy.RegisterAminoMsg(cdc, &MsgTopUpDeal{}, "orchestrator/MsgTopUpDeal")
	legacy.RegisterAminoMsg(cdc, &MsgWithdrawEarnings{}, "orchestrator/MsgWithdrawEarnings")
	legacy.RegisterAminoMsg(cdc, &MsgCloseDeal{}, "orchestrator/MsgCloseDeal")
	legacy.RegisterAminoMsg(cdc, &MsgSubmitUsageReceipt{}, "orchestrator/MsgSubmitUsageReceipt")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "orchestrator/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "orchestrator/Params", nil)
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
