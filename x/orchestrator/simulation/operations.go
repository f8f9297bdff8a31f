package simulation

import (
	"github.com/cosmos/cosmos-sdk/testutil/simsx"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
)

// Weights of the operations. Together the three Flashback modules weigh
// about as much as the SDK modules' operations, so that half of a run
// drives the marketplace. Deals and their money dominate, as on a live
// marketplace; rare administrative messages keep a small weight so that
// every message runs in every seed of a few hundred blocks. A simulation
// params file (-Params) can override each by its name.
func WeightedOperations(weights simsx.WeightSource, reg simsx.Registry, k keeper.Keeper) {
	m := market{k: k}
	reg.Add(weights.Get("msg_register_provider", 80), m.registerProvider())
	reg.Add(weights.Get("msg_update_provider", 20), m.updateProvider())
	reg.Add(weights.Get("msg_add_provider_bond", 40), m.addProviderBond())
	reg.Add(weights.Get("msg_begin_provider_exit", 12), m.beginProviderExit())
	reg.Add(weights.Get("msg_certify_provider", 20), m.certifyProvider())
	reg.Add(weights.Get("msg_register_consumer", 80), m.registerConsumer())
	reg.Add(weights.Get("msg_update_consumer", 20), m.updateConsumer())
	reg.Add(weights.Get("msg_verify_consumer", 20), m.verifyConsumer())
	reg.Add(weights.Get("msg_set_access_key", 32), m.setAccessKey())
	reg.Add(weights.Get("msg_create_data_unit", 120), m.createDataUnit())
	reg.Add(weights.Get("msg_update_data_unit", 40), m.updateDataUnit())
	reg.Add(weights.Get("msg_schedule_maintenance", 24), m.scheduleMaintenance())
	reg.Add(weights.Get("msg_decommission_data_unit", 16), m.decommissionDataUnit())
	reg.Add(weights.Get("msg_request_deal", 240), m.requestDeal())
	reg.Add(weights.Get("msg_accept_deal", 180), m.acceptDeal())
	reg.Add(weights.Get("msg_decline_deal", 32), m.declineDeal())
	reg.Add(weights.Get("msg_cancel_deal_request", 32), m.cancelDealRequest())
	reg.Add(weights.Get("msg_top_up_deal", 120), m.topUpDeal())
	reg.Add(weights.Get("msg_withdraw_earnings", 100), m.withdrawEarnings())
	reg.Add(weights.Get("msg_close_deal", 40), m.closeDeal())
	reg.Add(weights.Get("msg_submit_usage_receipt", 60), m.submitUsageReceipt())
}

// ProposalMsgs registers the messages governance proposals carry.
func ProposalMsgs(weights simsx.WeightSource, reg simsx.Registry, k keeper.Keeper) {
	m := market{k: k}
	reg.Add(weights.Get("msg_update_params", 20), m.updateParamsProposal())
	reg.Add(weights.Get("msg_certify_provider_gov", 5), m.certifyProviderProposal())
	reg.Add(weights.Get("msg_verify_consumer_gov", 5), m.verifyConsumerProposal())
}
