package abci

import (
	"context"
	"crypto/rand"
	"math"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"

	"cosmossdk.io/log"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/oracle/keeper"
	"github.com/flashbacknetwork/flashbackd/x/oracle/prober"
	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// Prober is what the vote-extension handler needs of the QoS prober: it
// never waits on the network.
type Prober interface {
	Enabled() bool
	Start(ctx context.Context)
	SetAssignment(window uint64, targets []prober.Target)
	Snapshot(window uint64) []prober.Measurement
}

// Byzantine behaviours for the end-to-end fault tests. The handler takes the
// fault as an argument; only a binary built with the `faultinject` build tag
// reads it from the FLASHBACKD_UNSAFE_ORACLE_FAULT environment variable
// (app/fault_inject.go), so a production binary cannot be configured into
// them.
const (
	// FaultGarbageExtensions makes ExtendVote return random bytes, which
	// VerifyVoteExtension rejects.
	FaultGarbageExtensions = "garbage-extensions"
	// FaultExtremeExtensions makes ExtendVote report, at every window end,
	// each assigned unit with the most extreme values a valid extension can
	// carry (see extremeMeasurement): the extension passes
	// VerifyVoteExtension, so the medians must absorb it.
	FaultExtremeExtensions = "extreme-extensions"
)

// ValidFault reports whether fault is empty or a known fault.
func ValidFault(fault string) bool {
	return fault == "" || fault == FaultGarbageExtensions || fault == FaultExtremeExtensions
}

// extremeMeasurement is what an extreme-extensions validator reports on a
// unit: each metric at the end of its range, worst for latency, upload,
// uptime and error rate, best for download, so that an aggregate pulled
// either way shows.
func extremeMeasurement(unitID uint64) types.Measurement {
	return types.Measurement{
		UnitId: unitID, LatencyMs: math.MaxUint32, DownloadKbps: math.MaxUint64, UploadKbps: 0,
		UptimeBps: 0, ErrorRateBps: types.MaxBasisPoints,
	}
}

// VoteExtensionHandler produces and verifies the oracle's vote extensions.
type VoteExtensionHandler struct {
	logger    log.Logger
	keeper    keeper.Keeper
	prober    Prober
	fault     string
	startOnce sync.Once
}

// NewVoteExtensionHandler returns the handler. fault is empty except in
// fault-injection tests.
func NewVoteExtensionHandler(logger log.Logger, k keeper.Keeper, p Prober, fault string) *VoteExtensionHandler {
	return &VoteExtensionHandler{logger: logger, keeper: k, prober: p, fault: fault}
}

// ExtendVote hands the prober the current assignment and, at the last height
// of a window, reports its cached measurements of the assigned units. It
// never waits on the network, never fails the vote (any problem yields an
// empty extension) and checks its own output with the function
// VerifyVoteExtension uses.
func (h *VoteExtensionHandler) ExtendVote() sdk.ExtendVoteHandler {
	return func(ctx sdk.Context, req *abci.RequestExtendVote) (resp *abci.ResponseExtendVote, err error) {
		empty := &abci.ResponseExtendVote{VoteExtension: []byte{}}
		defer func() {
			if r := recover(); r != nil {
				h.logger.Error("recovered a panic in ExtendVote; voting with an empty extension", "height", req.Height, "panic", r)
				resp, err = empty, nil
			}
		}()
		if h.fault == FaultGarbageExtensions {
			garbage := make([]byte, 64)
			_, _ = rand.Read(garbage)
			return &abci.ResponseExtendVote{VoteExtension: garbage}, nil
		}
		if !h.prober.Enabled() && h.fault != FaultExtremeExtensions {
			return empty, nil
		}
		h.startOnce.Do(func() { h.prober.Start(context.Background()) })

		a, ok, err := h.keeper.CurrentAssignment(ctx)
		if err != nil || !ok || req.Height < a.StartHeight || req.Height > a.EndHeight {
			return empty, nil
		}
		targets := make([]prober.Target, len(a.Units))
		for i, u := range a.Units {
			targets[i] = prober.Target{UnitID: u.UnitId, Endpoint: u.Endpoint}
		}
		h.prober.SetAssignment(a.Window, targets)
		if req.Height != a.EndHeight {
			return empty, nil
		}

		if h.fault == FaultExtremeExtensions {
			ms := make([]types.Measurement, 0, len(a.Units))
			for _, u := range a.Units { // sorted by unit id, unique
				if len(ms) < types.MaxMeasurements {
					ms = append(ms, extremeMeasurement(u.UnitId))
				}
			}
			bz, err := types.EncodeVoteExtension(req.Height, a.Window, ms)
			if err != nil {
				return empty, nil
			}
			return &abci.ResponseExtendVote{VoteExtension: bz}, nil
		}

		snapshot := h.prober.Snapshot(a.Window)
		assigned := make(map[uint64]bool, len(a.Units))
		for _, u := range a.Units {
			assigned[u.UnitId] = true
		}
		ms := make([]types.Measurement, 0, len(snapshot))
		for _, m := range snapshot { // sorted by unit id, unique
			if !assigned[m.UnitID] || len(ms) == types.MaxMeasurements {
				continue
			}
			ms = append(ms, types.Measurement{
				UnitId: m.UnitID, LatencyMs: m.LatencyMs, DownloadKbps: m.DownloadKbps, UploadKbps: m.UploadKbps,
				UptimeBps: m.UptimeBps, ErrorRateBps: m.ErrorRateBps,
			})
		}
		if len(ms) == 0 {
			return empty, nil
		}
		bz, err := types.EncodeVoteExtension(req.Height, a.Window, ms)
		if err != nil {
			h.logger.Error("own vote extension failed validation; voting with an empty one", "height", req.Height, "err", err)
			return empty, nil
		}
		return &abci.ResponseExtendVote{VoteExtension: bz}, nil
	}
}

// VerifyVoteExtension checks another validator's extension: stateless,
// structural only. Empty extensions are accepted; malformed or oversized
// ones rejected. It never panics.
func (h *VoteExtensionHandler) VerifyVoteExtension() sdk.VerifyVoteExtensionHandler {
	return func(_ sdk.Context, req *abci.RequestVerifyVoteExtension) (resp *abci.ResponseVerifyVoteExtension, err error) {
		reject := &abci.ResponseVerifyVoteExtension{Status: abci.ResponseVerifyVoteExtension_REJECT}
		defer func() {
			if r := recover(); r != nil {
				resp, err = reject, nil
			}
		}()
		if _, err := types.DecodeVoteExtension(req.VoteExtension, req.Height); err != nil {
			h.logger.Debug("rejecting vote extension", "height", req.Height, "validator", req.ValidatorAddress, "err", err)
			return reject, nil
		}
		return &abci.ResponseVerifyVoteExtension{Status: abci.ResponseVerifyVoteExtension_ACCEPT}, nil
	}
}
