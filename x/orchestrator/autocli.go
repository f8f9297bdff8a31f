package orchestrator

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// AutoCLIOptions describes the module's CLI: `flashbackd q orchestrator ...`
// and `flashbackd tx orchestrator ...` are generated from the proto services.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Show the module parameters"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				// Governance-only: submit MsgUpdateParams in a proposal with
				// `flashbackd tx gov submit-proposal` (see README.md). A generated
				// command would mangle decimal params passed as JSON.
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
