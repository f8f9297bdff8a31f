package reputation

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// AutoCLIOptions describes the module's CLI: `flashbackd q reputation ...`
// and `flashbackd tx reputation ...` are generated from the proto services.
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
				{
					RpcMethod: "ProviderScore", Use: "provider-score [provider]",
					Short: "Show a provider's objective, community and overall scores, rank, badges and history", PositionalArgs: pos("provider"),
				},
				{RpcMethod: "UnitScore", Use: "unit-score [unit-id]", Short: "Show a data unit's objective score", PositionalArgs: pos("unit_id")},
				{RpcMethod: "Leaderboard", Use: "leaderboard", Short: "Rank providers by overall score, best first"},
				{RpcMethod: "Ratings", Use: "ratings [provider]", Short: "List a provider's ratings", PositionalArgs: pos("provider")},
				{
					RpcMethod: "Disputes", Use: "disputes", Short: "List disputes, by --provider and/or --status",
					Example: "flashbackd q reputation disputes --status dispute-status-open",
				},
				{RpcMethod: "RewardPool", Use: "reward-pool", Short: "Show the reward pool and the last epoch's rewards and penalties"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "RateProvider", Use: "rate-provider [deal-id] [stars]",
					Short:          "Rate the provider of one of your deals, 1–5 stars (once per deal)",
					Example:        `flashbackd tx reputation rate-provider 7 5 --comment "fast and reliable" --from consumer`,
					PositionalArgs: pos("deal_id", "stars"),
				},
				{
					RpcMethod: "FileDispute", Use: "file-dispute [kind] [reason]",
					Short: "Dispute a MISSED/CRITICAL verdict (--unit-id, --epoch) or a rating (--deal-id) of yours",
					Example: `flashbackd tx reputation file-dispute dispute-kind-verdict "our probes show 99.99 % uptime" --unit-id 3 --epoch 12 --from provider` + "\n" +
						`flashbackd tx reputation file-dispute dispute-kind-rating "the consumer never used the unit" --deal-id 7 --from provider`,
					PositionalArgs: pos("kind", "reason"),
				},
				{
					RpcMethod: "ResolveDispute", Use: "resolve-dispute [dispute-id] [upheld]",
					Short:          "Uphold (true) or reject (false) a dispute: the arbiter only (governance uses a proposal)",
					PositionalArgs: pos("dispute_id", "upheld"),
				},
				{
					RpcMethod: "FundRewardPool", Use: "fund-reward-pool [amount]",
					Short:          "Add coins of the market denom to the reward pool",
					Example:        "flashbackd tx reputation fund-reward-pool 1000000000uflash --from treasury",
					PositionalArgs: pos("amount"),
				},
				// Governance-only: submit MsgUpdateParams in a proposal with
				// `flashbackd tx gov submit-proposal` (see README.md). A generated
				// command would mangle decimal params passed as JSON.
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
