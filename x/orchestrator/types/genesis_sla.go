package types

import (
	"fmt"
	"time"
)

// SLA round phases (SlaRound.phase): a round checks the running deals
// (ACTIVE, then OVERDRAWN: deal_state), then the live units. The keeper's
// round walks them in this order (a test checks that the keeper's phases
// are these).
const (
	SlaPhaseDeals uint32 = 0
	SlaPhaseUnits uint32 = 1
)

// validateSla checks the SLA rounds in progress and the verdicts, whose
// references the end blocker and the dispute path follow without checking
// again: an unknown round phase makes EndBlock return an error (a halt), a
// verdict of an unknown deal fails a dispute. deals and units are the
// genesis' own, by id.
func (gs GenesisState) validateSla(deals map[uint64]Deal, units map[uint64]DataUnit) error {
	rounds := make(map[int64]bool, len(gs.SlaRounds))
	for _, r := range gs.SlaRounds {
		if rounds[r.Epoch] {
			return fmt.Errorf("SLA round of epoch %d listed twice", r.Epoch)
		}
		rounds[r.Epoch] = true
		if err := r.validate(gs.NextDealId, gs.NextUnitId); err != nil {
			return fmt.Errorf("SLA round of epoch %d: %w", r.Epoch, err)
		}
	}
	type verdictKey struct {
		id    uint64
		epoch int64
	}
	dealVerdicts := make(map[verdictKey]bool, len(gs.DealVerdicts))
	for _, v := range gs.DealVerdicts {
		key := verdictKey{v.DealId, v.Epoch}
		if dealVerdicts[key] {
			return fmt.Errorf("verdict of deal %d in epoch %d listed twice", v.DealId, v.Epoch)
		}
		dealVerdicts[key] = true
		if err := v.validate(deals); err != nil {
			return fmt.Errorf("verdict of deal %d in epoch %d: %w", v.DealId, v.Epoch, err)
		}
	}
	unitVerdicts := make(map[verdictKey]bool, len(gs.UnitVerdicts))
	for _, v := range gs.UnitVerdicts {
		key := verdictKey{v.UnitId, v.Epoch}
		if unitVerdicts[key] {
			return fmt.Errorf("verdict of unit %d in epoch %d listed twice", v.UnitId, v.Epoch)
		}
		unitVerdicts[key] = true
		if err := v.validate(units); err != nil {
			return fmt.Errorf("verdict of unit %d in epoch %d: %w", v.UnitId, v.Epoch, err)
		}
	}
	return nil
}

// validate checks a round: a real epoch with a start before its end, a
// known phase and deal state, and a cursor within the ids its phase walks.
func (r SlaRound) validate(nextDealID, nextUnitID uint64) error {
	if r.Epoch <= 0 {
		return fmt.Errorf("epoch must be positive")
	}
	if r.EpochStart.IsZero() || !r.EpochStart.Before(r.EpochEnd) {
		return fmt.Errorf("epoch_start %s must be set and before epoch_end %s", r.EpochStart.Format(time.RFC3339), r.EpochEnd.Format(time.RFC3339))
	}
	if r.DealState != int32(DEAL_STATE_ACTIVE) && r.DealState != int32(DEAL_STATE_OVERDRAWN) {
		return fmt.Errorf("deal_state %d must be ACTIVE (%d) or OVERDRAWN (%d)", r.DealState, DEAL_STATE_ACTIVE, DEAL_STATE_OVERDRAWN)
	}
	switch r.Phase {
	case SlaPhaseDeals:
		if r.Cursor >= nextDealID {
			return fmt.Errorf("the deals cursor %d is not below next_deal_id %d", r.Cursor, nextDealID)
		}
	case SlaPhaseUnits:
		if r.Cursor >= nextUnitID {
			return fmt.Errorf("the units cursor %d is not below next_unit_id %d", r.Cursor, nextUnitID)
		}
	default:
		return fmt.Errorf("unknown phase %d (deals %d, units %d)", r.Phase, SlaPhaseDeals, SlaPhaseUnits)
	}
	return nil
}

// validate checks a deal verdict: its deal exists, and the unit, provider
// and consumer are the deal's; a real epoch, a known verdict, amounts
// present and non-negative, the part from the bond within the refund, and a
// score on the 0–100 scale.
func (v DealVerdict) validate(deals map[uint64]Deal) error {
	d, ok := deals[v.DealId]
	if !ok {
		return fmt.Errorf("unknown deal")
	}
	if v.UnitId != d.UnitId || v.Provider != d.Provider || v.Consumer != d.Consumer {
		return fmt.Errorf("unit %d, provider %s, consumer %s are not the deal's (%d, %s, %s)",
			v.UnitId, v.Provider, v.Consumer, d.UnitId, d.Provider, d.Consumer)
	}
	if err := validateVerdictCommon(v.Epoch, v.Verdict); err != nil {
		return err
	}
	if !nonNegative(v.EpochPayment, v.Refund, v.RefundFromBond) {
		return fmt.Errorf("epoch_payment, refund and refund_from_bond must be set and non-negative")
	}
	if v.RefundFromBond.GT(v.Refund) {
		return fmt.Errorf("refund_from_bond %s exceeds the refund %s", v.RefundFromBond, v.Refund)
	}
	if v.UnitScore > MaxScore {
		return fmt.Errorf("unit_score %d is above %d", v.UnitScore, MaxScore)
	}
	return nil
}

// validate checks a unit verdict: its unit exists and the provider is the
// unit's; a real epoch, a known verdict, the slash present, non-negative and
// at least what went to the pool, and scores on the 0–100 scale.
func (v UnitVerdict) validate(units map[uint64]DataUnit) error {
	u, ok := units[v.UnitId]
	if !ok {
		return fmt.Errorf("unknown data unit")
	}
	if v.Provider != u.Provider {
		return fmt.Errorf("provider %s is not the unit's (%s)", v.Provider, u.Provider)
	}
	if err := validateVerdictCommon(v.Epoch, v.Verdict); err != nil {
		return err
	}
	if !nonNegative(v.Slashed, v.SlashedToPool) {
		return fmt.Errorf("slashed and slashed_to_pool must be set and non-negative")
	}
	if v.SlashedToPool.GT(v.Slashed) {
		return fmt.Errorf("slashed_to_pool %s exceeds the slash %s", v.SlashedToPool, v.Slashed)
	}
	if v.ScoreBefore > MaxScore || v.ScoreAfter > MaxScore {
		return fmt.Errorf("scores %d → %d must be within [0, %d]", v.ScoreBefore, v.ScoreAfter, MaxScore)
	}
	return nil
}

// MaxScore is the top of the reputation scale (x/reputation keeps every
// score in [0, 100]).
const MaxScore = 100

func validateVerdictCommon(epoch int64, verdict SlaVerdict) error {
	if epoch <= 0 {
		return fmt.Errorf("epoch must be positive")
	}
	if _, ok := SlaVerdict_name[int32(verdict)]; !ok {
		return fmt.Errorf("unknown verdict %d", verdict)
	}
	return nil
}
