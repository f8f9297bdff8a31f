package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/flashbacknetwork/flashbackd/x/internal/typedevent"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// RateProvider records a consumer's 1–5 star rating of the provider of one
// of its deals. Eligible: the deal's consumer, once the provider accepted the
// deal (running or closed since) and the deal has paid the provider at least
// min_rating_payment; one rating per deal. The rating weighs what the deal
// paid, capped (types.Params.RatingWeight).
func (m msgServer) RateProvider(ctx context.Context, msg *types.MsgRateProvider) (*types.MsgRateProviderResponse, error) {
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	deal, paid, err := m.k.eligibleRating(ctx, params, msg)
	if err != nil {
		return nil, err
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

// CheckRating tells whether msg would be accepted in a block at ctx's
// state and time, and writes nothing: the ante handler calls it in CheckTx
// (RatingAdmissionDecorator), where the SDK runs no message handler.
func (k Keeper) CheckRating(ctx context.Context, msg *types.MsgRateProvider) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	_, _, err = k.eligibleRating(ctx, params, msg)
	return err
}

// eligibleRating is every check of a rating against state, and what the
// deal has paid: the one place RateProvider and CheckRating decide. (The
// stateless checks are MsgRateProvider.ValidateBasic's, which baseapp runs
// before the ante handler and the message handler.)
func (k Keeper) eligibleRating(ctx context.Context, params types.Params, msg *types.MsgRateProvider) (orchtypes.Deal, sdkmath.Int, error) {
	var none orchtypes.Deal
	if len(msg.Comment) > int(params.MaxCommentLength) {
		return none, sdkmath.Int{}, errorsmod.Wrapf(types.ErrInvalidInput, "comment is %d bytes; at most %d allowed", len(msg.Comment), params.MaxCommentLength)
	}
	deal, err := k.orchestrator.Deal(ctx, msg.DealId)
	if err != nil {
		return none, sdkmath.Int{}, errorsmod.Wrapf(types.ErrNotFound, "deal %d: %s", msg.DealId, err)
	}
	if deal.Consumer != msg.Consumer {
		return none, sdkmath.Int{}, errorsmod.Wrapf(types.ErrNotEligible, "only deal %d's consumer %s may rate it, not %s", deal.Id, deal.Consumer, msg.Consumer)
	}
	if deal.StartTime == nil {
		return none, sdkmath.Int{}, errorsmod.Wrapf(types.ErrNotEligible, "deal %d was never accepted by its provider", deal.Id)
	}
	if has, err := k.Ratings.Has(ctx, deal.Id); err != nil {
		return none, sdkmath.Int{}, err
	} else if has {
		return none, sdkmath.Int{}, errorsmod.Wrapf(types.ErrAlreadyRated, "deal %d already has a rating", deal.Id)
	}
	// What the deal paid its provider, settled to this block and net of what
	// went back to the consumer: the rating's price of admission and weight.
	paid, err := k.orchestrator.DealPaid(ctx, deal.Id)
	if err != nil {
		return none, sdkmath.Int{}, err
	}
	if !params.CanRate(paid) {
		denom, err := k.orchestrator.MarketDenom(ctx)
		if err != nil {
			return none, sdkmath.Int{}, err
		}
		return none, sdkmath.Int{}, errorsmod.Wrapf(types.ErrRatingUnderpaid,
			"deal %d has paid its provider %s%s (net of refunds); rating it takes at least %s%s (min_rating_payment)",
			deal.Id, paid, denom, params.MinRatingPayment, denom)
	}
	return deal, paid, nil
}
