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
				{
					RpcMethod: "Assignment", Use: "assignment", Short: "Show the units assigned for probing (current window, or --window)",
					FlagOptions: map[string]*autocliv1.FlagOptions{"window": {Usage: "window number (window_blocks blocks each; default the current one)"}},
				},
				{
					RpcMethod: "LatestQoS", Use: "latest-qos [unit-id]", Short: "Show the last QoS the validators agreed on for a unit",
					Long: "Arguments:\n  unit-id   the data unit's id\n\n" +
						"Units: latency in ms, speeds in kbit/s, uptime and error rate in basis points (10,000 = 100 %). " +
						"A record appears after the first probe window (window_blocks blocks) in which the unit was assigned and validators holding 2/3 of the power reported it.",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "unit_id"}},
				},
				{
					RpcMethod: "QoSHistory", Use: "qos-history [unit-id]", Short: "List a unit's QoS records (--from-window, --to-window)",
					Long: "Arguments:\n  unit-id   the data unit's id",
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"from_window": {Usage: "first window number (inclusive; default the oldest kept)"},
						"to_window":   {Usage: "last window number (inclusive; default the latest)"},
					},
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "unit_id"}},
				},
				{
					RpcMethod: "QoSSummary", Use: "qos-summary [period]", Short: "Average a unit's (--unit-id) or a provider's (--provider) QoS over a period",
					Long: "Arguments:\n  period   how far back to average, a Go duration (24h, 168h); one of --unit-id and --provider is needed",
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"unit_id":  {Usage: "the data unit to summarize (or --provider)"},
						"provider": {Usage: "the provider whose units to summarize, flash1… (or --unit-id)"},
					},
					Example:        "flashbackd q oracle qos-summary 24h --unit-id 1",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "period"}},
				},
				{
					RpcMethod: "ReporterStats", Use: "reporter-stats", Short: "Show validators' oracle participation (--validator flashvalcons…)",
					FlagOptions: map[string]*autocliv1.FlagOptions{"validator": {Usage: "only this validator's consensus address (flashvalcons…)"}},
				},
				{
					RpcMethod: "SelfReports", Use: "self-reports [deal-id]", Short: "List the self-reports filed on a deal",
					Long:           "Arguments:\n  deal-id   the deal's id",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "deal_id"}},
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "SubmitQoSReport", Use: "submit-qos-report [deal-id] [operation]",
					Short: "File a self-report on a deal you are party to (--latency-ms, --throughput-kbps, --success, --error-details)",
					Long: "Arguments:\n  deal-id     a deal you are the consumer or provider of\n" +
						"  operation   what was measured: read, write, upload, download or delete (OPERATION_TYPE_DOWNLOAD … also work)\n\n" +
						"At most one report per party and deal every self_report_min_interval (param). Reports are stored as evidence; they do not change verdicts.",
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"latency_ms":      {Usage: "measured time to first byte, in ms"},
						"throughput_kbps": {Usage: "measured throughput, in kbit/s"},
						"success":         {Usage: "the operation succeeded"},
						"error_details":   {Usage: "what failed (at most 256 bytes)"},
					},
					Example:        "flashbackd tx oracle submit-qos-report 1 download --latency-ms 42 --throughput-kbps 80000 --success --from consumer",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "deal_id"}, {ProtoField: "operation"}},
				},
				// Governance-only: `flashbackd tx gov draft-params-proposal
				// oracle` writes the proposal (see README.md).
				{RpcMethod: "UpdateParams", Skip: true},
				// Injected by block proposers only; nobody can submit it.
				{RpcMethod: "InjectVoteExtensions", Skip: true},
			},
		},
	}
}
