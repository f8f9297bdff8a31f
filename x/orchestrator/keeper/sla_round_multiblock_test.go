package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// An SLA round spanning several blocks, block by block: with
// max_verdicts_per_block = 4, four ACTIVE deals, one OVERDRAWN deal and
// three live units, the round checks the ACTIVE deals in its first block;
// in its second it finds no ACTIVE deal after its cursor, moves to the
// OVERDRAWN deal, then to the units; in its third it finds no unit after its
// cursor and ends. Each check is done exactly once, in the block the cursor
// predicts. Verdict pruning shares the budget: one verdict of each kind per
// block while the round uses the whole budget, the whole budget once the
// round has ended.
func TestSlaRoundSpansBlocks(t *testing.T) {
	s := newSuite(t)
	u1 := s.market()
	u2, u3 := s.createUnit(s.provider), s.createUnit(s.provider)
	var active []uint64
	for _, unitID := range []uint64{u1, u2, u3, u1} {
		msg := dealMsg(s.consumer, unitID)
		msg.Term, msg.Deposit = 90*day, uflash(6_000_000) // the whole term
		active = append(active, s.requestDeal(msg))
		s.accept(s.provider, active[len(active)-1])
	}
	msg := dealMsg(s.consumer, u2)
	msg.Term = 60 * day // the minimum deposit: dry after 30 days
	overdrawn := s.requestDeal(msg)
	s.accept(s.provider, overdrawn)

	// 30 daily rounds at the default budget (each ends in its block) leave
	// 30 epochs of verdicts, kept for verdict_retention_epochs = 90.
	s.advance(30 * day)
	require.Equal(t, types.DEAL_STATE_OVERDRAWN, s.deal(overdrawn).State)
	for _, id := range active {
		require.Equal(t, types.DEAL_STATE_ACTIVE, s.deal(id).State)
	}
	require.Empty(t, s.slaRounds(), "every daily round ended in its block")

	// Now four checks per block, and a retention of one epoch: 29 epochs of
	// verdicts become prunable at once.
	p := s.params()
	p.MaxVerdictsPerBlock, p.VerdictRetentionEpochs = 4, 1
	require.NoError(t, s.app.OrchestratorKeeper.Params.Set(s.ctx(), p))

	type block struct {
		time time.Duration
		// the round after the block (nil: it has ended), the deals and
		// units checked in it, how many old verdicts of each kind it pruned
		round         *types.SlaRound
		deals, units  []uint64
		pruned        int
		roundFinished bool
	}
	epoch := s.slaEpochNumber() // the epoch that ends in the first block
	phase := func(dealState types.DealState, phase uint32, cursor uint64) *types.SlaRound {
		return &types.SlaRound{Epoch: epoch, DealState: int32(dealState), Phase: phase, Cursor: cursor}
	}
	for i, b := range []block{
		{time: day, round: phase(types.DEAL_STATE_ACTIVE, 0, active[3]), deals: active, pruned: 1},
		{time: time.Second, round: phase(types.DEAL_STATE_OVERDRAWN, 1, u3), deals: []uint64{overdrawn}, units: []uint64{u1, u2, u3}, pruned: 1},
		{time: time.Second, pruned: 4, roundFinished: true},
		{time: time.Second, pruned: 4},
	} {
		oldDeals, oldUnits := s.verdictsBefore(epoch - 2)
		s.app.BlockTime = b.time
		res := s.app.NextBlock(t)
		s.app.BlockTime = time.Second
		s.checkInvariants()
		height := s.app.Height

		rounds := s.slaRounds()
		if b.round == nil {
			require.Empty(t, rounds, "block %d", i+1)
		} else {
			require.Len(t, rounds, 1, "block %d", i+1)
			got := rounds[0]
			require.Equal(t, day, got.EpochEnd.Sub(got.EpochStart))
			got.EpochStart, got.EpochEnd = time.Time{}, time.Time{}
			require.Equal(t, *b.round, got, "block %d: epoch, deal state, phase, cursor", i+1)
		}
		require.Equal(t, b.deals, s.dealsCheckedAt(epoch, height), "block %d: deals checked", i+1)
		require.Equal(t, b.units, s.unitsCheckedAt(epoch, height), "block %d: units checked", i+1)
		finished := typedEvents[*types.EventSlaRoundFinished](res.Events)
		if b.roundFinished {
			require.Equal(t, []*types.EventSlaRoundFinished{{Epoch: epoch}}, finished, "block %d", i+1)
		} else {
			require.Empty(t, finished, "block %d", i+1)
		}
		deals, units := s.verdictsBefore(epoch - 2)
		require.Equal(t, b.pruned, oldDeals-deals, "block %d: deal verdicts pruned", i+1)
		require.Equal(t, b.pruned, oldUnits-units, "block %d: unit verdicts pruned", i+1)
	}
}

func (s *suite) slaRounds() []types.SlaRound {
	s.t.Helper()
	res, err := s.queries.SlaRounds(s.ctx(), &types.QuerySlaRoundsRequest{})
	require.NoError(s.t, err)
	return res.Rounds
}

// slaEpochNumber is the number of the SLA epoch in progress.
func (s *suite) slaEpochNumber() int64 {
	s.t.Helper()
	info, err := s.app.EpochsKeeper.GetEpochInfo(s.ctx(), s.params().SlaEpochIdentifier)
	require.NoError(s.t, err)
	return info.CurrentEpoch
}

// verdictsBefore counts the stored deal and unit verdicts of epochs before
// epoch.
func (s *suite) verdictsBefore(epoch int64) (deals, units int) {
	s.t.Helper()
	count := func(set collections.KeySet[collections.Pair[int64, uint64]]) int {
		keys, err := set.Iterate(s.ctx(), collections.NewPrefixUntilPairRange[int64, uint64](epoch-1))
		require.NoError(s.t, err)
		all, err := keys.Keys()
		require.NoError(s.t, err)
		return len(all)
	}
	return count(s.app.OrchestratorKeeper.DealVerdictsByEpoch), count(s.app.OrchestratorKeeper.UnitVerdictsByEpoch)
}

// dealsCheckedAt lists, in id order, the deals whose verdict of epoch was
// written at height.
func (s *suite) dealsCheckedAt(epoch, height int64) []uint64 {
	s.t.Helper()
	var ids []uint64
	iter, err := s.app.OrchestratorKeeper.DealVerdicts.Iterate(s.ctx(), nil)
	require.NoError(s.t, err)
	defer iter.Close()
	for ; iter.Valid(); iter.Next() {
		v, err := iter.Value()
		require.NoError(s.t, err)
		if v.Epoch == epoch && v.Height == height {
			ids = append(ids, v.DealId)
		}
	}
	return ids
}

// unitsCheckedAt lists, in id order, the units whose verdict of epoch was
// written at height.
func (s *suite) unitsCheckedAt(epoch, height int64) []uint64 {
	s.t.Helper()
	var ids []uint64
	iter, err := s.app.OrchestratorKeeper.UnitVerdicts.Iterate(s.ctx(), nil)
	require.NoError(s.t, err)
	defer iter.Close()
	for ; iter.Valid(); iter.Next() {
		v, err := iter.Value()
		require.NoError(s.t, err)
		if v.Epoch == epoch && v.Height == height {
			ids = append(ids, v.UnitId)
		}
	}
	return ids
}
