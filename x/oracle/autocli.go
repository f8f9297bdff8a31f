package oracle

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// AutoCLIOptions describes the module's CLI: `flashbackd q oracle ...` and
// `flashbackd tx oracle ...` are generated from the proto services.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Show the module parameters"},
				{RpcMethod: "Assignment", Use: "assignment", Short: "Show the units assigned for probing (current window, or --window)"},
				{
					RpcMethod: "LatestQoS", Use: "latest-qos [unit-id]", Short: "Show the last QoS the validators agreed on for a unit",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "unit_id"}},
				},
				{
					RpcMethod: "QoSHistory", Use: "qos-history [unit-id]", Short: "List a unit's QoS records (--from-window, --to-window)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "unit_id"}},
				},
				{
					RpcMethod: "QoSSummary", Use: "qos-summary [period]", Short: "Average a unit's (--unit-id) or a provider's (--provider) QoS over a period",
					Example:        "flashbackd q oracle qos-summary 24h --unit-id 1",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "period"}},
				},
				{RpcMethod: "ReporterStats", Use: "reporter-stats", Short: "Show validators' oracle participation (--validator flashvalcons…)"},
				{
					RpcMethod: "SelfReports", Use: "self-reports [deal-id]", Short: "List the self-reports filed on a deal",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "deal_id"}},
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "SubmitQoSReport", Use: "submit-qos-report [deal-id] [operation]",
					Short:          "File a self-report on a deal you are party to (--latency-ms, --throughput-kbps, --success, --error-details)",
					Example:        "flashbackd tx oracle submit-qos-report 1 download --latency-ms 42 --throughput-kbps 80000 --success --from consumer",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "deal_id"}, {ProtoField: "operation"}},
				},
				// Governance-only: submit MsgUpdateParams in a proposal with
				// `flashbackd tx gov submit-proposal` (see README.md).
				{RpcMethod: "UpdateParams", Skip: true},
				// Injected by block proposers only; nobody can submit it.
				{RpcMethod: "InjectVoteExtensions", Skip: true},
			},
		},
	}
}
