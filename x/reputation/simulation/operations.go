package simulation

import (
	"context"
	"fmt"
	"time"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/simutil"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	"github.com/flashbacknetwork/flashbackd/x/reputation/keeper"
	"github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// scanBudget bounds the deals, scores or disputes a factory reads.
const scanBudget = 64

// scores reads x/reputation's state, and the marketplace through the
// keeper's dependency, for the factories. As in x/orchestrator's
// simulation, a factory decides from state that its message must succeed,
// and the run fails on any delivery error.
type scores struct {
	k keeper.Keeper
}

func now(ctx context.Context) time.Time {
	return sdk.UnwrapSDKContext(ctx).BlockTime().Truncate(time.Second).UTC()
}

func (s scores) params(ctx context.Context, reporter simsx.SimulationReporter) types.Params {
	p, err := s.k.Params.Get(ctx)
	if err != nil {
		reporter.Skipf("params: %s", err)
	}
	return p
}

// deal reads deals from a random id on, through the marketplace's point
// reads (ids are dense and deals are never deleted), until ok holds.
func (s scores) deal(ctx context.Context, testData *simsx.ChainDataSource, ok func(orchtypes.Deal) bool) (orchtypes.Deal, bool) {
	orch := s.k.Orchestrator()
	r := testData.Rand().Rand
	id := uint64(1 + r.Intn(1<<16))
	for i := 0; i < scanBudget; i++ {
		d, err := orch.Deal(ctx, id)
		if err != nil {
			if id == 1 {
				return orchtypes.Deal{}, false // no deal at all
			}
			id = 1 + r.Uint64()%id // past the last deal: look below
			continue
		}
		if ok(d) {
			return d, true
		}
		id++
	}
	return orchtypes.Deal{}, false
}

// rateProvider rates an accepted deal that has paid enough and has no
// rating yet.
func (s scores) rateProvider() simsx.SimMsgFactoryFn[*types.MsgRateProvider] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRateProvider) {
		params := s.params(ctx, reporter)
		orch := s.k.Orchestrator()
		d, ok := s.deal(ctx, testData, func(d orchtypes.Deal) bool {
			if d.StartTime == nil {
				return false
			}
			if has, _ := s.k.Ratings.Has(ctx, d.Id); has {
				return false
			}
			paid, err := orch.DealPaid(ctx, d.Id)
			return err == nil && params.CanRate(paid)
		})
		if !ok {
			reporter.Skip("no deal to rate")
			return nil, nil
		}
		r := testData.Rand().Rand
		acc := testData.GetAccount(reporter, d.Consumer)
		simutil.CapFees(&acc)
		msg := &types.MsgRateProvider{Consumer: d.Consumer, DealId: d.Id, Stars: uint32(1 + r.Intn(5))}
		if r.Intn(2) == 0 {
			msg.Comment = simutil.Text(r, int(min(params.MaxCommentLength, types.MaxCommentBytes)))
		}
		return []simsx.SimAccount{acc}, msg
	}
}

func (s scores) disputed(ctx context.Context, target string) bool {
	has, _ := s.k.DisputeByTarget.Has(ctx, target)
	return has
}

// fileDispute disputes a MISSED or CRITICAL unit verdict, or a rating,
// within the dispute window.
func (s scores) fileDispute() simsx.SimMsgFactoryFn[*types.MsgFileDispute] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgFileDispute) {
		params := s.params(ctx, reporter)
		r := testData.Rand().Rand
		t := now(ctx)
		var msg *types.MsgFileDispute
		if r.Intn(2) == 0 {
			msg = s.verdictDispute(ctx, r.Uint64(), t, params)
		} else {
			msg = s.ratingDispute(ctx, r.Uint64(), t, params)
		}
		if msg == nil {
			reporter.Skip("nothing to dispute")
			return nil, nil
		}
		msg.Reason = simutil.Text(r, 64)
		acc := testData.GetAccount(reporter, msg.Provider)
		simutil.CapFees(&acc)
		return []simsx.SimAccount{acc}, msg
	}
}

func (s scores) verdictDispute(ctx context.Context, start uint64, t time.Time, params types.Params) *types.MsgFileDispute {
	var msg *types.MsgFileDispute
	orch := s.k.Orchestrator()
	_ = simutil.Walk(ctx, s.k.UnitScores, 1+start%(1<<20), scanBudget, func(_ uint64, us types.UnitScore) bool {
		for epoch := us.LastEpoch; epoch > 0 && epoch >= us.LastEpoch-2; epoch-- {
			v, err := orch.UnitVerdict(ctx, us.UnitId, epoch)
			if err != nil || v.Reversed || !t.Before(v.Time.Add(params.DisputeWindow)) {
				continue
			}
			if v.Verdict != orchtypes.SLA_VERDICT_MISSED && v.Verdict != orchtypes.SLA_VERDICT_CRITICAL {
				continue
			}
			if s.disputed(ctx, fmt.Sprintf("verdict/%d/%d", v.UnitId, v.Epoch)) {
				continue
			}
			msg = &types.MsgFileDispute{Provider: v.Provider, Kind: types.DISPUTE_KIND_VERDICT, UnitId: v.UnitId, Epoch: v.Epoch}
			return true
		}
		return false
	})
	return msg
}

