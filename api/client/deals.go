package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// Request is a deal request: capacity of a unit for a term, with the SLA
// the consumer requires and the escrow deposited up front.
type Request struct {
	UnitID     uint64
	CapacityGB uint64
	// Term is a whole number of seconds within the chain's
	// min_deal_duration and max_deal_duration.
	Term time.Duration
	SLA  orchestratortypes.Sla
	// Deposit (in the chain's denom) is at least the cost of
	// min_prepaid_period and at most the whole term's cost (TermCost);
	// zero: the whole term.
	Deposit sdkmath.Int
}

// TermCost is what capacityGB of a unit priced pricePerGBMonth costs over
// term, exactly as the chain computes it.
func TermCost(pricePerGBMonth sdkmath.Int, capacityGB uint64, term time.Duration) sdkmath.Int {
	return orchestratortypes.CostOver(orchestratortypes.MonthlyCost(pricePerGBMonth, capacityGB), orchestratortypes.TermSeconds(term))
}

// Denom is the chain's payment denom (x/orchestrator's params).
func (c *Client) Denom(ctx context.Context) (string, error) {
	p, err := c.q.Params(ctx, &orchestratortypes.QueryParamsRequest{})
	if err != nil {
		return "", fmt.Errorf("reading x/orchestrator's params: %w", err)
	}
	return p.Params.Denom(), nil
}

// RequestDeal sends MsgRequestDeal and returns the new deal's id (PENDING
// until its provider answers).
func (c *Client) RequestDeal(ctx context.Context, r Request) (uint64, error) {
	if r.CapacityGB == 0 {
		return 0, errors.New("capacity must be at least 1 GB")
	}
	if r.Term <= 0 || r.Term%time.Second != 0 {
		return 0, fmt.Errorf("term %s: must be a positive whole number of seconds", r.Term)
	}
	deposit := r.Deposit
	if deposit.IsNil() || deposit.IsZero() {
		u, err := c.q.DataUnit(ctx, &orchestratortypes.QueryDataUnitRequest{Id: r.UnitID})
		if err != nil {
			return 0, fmt.Errorf("unit %d: %w", r.UnitID, err)
		}
		deposit = TermCost(u.DataUnit.PricePerGbMonth, r.CapacityGB, r.Term)
	}
	denom, err := c.Denom(ctx)
	if err != nil {
		return 0, err
	}
	res, err := c.chain.Send(ctx, &orchestratortypes.MsgRequestDeal{
		Consumer: c.Address(), UnitId: r.UnitID, CapacityGb: r.CapacityGB, Term: r.Term, Sla: r.SLA,
		Deposit: sdk.NewCoin(denom, deposit),
	})
	if err != nil {
		return 0, fmt.Errorf("requesting %d GB of unit %d: %w", r.CapacityGB, r.UnitID, err)
	}
	var out orchestratortypes.MsgRequestDealResponse
	if err := res.MsgResponse(0, &out); err != nil {
		return 0, err
	}
	return out.DealId, nil
}

// DeclinedError is a deal request that did not become a deal: declined
// by its provider (with the reason it gave), expired unanswered, or
// cancelled. Its deposit was refunded in full.
type DeclinedError struct {
	DealID uint64
	UnitID uint64
	Close  orchestratortypes.CloseReason
	Reason string // the provider's reason, when it declined and it is found
}

func (e *DeclinedError) Error() string {
	switch e.Close {
	case orchestratortypes.CLOSE_REASON_DECLINED:
		reason := e.Reason
		if reason == "" {
			reason = "no reason found"
		}
		return fmt.Sprintf("deal %d: the provider of unit %d declined it: %s", e.DealID, e.UnitID, reason)
	case orchestratortypes.CLOSE_REASON_REQUEST_EXPIRED:
		return fmt.Sprintf("deal %d: the provider of unit %d did not answer before the request expired", e.DealID, e.UnitID)
	default:
		return fmt.Sprintf("deal %d on unit %d was closed before it started (%s)", e.DealID, e.UnitID, e.Close)
	}
}

// ErrNoAnswer: the provider did not answer within the wait; the request
// was cancelled (its deposit refunded).
var ErrNoAnswer = errors.New("the provider did not answer in time; the request was cancelled")

// pollDeal is how often WaitDeal reads the deal.
const pollDeal = 500 * time.Millisecond

