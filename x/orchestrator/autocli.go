package orchestrator

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Texts shared by several commands. Amounts are in uflash (1 FLASH =
// 1,000,000 uflash), rates and shares in basis points (10,000 = 100 %),
// durations in Go's syntax (90s, 720h).
const (
	slaUsage = `(required) service-level agreement, JSON with five fields: ` +
		`max_latency_ms (time to first byte, ms), min_upload_kbps and min_download_kbps (throughput, kbit/s), ` +
		`min_uptime_bps (share of successful checks, basis points: 9990 = 99.90 %), ` +
		`max_error_rate_bps (share of failed requests, basis points: 10 = 0.10 %); ` +
		`e.g. '{"max_latency_ms":100,"min_upload_kbps":80000,"min_download_kbps":160000,"min_uptime_bps":9990,"max_error_rate_bps":10}'`
	featuresUsage  = `optional features the unit offers, JSON: '{"versioning":true,"encryption":true,"object_lock":false}' (default none)`
	egressUsage    = "egress price in uflash per GB (10^9 bytes) served, billed from usage receipts the consumer signs (default 0: free egress)"
	exampleSla     = `'{"max_latency_ms":100,"min_upload_kbps":80000,"min_download_kbps":160000,"min_uptime_bps":9990,"max_error_rate_bps":10}'`
	nameUsage      = "display name (at most 64 bytes)"
	descUsage      = "description (at most 512 bytes)"
	websiteUsage   = "website, an http(s) URL (at most 256 bytes)"
	countryUsage   = "ISO 3166-1 alpha-2 country code, e.g. FR"
	addressUsage   = "account address (flash1…)"
	unitsArgsLong  = "Arguments:\n  unit-id   the data unit's id (see `flashbackd q orchestrator data-units`)"
	dealArgsLong   = "Arguments:\n  deal-id   the deal's id (see `flashbackd q orchestrator deals`)"
	certifierLong  = "Signed by the certifier named in the module params; governance does the same through a proposal."
	metadataFlags  = "name, description, website and country"
	exampleFrom    = " --from provider"
	exampleConsume = " --from consumer"
)

// AutoCLIOptions describes the module's CLI: `flashbackd q orchestrator ...`
// and `flashbackd tx orchestrator ...` are generated from the proto services.
// Every flag has a usage with its unit; a usage starting with "(required)"
// makes the flag required (cmd/flashbackd/cmd/cli_enhance.go).
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	pos := func(fields ...string) []*autocliv1.PositionalArgDescriptor {
		out := make([]*autocliv1.PositionalArgDescriptor, len(fields))
		for i, f := range fields {
			out[i] = &autocliv1.PositionalArgDescriptor{ProtoField: f}
		}
		return out
	}
	usage := func(kv ...string) map[string]*autocliv1.FlagOptions {
		out := map[string]*autocliv1.FlagOptions{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = &autocliv1.FlagOptions{Usage: kv[i+1]}
		}
		return out
	}
	metadata := usage("name", nameUsage, "description", descUsage, "website", websiteUsage, "country", countryUsage)
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Show the module parameters"},
				{
					RpcMethod: "Provider", Use: "provider [address]", Short: "Show a provider", PositionalArgs: pos("address"),
					Long: "Arguments:\n  address   the provider's account address (flash1…)",
				},
				{RpcMethod: "Providers", Use: "providers", Short: "List providers"},
				{
					RpcMethod: "Consumer", Use: "consumer [address]", Short: "Show a consumer", PositionalArgs: pos("address"),
					Long: "Arguments:\n  address   the consumer's account address (flash1…)",
				},
				{
					RpcMethod: "AccessKey", Use: "access-key [address]", PositionalArgs: pos("address"),
					Short: "Show a party's published X25519 access key (deal credentials derive from the consumer's and the provider's)",
					Long:  "Arguments:\n  address   the provider's or consumer's account address (flash1…)",
				},
				{RpcMethod: "DataUnit", Use: "data-unit [id]", Short: "Show a data unit", PositionalArgs: pos("id"), Long: "Arguments:\n  id   the data unit's id"},
				{
					RpcMethod: "DataUnits", Use: "data-units",
					Short:   "Browse the marketplace: units ranked by priority fee then reputation",
					Example: "flashbackd q orchestrator data-units --region eu-west --api-compatibility s3 --min-free-gb 100 --max-price 20000 --certified-only",
					FlagOptions: map[string]*autocliv1.FlagOptions{
						// A flag named --api would be bound by the client's config
						// loader to the [api] section of app.toml and fail to parse.
						"api":            {Name: "api-compatibility", Usage: "only units speaking this storage API"},
						"region":         {Usage: "only units in this region, e.g. eu-west"},
						"country":        {Usage: "only units in this country (ISO 3166-1 alpha-2, e.g. FR)"},
						"min_free_gb":    {Usage: "only units with at least this much unallocated capacity, in GB"},
						"max_price":      {Usage: "only units priced at most this, in uflash per GB-month"},
						"certified_only": {Usage: "only units of certified providers"},
						"state":          {Usage: "only units in this state"},
					},
				},
				{RpcMethod: "Deal", Use: "deal [id]", Short: "Show a deal and its escrow now", PositionalArgs: pos("id"), Long: "Arguments:\n  id   the deal's id"},
				{
					RpcMethod: "Deals", Use: "deals", Short: "List all deals, or by --consumer, --provider or --unit-id, and/or by --state",
					Example: "flashbackd q orchestrator deals --consumer flash1... --state active",
					FlagOptions: usage("consumer", "only the deals of this consumer ("+addressUsage+")",
						"provider", "only the deals of this provider ("+addressUsage+")",
						"unit_id", "only the deals on this data unit",
						"state", "only deals in this state"),
				},
				{RpcMethod: "Stats", Use: "stats", Short: "Show marketplace totals"},
				{
					RpcMethod: "DueFailures", Use: "due-failures",
					Short: "List end-block due items whose last run failed: retrying (retry_at set) or parked after max_due_retries",
				},
				{
					RpcMethod: "DealVerdicts", Use: "deal-verdicts [deal-id]", Long: dealArgsLong,
					Short: "List a deal's SLA verdicts per epoch: agreed QoS, verdict, refund", PositionalArgs: pos("deal_id"),
				},
				{
					RpcMethod: "UnitVerdicts", Use: "unit-verdicts [unit-id]", Long: unitsArgsLong,
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
					Short: "Register as a provider, locking a bond (at least min_provider_bond)",
					Long: "Arguments:\n  name   display name (at most 64 bytes)\n" +
						"  bond   collateral locked while you are a provider, in uflash (at least the min_provider_bond param; 1000000000uflash = 1,000 FLASH)",
					Example:        `flashbackd tx orchestrator register-provider "Acme Storage" 1000000000uflash --country FR --website https://acme.example --from provider`,
					PositionalArgs: pos("name", "bond"),
					FlagOptions:    usage("description", descUsage, "website", websiteUsage, "country", countryUsage),
				},
				{
					RpcMethod: "UpdateProvider", Use: "update-provider [name]", Short: "Replace your provider metadata (" + metadataFlags + ")",
					Long:           "Arguments:\n  name   display name (at most 64 bytes)\n\nFlags left out are cleared.",
					Example:        `flashbackd tx orchestrator update-provider "Acme Storage" --country FR --website https://acme.example` + exampleFrom,
					PositionalArgs: pos("name"), FlagOptions: usage("description", descUsage, "website", websiteUsage, "country", countryUsage),
				},
				{
					RpcMethod: "AddProviderBond", Use: "add-provider-bond [amount]", Short: "Add to your provider bond",
					Long:    "Arguments:\n  amount   uflash added to the bond, e.g. 500000000uflash",
					Example: "flashbackd tx orchestrator add-provider-bond 500000000uflash" + exampleFrom, PositionalArgs: pos("amount"),
				},
				{
					RpcMethod: "BeginProviderExit", Use: "begin-provider-exit", Short: "Start unbonding your provider bond (no open deals or live units)",
					Long:    "The bond returns after the provider_unbonding_period param (30 days by default) and stays slashable until then.",
					Example: "flashbackd tx orchestrator begin-provider-exit" + exampleFrom,
				},
				{
					RpcMethod: "CertifyProvider", Use: "certify-provider [provider] [certified]",
					Short: "Certify or uncertify a provider (certifier or governance)", PositionalArgs: pos("provider", "certified"),
					Long:    "Arguments:\n  provider    the provider's account address (flash1…)\n  certified   true to certify, false to withdraw the certification\n\n" + certifierLong,
					Example: "flashbackd tx orchestrator certify-provider flash1... true --from certifier",
				},
				{
					RpcMethod: "RegisterConsumer", Use: "register-consumer", Short: "Register as a consumer (" + metadataFlags + " optional)",
					Example: "flashbackd tx orchestrator register-consumer --name Bob --country DE" + exampleConsume, FlagOptions: metadata,
				},
				{
					RpcMethod: "UpdateConsumer", Use: "update-consumer", Short: "Replace your consumer metadata (flags left out are cleared)",
					Example: "flashbackd tx orchestrator update-consumer --name Bob --country DE" + exampleConsume, FlagOptions: metadata,
				},
				{
					RpcMethod: "SetAccessKey", Use: "set-access-key [public-key]", PositionalArgs: pos("public_key"),
					Short: "Publish your X25519 access key (hex, 32 bytes; an empty string removes it). " +
						"`flashbackd provider init` and `flashbackd bridge access-key` create the key and print it",
					Long:    "Arguments:\n  public-key   your X25519 public key, 64 hex digits, or \"\" to remove it",
					Example: "flashbackd tx orchestrator set-access-key 8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a --from consumer",
				},
				{
					RpcMethod: "VerifyConsumer", Use: "verify-consumer [consumer] [verified]",
					Short: "Verify or unverify a consumer (certifier or governance)", PositionalArgs: pos("consumer", "verified"),
					Long:    "Arguments:\n  consumer   the consumer's account address (flash1…)\n  verified   true to verify (its ratings weigh more), false to withdraw it\n\n" + certifierLong,
					Example: "flashbackd tx orchestrator verify-consumer flash1... true --from certifier",
				},
				{
					RpcMethod: "CreateDataUnit", Use: "create-data-unit [capacity-gb] [price-per-gb-month] [region] [country] [api] [endpoint]",
					Short: "Offer a data unit on the marketplace (pays the submission fee; --priority-fee is burned)",
					Long: "Arguments:\n" +
						"  capacity-gb          storage offered, in GB\n" +
						"  price-per-gb-month   price in uflash per GB per 30-day month (20000 = 0.02 FLASH)\n" +
						"  region               region name, e.g. eu-west\n" +
						"  country              ISO 3166-1 alpha-2 country code, e.g. FR\n" +
						"  api                  storage API: s3, gcs, azure-blob, ipfs or other (API_COMPATIBILITY_S3 … also work)\n" +
						"  endpoint             the unit's http(s) URL; validators probe it for QoS\n\n" +
						"The unit_submission_fee param goes to the community pool. The --sla is what the unit promises; " +
						"a unit without deals is graded against it tightened to the reference_sla param.",
					Example: `flashbackd tx orchestrator create-data-unit 1000 20000 eu-west FR s3 https://s3.acme.example/unit1 ` +
						`--sla ` + exampleSla + ` --from provider`,
					PositionalArgs: pos("capacity_gb", "price_per_gb_month", "region", "country", "api", "endpoint"),
					FlagOptions: usage("sla", slaUsage, "features", featuresUsage,
						"priority_fee", "optional fee burned to rank the unit higher, in uflash (at least the min_priority_fee param), e.g. 50000uflash",
						"price_per_gb_egress", egressUsage),
				},
				{
					RpcMethod: "UpdateDataUnit", Use: "update-data-unit [unit-id] [capacity-gb] [price-per-gb-month] [endpoint]",
					Short: "Change a data unit's capacity, price, endpoint, SLA or features",
					Long: "Arguments:\n" +
						"  unit-id              the data unit's id\n" +
						"  capacity-gb          new capacity in GB (at least what deals hold)\n" +
						"  price-per-gb-month   new price in uflash per GB-month (running deals keep theirs)\n" +
						"  endpoint             new http(s) URL\n\n" +
						"A new SLA waits (pending) until the current epoch's SLA round has graded the unit. Features left out are cleared.",
					Example:        `flashbackd tx orchestrator update-data-unit 1 2000 18000 https://s3.acme.example/unit1 --sla ` + exampleSla + exampleFrom,
					PositionalArgs: pos("unit_id", "capacity_gb", "price_per_gb_month", "endpoint"),
					FlagOptions: usage("sla", slaUsage, "features", featuresUsage,
						"add_priority_fee", "optional fee burned and added to the unit's priority fee, in uflash, e.g. 50000uflash",
						"price_per_gb_egress", egressUsage+"; deals keep the price they were requested at"),
				},
				{
					RpcMethod: "ScheduleMaintenance", Use: "schedule-maintenance [unit-id] [start] [end]",
					Short: "Schedule a maintenance window (RFC 3339 times)", PositionalArgs: pos("unit_id", "start", "end"),
					Long: "Arguments:\n  unit-id   the data unit's id\n  start     start of the window, RFC 3339 (2026-03-01T02:00:00Z)\n" +
						"  end       end of the window, RFC 3339; at most max_maintenance_duration after start",
					Example: "flashbackd tx orchestrator schedule-maintenance 1 2026-03-01T02:00:00Z 2026-03-01T04:00:00Z" + exampleFrom,
				},
				{
					RpcMethod: "DecommissionDataUnit", Use: "decommission-data-unit [unit-id]", Short: "Withdraw a data unit for good",
					Long: unitsArgsLong + "\n\nRunning deals run out; the unit takes no new deal and is never reused.", PositionalArgs: pos("unit_id"),
					Example: "flashbackd tx orchestrator decommission-data-unit 1" + exampleFrom,
				},
				{
					RpcMethod: "RequestDeal", Use: "request-deal [unit-id] [capacity-gb] [term] [deposit]",
					Short: "Request a deal on a data unit, depositing escrow",
					Long: "Arguments:\n" +
						"  unit-id       the data unit's id\n" +
						"  capacity-gb   storage reserved, in GB\n" +
						"  term          the deal's length, a Go duration in whole seconds (720h = 30 days)\n" +
						"  deposit       escrow paid now, in uflash: at least min_prepaid_period of the rate, at most the whole term's cost\n\n" +
						"The provider accepts or declines; an unanswered request expires after deal_request_ttl and is refunded. " +
						"The --sla is what you require; the unit's verdicts and your refunds are judged against it.",
					Example:        `flashbackd tx orchestrator request-deal 1 100 720h 2000000uflash --sla ` + exampleSla + exampleConsume,
					PositionalArgs: pos("unit_id", "capacity_gb", "term", "deposit"),
					FlagOptions:    usage("sla", slaUsage),
				},
				{
					RpcMethod: "AcceptDeal", Use: "accept-deal [deal-id]", Short: "Accept a deal request (provider)", PositionalArgs: pos("deal_id"),
					Long: dealArgsLong, Example: "flashbackd tx orchestrator accept-deal 1" + exampleFrom,
				},
				{
					RpcMethod: "DeclineDeal", Use: "decline-deal [deal-id]", Short: "Decline a deal request; the deposit is refunded", PositionalArgs: pos("deal_id"),
					Long: dealArgsLong, Example: `flashbackd tx orchestrator decline-deal 1 --reason "capacity reserved elsewhere"` + exampleFrom,
					FlagOptions: usage("reason", "optional reason shown to the consumer"),
				},
				{
					RpcMethod: "CancelDealRequest", Use: "cancel-deal-request [deal-id]", Short: "Cancel your pending request; the deposit is refunded", PositionalArgs: pos("deal_id"),
					Long: dealArgsLong, Example: "flashbackd tx orchestrator cancel-deal-request 1" + exampleConsume,
				},
				{
					RpcMethod: "TopUpDeal", Use: "top-up-deal [deal-id] [amount]", Short: "Add to a deal's escrow", PositionalArgs: pos("deal_id", "amount"),
					Long:    "Arguments:\n  deal-id   the deal's id\n  amount    uflash added to the escrow; revives an overdrawn deal",
					Example: "flashbackd tx orchestrator top-up-deal 1 1000000uflash" + exampleConsume,
				},
				{
					RpcMethod: "WithdrawEarnings", Use: "withdraw-earnings [deal-ids]...",
					Short:          "Withdraw what your deals earned, minus the platform fee",
					Long:           "Arguments:\n  deal-ids   one to 100 deal ids of yours",
					Example:        "flashbackd tx orchestrator withdraw-earnings 1 2 3" + exampleFrom,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "deal_ids", Varargs: true}},
				},
				{
					RpcMethod: "CloseDeal", Use: "close-deal [deal-id]", Short: "Close a deal early, after your side's notice", PositionalArgs: pos("deal_id"),
					Long:    dealArgsLong + "\n\nThe deal closes after consumer_close_notice or provider_close_notice (params); see the module README for refunds.",
					Example: "flashbackd tx orchestrator close-deal 1" + exampleConsume,
				},
				{
					RpcMethod: "SubmitUsageReceipt", Use: "submit-usage-receipt [deal-id] [bytes-served] [sequence] [consumer-signature]",
					Short: "Bill a deal's egress with the latest usage receipt its consumer signed (the provider node does this itself)",
					Long: "Arguments:\n" +
						"  deal-id              the deal's id\n" +
						"  bytes-served         cumulative bytes served since the deal started, as the receipt says\n" +
						"  sequence             the receipt's sequence; must be above the last billed\n" +
						"  consumer-signature   the consumer's signature of the receipt, base64\n\n" +
						"The deal pays price_per_gb_egress (uflash per 10^9 bytes) for the bytes above those billed before, " +
						"from its escrow as far as it goes; see the module README.",
					Example:        "flashbackd tx orchestrator submit-usage-receipt 1 5000000000 7 MEUCIQ...=" + exampleFrom,
					PositionalArgs: pos("deal_id", "bytes_served", "sequence", "consumer_signature"),
				},
				// Governance-only: `flashbackd tx gov draft-params-proposal
				// orchestrator` writes the proposal (see README.md).
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
