package client

import (
	"context"
	"fmt"

	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// declineReason finds the reason a provider gave when it declined deal
// id: it is in the MsgDeclineDeal of the transaction that closed the deal
// (the chain keeps no copy in state), found by the deal's typed close
// event. "" when the node does not index transactions or it is not found.
func (c *Client) declineReason(ctx context.Context, id uint64) string {
	q := fmt.Sprintf(`flashback.orchestrator.v1.EventDealClosed.deal_id='"%d"'`, id)
	page, perPage := 1, 5
	res, err := c.chain.RPC().TxSearch(ctx, q, false, &page, &perPage, "desc")
	if err != nil {
		return ""
	}
	for _, r := range res.Txs {
		tx, err := c.cfg.TxConfig.TxDecoder()(r.Tx)
		if err != nil {
			continue
		}
		for _, m := range tx.GetMsgs() {
			if d, ok := m.(*orchestratortypes.MsgDeclineDeal); ok && d.DealId == id {
				return d.Reason
			}
		}
	}
	return ""
}