// WaitDeal waits until deal id is ACTIVE and returns it. A request that is
// declined, expires or is cancelled is a *DeclinedError. After timeout the
// request is cancelled and ErrNoAnswer returned (if the provider accepted
// in the meantime, the ACTIVE deal is returned instead).
func (c *Client) WaitDeal(ctx context.Context, id uint64, timeout time.Duration) (orchestratortypes.Deal, error) {
	deadline := time.Now().Add(timeout)
	for {
		res, err := c.q.Deal(ctx, &orchestratortypes.QueryDealRequest{Id: id})
		if err == nil {
			d := res.Deal
			switch d.State {
			case orchestratortypes.DEAL_STATE_ACTIVE:
				return d, nil
			case orchestratortypes.DEAL_STATE_CLOSED, orchestratortypes.DEAL_STATE_OVERDRAWN:
				if d.StartTime != nil {
					return d, fmt.Errorf("deal %d started but is %s", id, d.State)
				}
				e := &DeclinedError{DealID: id, UnitID: d.UnitId, Close: d.CloseReason}
				if d.CloseReason == orchestratortypes.CLOSE_REASON_DECLINED {
					e.Reason = c.declineReason(ctx, id)
				}
				return d, e
			}
		}
		if time.Now().After(deadline) {
			if _, cerr := c.chain.Send(ctx, &orchestratortypes.MsgCancelDealRequest{Consumer: c.Address(), DealId: id}); cerr != nil {
				// It may have been accepted meanwhile: read it once more.
				if res, err := c.q.Deal(ctx, &orchestratortypes.QueryDealRequest{Id: id}); err == nil && res.Deal.State == orchestratortypes.DEAL_STATE_ACTIVE {
					return res.Deal, nil
				}
				return orchestratortypes.Deal{}, fmt.Errorf("deal %d: %w (and cancelling it failed: %v)", id, ErrNoAnswer, cerr)
			}
			return orchestratortypes.Deal{}, fmt.Errorf("deal %d: %w", id, ErrNoAnswer)
		}
		select {
		case <-ctx.Done():
			return orchestratortypes.Deal{}, ctx.Err()
		case <-time.After(pollDeal):
		}
	}
}

// Reserve requests a deal and waits (up to wait) for its provider's
// answer: the ACTIVE deal, a *DeclinedError, or ErrNoAnswer.
func (c *Client) Reserve(ctx context.Context, r Request, wait time.Duration) (orchestratortypes.Deal, error) {
	id, err := c.RequestDeal(ctx, r)
	if err != nil {
		return orchestratortypes.Deal{}, err
	}
	return c.WaitDeal(ctx, id, wait)
}

// Deal reads a deal and its escrow projected to now.
func (c *Client) Deal(ctx context.Context, id uint64) (*orchestratortypes.QueryDealResponse, error) {
	res, err := c.q.Deal(ctx, &orchestratortypes.QueryDealRequest{Id: id})
	if err != nil {
		return nil, fmt.Errorf("deal %d: %w", id, err)
	}
	return res, nil
}

// TopUp adds amount (the chain's denom) to a deal's escrow.
func (c *Client) TopUp(ctx context.Context, id uint64, amount sdkmath.Int) error {
	denom, err := c.Denom(ctx)
	if err != nil {
		return err
	}
	if _, err := c.chain.Send(ctx, &orchestratortypes.MsgTopUpDeal{Consumer: c.Address(), DealId: id, Amount: sdk.NewCoin(denom, amount)}); err != nil {
		return fmt.Errorf("topping up deal %d: %w", id, err)
	}
	return nil
}

// CloseDeal closes a deal (after the consumer's close notice; what is left
// in escrow is refunded) and returns when it takes effect.
func (c *Client) CloseDeal(ctx context.Context, id uint64) (time.Time, error) {
	res, err := c.chain.Send(ctx, &orchestratortypes.MsgCloseDeal{Sender: c.Address(), DealId: id})
	if err != nil {
		return time.Time{}, fmt.Errorf("closing deal %d: %w", id, err)
	}
	var out orchestratortypes.MsgCloseDealResponse
	if err := res.MsgResponse(0, &out); err != nil {
		return time.Time{}, err
	}
	return out.EffectiveAt, nil
}

// Params are x/orchestrator's params (deal terms, prepayment, denom).
func (c *Client) Params(ctx context.Context) (orchestratortypes.Params, error) {
	p, err := c.q.Params(ctx, &orchestratortypes.QueryParamsRequest{})
	if err != nil {
		return orchestratortypes.Params{}, fmt.Errorf("reading x/orchestrator's params: %w", err)
	}
	return p.Params, nil
}
