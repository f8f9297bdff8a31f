package orchestrator

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// AutoCLIOptions describes the module's CLI: `flashbackd q orchestrator ...`
// and `flashbackd tx orchestrator ...` are generated from the proto services.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	pos := func(fields ...string) []*autocliv1.PositionalArgDescriptor {
		out := make([]*autocliv1.PositionalArgDescriptor, len(fields))
		for i, f := range fields {
			out[i] = &autocliv1.PositionalArgDescriptor{ProtoField: f}
		}
		return out
	}
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Show the module parameters"},
				{RpcMethod: "Provider", Use: "provider [address]", Short: "Show a provider", PositionalArgs: pos("address")},
				{RpcMethod: "Providers", Use: "providers", Short: "List providers"},
				{RpcMethod: "Consumer", Use: "consumer [address]", Short: "Show a consumer", PositionalArgs: pos("address")},
				{
					RpcMethod: "AccessKey", Use: "access-key [address]", PositionalArgs: pos("address"),
					Short: "Show a party's published X25519 access key (deal credentials derive from the consumer's and the provider's)",
				},
				{RpcMethod: "DataUnit", Use: "data-unit [id]", Short: "Show a data unit", PositionalArgs: pos("id")},
				{
					RpcMethod: "DataUnits", Use: "data-units",
					Short:   "Browse the marketplace: units ranked by priority fee then reputation",
					Example: "flashbackd q orchestrator data-units --region eu-west --api-compatibility s3 --min-free-gb 100 --max-price 20000 --certified-only",
					// A flag named --api would be bound by the client's config
					// loader to the [api] section of app.toml and fail to parse.
					FlagOptions: map[string]*autocliv1.FlagOptions{"api": {Name: "api-compatibility"}},
				},
				{RpcMethod: "Deal", Use: "deal [id]", Short: "Show a deal and its escrow now", PositionalArgs: pos("id")},
				{
					RpcMethod: "Deals", Use: "deals", Short: "List all deals, or by --consumer, --provider or --unit-id, and/or by --state",
					Example: "flashbackd q orchestrator deals --consumer flash1...",
				},
				{RpcMethod: "Stats", Use: "stats", Short: "Show marketplace totals"},
				{
					RpcMethod: "DueFailures", Use: "due-failures",
					Short: "List end-block due items whose last run failed: retrying (retry_at set) or parked after max_due_retries",
				},
				{
					RpcMethod: "DealVerdicts", Use: "deal-verdicts [deal-id]",
					Short: "List a deal's SLA verdicts per epoch: agreed QoS, verdict, refund", PositionalArgs: pos("deal_id"),
				},
				{
					RpcMethod: "UnitVerdicts", Use: "unit-verdicts [unit-id]",
					Short: "List a unit's SLA verdicts per epoch: agreed QoS, verdict, basis, slash, score change", PositionalArgs: pos("unit_id"),
				},
				{
					RpcMethod: "Holdings", Use: "holdings",
					Short: "Show the module account's balance and what it holds it for: bonds, escrow, pending platform fees",
				},
				{RpcMethod: "SlaRounds", Use: "sla-rounds", Short: "List the epochs whose SLA checks are still in progress"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "RegisterProvider", Use: "register-provider [name] [bond]",
					Short:          "Register as a provider, locking a bond (at least min_provider_bond)",
					Example:        `flashbackd tx orchestrator register-provider "Acme Storage" 1000000000uflash --country FR --website https://acme.example --from provider`,
					PositionalArgs: pos("name", "bond"),
				},
				{RpcMethod: "UpdateProvider", Use: "update-provider [name]", Short: "Replace your provider metadata", PositionalArgs: pos("name")},
				{RpcMethod: "AddProviderBond", Use: "add-provider-bond [amount]", Short: "Add to your provider bond", PositionalArgs: pos("amount")},
				{RpcMethod: "BeginProviderExit", Use: "begin-provider-exit", Short: "Start unbonding your provider bond (no open deals or live units)"},
				{
					RpcMethod: "CertifyProvider", Use: "certify-provider [provider] [certified]",
					Short: "Certify or uncertify a provider (certifier or governance)", PositionalArgs: pos("provider", "certified"),
				},
				{RpcMethod: "RegisterConsumer", Use: "register-consumer", Short: "Register as a consumer"},
				{RpcMethod: "UpdateConsumer", Use: "update-consumer", Short: "Replace your consumer metadata"},
				{
					RpcMethod: "SetAccessKey", Use: "set-access-key [public-key]", PositionalArgs: pos("public_key"),
					Short: "Publish your X25519 access key (hex, 32 bytes; an empty string removes it). " +
						"`flashbackd provider init` and `flashbackd bridge access-key` create the key and print it",
					Example: "flashbackd tx orchestrator set-access-key 8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a --from consumer",
				},
				{
					RpcMethod: "VerifyConsumer", Use: "verify-consumer [consumer] [verified]",
					Short: "Verify or unverify a consumer (certifier or governance)", PositionalArgs: pos("consumer", "verified"),
				},
				{
					RpcMethod: "CreateDataUnit", Use: "create-data-unit [capacity-gb] [price-per-gb-month] [region] [country] [api] [endpoint]",
					Short: "Offer a data unit on the marketplace (pays the submission fee; --priority-fee is burned)",
					Example: `flashbackd tx orchestrator create-data-unit 1000 20000 eu-west FR s3 https://s3.acme.example/unit1 ` +
						`--sla '{"max_latency_ms":100,"min_upload_kbps":80000,"min_download_kbps":160000,"min_uptime_bps":9990,"max_error_rate_bps":10}' --from provider`,
					PositionalArgs: pos("capacity_gb", "price_per_gb_month", "region", "country", "api", "endpoint"),
				},
				{
					RpcMethod: "UpdateDataUnit", Use: "update-data-unit [unit-id] [capacity-gb] [price-per-gb-month] [endpoint]",
					Short: "Change a data unit's capacity, price, endpoint, SLA or features", PositionalArgs: pos("unit_id", "capacity_gb", "price_per_gb_month", "endpoint"),
				},
				{
					RpcMethod: "ScheduleMaintenance", Use: "schedule-maintenance [unit-id] [start] [end]",
					Short: "Schedule a maintenance window (RFC 3339 times)", PositionalArgs: pos("unit_id", "start", "end"),
				},
				{RpcMethod: "DecommissionDataUnit", Use: "decommission-data-unit [unit-id]", Short: "Withdraw a data unit for good", PositionalArgs: pos("unit_id")},
				{
					RpcMethod: "RequestDeal", Use: "request-deal [unit-id] [capacity-gb] [term] [deposit]",
					Short: "Request a deal on a data unit, depositing escrow",
					Example: `flashbackd tx orchestrator request-deal 1 100 720h 2000000uflash ` +
						`--sla '{"max_latency_ms":100,"min_upload_kbps":80000,"min_download_kbps":160000,"min_uptime_bps":9990,"max_error_rate_bps":10}' --from consumer`,
					PositionalArgs: pos("unit_id", "capacity_gb", "term", "deposit"),
				},
				{RpcMethod: "AcceptDeal", Use: "accept-deal [deal-id]", Short: "Accept a deal request (provider)", PositionalArgs: pos("deal_id")},
				{RpcMethod: "DeclineDeal", Use: "decline-deal [deal-id]", Short: "Decline a deal request; the deposit is refunded", PositionalArgs: pos("deal_id")},
				{RpcMethod: "CancelDealRequest", Use: "cancel-deal-request [deal-id]", Short: "Cancel your pending request; the deposit is refunded", PositionalArgs: pos("deal_id")},
				{RpcMethod: "TopUpDeal", Use: "top-up-deal [deal-id] [amount]", Short: "Add to a deal's escrow", PositionalArgs: pos("deal_id", "amount")},
				{
					RpcMethod: "WithdrawEarnings", Use: "withdraw-earnings [deal-ids]...",
					Short:          "Withdraw what your deals earned, minus the platform fee",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "deal_ids", Varargs: true}},
				},
				{RpcMethod: "CloseDeal", Use: "close-deal [deal-id]", Short: "Close a deal early, after your side's notice", PositionalArgs: pos("deal_id")},
				// Governance-only: submit MsgUpdateParams in a proposal with
				// `flashbackd tx gov submit-proposal` (see README.md). A generated
				// command would mangle decimal params passed as JSON.
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
