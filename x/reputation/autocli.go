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
					Long: "Arguments:\n  provider   the provider's account address (flash1…)",
				},
				{
					RpcMethod: "UnitScore", Use: "unit-score [unit-id]", Short: "Show a data unit's objective score", PositionalArgs: pos("unit_id"),
					Long: "Arguments:\n  unit-id   the data unit's id",
				},
				{RpcMethod: "Leaderboard", Use: "leaderboard", Short: "Rank providers by overall score, best first"},
				{
					RpcMethod: "Ratings", Use: "ratings [provider]", Short: "List a provider's ratings", PositionalArgs: pos("provider"),
					Long: "Arguments:\n  provider   the provider's account address (flash1…)",
				},
				{
					RpcMethod: "Disputes", Use: "disputes", Short: "List disputes, by --provider and/or --status",
					Example: "flashbackd q reputation disputes --status open",
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"provider": {Usage: "only the disputes of this provider (flash1…)"},
						"status":   {Usage: "only disputes in this status"},
					},
				},
				{RpcMethod: "RewardPool", Use: "reward-pool", Short: "Show the reward pool and the last epoch's rewards and penalties"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "RateProvider", Use: "rate-provider [deal-id] [stars]",
					Short: "Rate the provider of one of your deals, 1–5 stars (once per deal)",
					Long: "Arguments:\n  deal-id   one of your deals (it must have paid the provider at least the min_rating_payment param)\n" +
						"  stars     1 to 5",
					Example:        `flashbackd tx reputation rate-provider 7 5 --comment "fast and reliable" --from consumer`,
					PositionalArgs: pos("deal_id", "stars"),
					FlagOptions:    map[string]*autocliv1.FlagOptions{"comment": {Usage: "optional short comment (at most 256 bytes)"}},
				},
				{
					RpcMethod: "FileDispute", Use: "file-dispute [kind] [reason]",
					Short: "Dispute a MISSED/CRITICAL verdict (--unit-id, --epoch) or a rating (--deal-id) of yours",
					Long: "Arguments:\n  kind     verdict or rating (DISPUTE_KIND_VERDICT, DISPUTE_KIND_RATING also work)\n" +
						"  reason   why the verdict or rating is wrong (at most 512 bytes)\n\n" +
						"A dispute must be filed within the dispute_window param of the verdict or rating.",
					Example: `flashbackd tx reputation file-dispute dispute-kind-verdict "our probes show 99.99 % uptime" --unit-id 3 --epoch 12 --from provider` + "\n" +
						`flashbackd tx reputation file-dispute dispute-kind-rating "the consumer never used the unit" --deal-id 7 --from provider`,
					PositionalArgs: pos("kind", "reason"),
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"unit_id": {Usage: "for a verdict: the data unit whose verdict is disputed"},
						"epoch":   {Usage: "for a verdict: the epoch number of the verdict (see `q orchestrator unit-verdicts`)"},
						"deal_id": {Usage: "for a rating: the deal the rating was given on"},
					},
				},
				{
					RpcMethod: "ResolveDispute", Use: "resolve-dispute [dispute-id] [upheld]",
					Short:          "Uphold (true) or reject (false) a dispute: the arbiter only (governance uses a proposal)",
					Long:           "Arguments:\n  dispute-id   the dispute's id (see `q reputation disputes`)\n  upheld       true reverses the verdict or rating and returns the money; false rejects the dispute",
					Example:        `flashbackd tx reputation resolve-dispute 1 true --resolution "probe logs confirm the provider" --from arbiter`,
					PositionalArgs: pos("dispute_id", "upheld"),
					FlagOptions:    map[string]*autocliv1.FlagOptions{"resolution": {Usage: "optional explanation recorded with the decision"}},
				},
				{
					RpcMethod: "FundRewardPool", Use: "fund-reward-pool [amount]",
					Short:          "Add coins of the market denom to the reward pool",
					Long:           "Arguments:\n  amount   uflash added to the pool that pays the score rewards",
					Example:        "flashbackd tx reputation fund-reward-pool 1000000000uflash --from treasury",
					PositionalArgs: pos("amount"),
				},
				// Governance-only: `flashbackd tx gov draft-params-proposal
				// reputation` writes the proposal (see README.md).
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
