package types

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"
)

// DefaultGenesis returns the default genesis state.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextSelfReportId: 1}
}

// Validate checks the genesis state; an invalid genesis never reaches InitGenesis.
func (gs GenesisState) Validate() error {
	if err := gs.validate(); err != nil {
		return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
	}
	return nil
}

func (gs GenesisState) validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	windows := make(map[uint64]bool, len(gs.Assignments))
	for _, a := range gs.Assignments {
		if windows[a.Window] {
			return fmt.Errorf("assignment of window %d listed twice", a.Window)
		}
		windows[a.Window] = true
		if a.EndHeight < a.StartHeight || len(a.Units) > MaxMeasurements {
			return fmt.Errorf("assignment of window %d is malformed", a.Window)
		}
	}
	type unitWindow struct{ unit, window uint64 }
	records := make(map[unitWindow]bool, len(gs.Records))
	for _, r := range gs.Records {
		k := unitWindow{r.UnitId, r.Window}
		if records[k] {
			return fmt.Errorf("record of unit %d window %d listed twice", r.UnitId, r.Window)
		}
		records[k] = true
		if r.UptimeBps > MaxBasisPoints || r.ErrorRateBps > MaxBasisPoints {
			return fmt.Errorf("record of unit %d window %d has basis points above %d", r.UnitId, r.Window, MaxBasisPoints)
		}
	}
	ids := make(map[uint64]bool, len(gs.SelfReports))
	for _, r := range gs.SelfReports {
		if r.Id == 0 || r.Id >= gs.NextSelfReportId || ids[r.Id] {
			return fmt.Errorf("self-report id %d is duplicated or not below next_self_report_id %d", r.Id, gs.NextSelfReportId)
		}
		ids[r.Id] = true
	}
	return nil
}
