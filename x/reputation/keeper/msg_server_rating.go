package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// RateProvider records a consumer's 1–5 star rating of the provider of one
// of its deals. Eligible: the deal's consumer, once the provider accepted the
// deal (running or closed since) and the deal has paid the provider at least
// min_rating_payment; one rating per deal. The rating weighs what the deal
// paid, capped (types.Params.RatingWeight).
func (m msgServer) RateProvider(ctx context.Context, msg *types.MsgRateProvider) (*types.MsgRateProviderResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if len(msg.Comment) > int(params.MaxCommentLength) {
		return nil, errorsmod.Wrapf(types.ErrInvalidInput, "comment is %d bytes; at most %d allowed", len(msg.Comment), params.MaxCommentLength)
	}
	deal, err := m.k.orchestrator.Deal(ctx, msg.DealId)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrNotFound, "deal %d: %s", msg.DealId, err)
	}
	if deal.Consumer != msg.Consumer {
		return nil, errorsmod.Wrapf(types.ErrNotEligible, "only deal %d's consumer %s may rate it, not %s", deal.Id, deal.Consumer, msg.Consumer)
	}
	if deal.StartTime == nil {
		return nil, errorsmod.Wrapf(types.ErrNotEligible, "deal %d was never accepted by its provider", deal.Id)
	}
	if has, err := m.k.Ratings.Has(ctx, deal.Id); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrAlreadyRated, "deal %d already has a rating", deal.Id)
	}
	// What the deal paid its provider, settled to this block and net of what
	// went back to the consumer: the rating's price of admission and weight.
	paid, err := m.k.orchestrator.DealPaid(ctx, deal.Id)
	if err != nil {
		return nil, err
	}
	if !params.CanRate(paid) {
		denom, err := m.k.orchestrator.MarketDenom(ctx)
		if err != nil {
			return nil, err
		}
		return nil, errorsmod.Wrapf(types.ErrRatingUnderpaid,
			"deal %d has paid its provider %s%s (net of refunds); rating it takes at least %s%s (min_rating_payment)",
			deal.Id, paid, denom, params.MinRatingPayment, denom)
	}
	verified, err := m.k.orchestrator.ConsumerVerified(ctx, msg.Consumer)
	if err != nil {
		return nil, err
	}
	rating := types.Rating{
		DealId: deal.Id, Provider: deal.Provider, Consumer: msg.Consumer, Stars: msg.Stars, Comment: msg.Comment,
		Verified: verified, Time: blockSecond(ctx), Recent: true,
		Weight: params.RatingWeight(verified, paid), Paid: paid,
	}
	if err := m.k.addRating(ctx, params, rating); err != nil {
		return nil, err
	}
	return &types.MsgRateProviderResponse{}, typedevent.Emit(ctx, &types.EventRatingSubmitted{Rating: rating})
}