func (s scores) ratingDispute(ctx context.Context, start uint64, t time.Time, params types.Params) *types.MsgFileDispute {
	var msg *types.MsgFileDispute
	_ = simutil.Walk(ctx, s.k.Ratings, 1+start%(1<<20), scanBudget, func(_ uint64, rt types.Rating) bool {
		if rt.Hidden || !t.Before(rt.Time.Add(params.DisputeWindow)) || s.disputed(ctx, fmt.Sprintf("rating/%d", rt.DealId)) {
			return false
		}
		msg = &types.MsgFileDispute{Provider: rt.Provider, Kind: types.DISPUTE_KIND_RATING, DealId: rt.DealId}
		return true
	})
	return msg
}

// openDispute finds an open dispute from a random id on.
func (s scores) openDispute(ctx context.Context, start uint64) (uint64, bool) {
	var id uint64
	rng := collections.NewPrefixedPairRange[int32, uint64](int32(types.DISPUTE_STATUS_OPEN))
	n := 0
	_ = s.k.DisputesByStatus.Walk(ctx, rng, func(key collections.Pair[int32, uint64]) (bool, error) {
		id = key.K2()
		n++
		return key.K2() >= start || n >= scanBudget, nil
	})
	return id, id != 0
}

// resolveDispute upholds or rejects an open dispute, signed by the arbiter
// param's account (the governance path is in proposals.go).
func (s scores) resolveDispute() simsx.SimMsgFactoryFn[*types.MsgResolveDispute] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgResolveDispute) {
		params := s.params(ctx, reporter)
		if params.Arbiter == "" || !testData.HasAccount(params.Arbiter) {
			reporter.Skip("no arbiter account")
			return nil, nil
		}
		r := testData.Rand().Rand
		next, _ := s.k.NextDisputeID.Peek(ctx)
		id, ok := s.openDispute(ctx, simutil.RandomID(r, next))
		if !ok {
			reporter.Skip("no open dispute")
			return nil, nil
		}
		acc := testData.GetAccount(reporter, params.Arbiter)
		simutil.CapFees(&acc)
		return []simsx.SimAccount{acc}, &types.MsgResolveDispute{
			Authority: params.Arbiter, DisputeId: id, Upheld: r.Intn(2) == 0, Resolution: simutil.Text(r, 40),
		}
	}
}

// fundRewardPool gives the pool a small share of an account's balance.
func (s scores) fundRewardPool() simsx.SimMsgFactoryFn[*types.MsgFundRewardPool] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgFundRewardPool) {
		denom, err := s.k.Orchestrator().MarketDenom(ctx)
		if err != nil {
			reporter.Skip(err.Error())
			return nil, nil
		}
		acc := testData.AnyAccountN(10, reporter, simsx.SimAccountFilterFn(func(a simsx.SimAccount) bool {
			return a.LiquidBalance().AmountOf(denom).GT(sdkmath.NewInt(100))
		}))
		if reporter.IsSkipped() {
			return nil, nil
		}
		r := testData.Rand().Rand
		amount := sdk.NewCoin(denom, simutil.IntBetween(r, sdkmath.OneInt(), simutil.Balance(&acc, denom).QuoRaw(20)))
		if !simutil.Spend(&acc, amount) {
			reporter.Skip("cannot pay")
			return nil, nil
		}
		return []simsx.SimAccount{acc}, &types.MsgFundRewardPool{Depositor: acc.AddressBech32, Amount: amount}
	}
}

// updateParamsProposal draws new params, keeping the reward epoch.
func (s scores) updateParamsProposal() simsx.SimMsgFactoryFn[*types.MsgUpdateParams] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams) {
		current := s.params(ctx, reporter)
		if reporter.IsSkipped() {
			return nil, nil
		}
		r := testData.Rand().Rand
		arbiter := current.Arbiter
		if r.Intn(4) == 0 {
			arbiter = testData.AnyAccount(reporter).AddressBech32
		}
		return nil, &types.MsgUpdateParams{Authority: s.k.Authority(), Params: RandomParams(r, arbiter, current.RewardEpochIdentifier)}
	}
}

// resolveDisputeProposal resolves an open dispute through governance.
func (s scores) resolveDisputeProposal() simsx.SimMsgFactoryFn[*types.MsgResolveDispute] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgResolveDispute) {
		r := testData.Rand().Rand
		next, _ := s.k.NextDisputeID.Peek(ctx)
		id, ok := s.openDispute(ctx, simutil.RandomID(r, next))
		if !ok {
			reporter.Skip("no open dispute")
			return nil, nil
		}
		return nil, &types.MsgResolveDispute{Authority: s.k.Authority(), DisputeId: id, Upheld: r.Intn(2) == 0}
	}
}

// WeightedOperations registers an operation for every user message.
func WeightedOperations(weights simsx.WeightSource, reg simsx.Registry, k keeper.Keeper) {
	s := scores{k: k}
	reg.Add(weights.Get("msg_rate_provider", 100), s.rateProvider())
	reg.Add(weights.Get("msg_file_dispute", 60), s.fileDispute())
	reg.Add(weights.Get("msg_resolve_dispute", 40), s.resolveDispute())
	reg.Add(weights.Get("msg_fund_reward_pool", 20), s.fundRewardPool())
}

// ProposalMsgs registers the messages governance proposals carry.
func ProposalMsgs(weights simsx.WeightSource, reg simsx.Registry, k keeper.Keeper) {
	s := scores{k: k}
	reg.Add(weights.Get("msg_update_params", 20), s.updateParamsProposal())
	reg.Add(weights.Get("msg_resolve_dispute_gov", 5), s.resolveDisputeProposal())
}
