package simulation

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/oracle/keeper"
	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// The SDK's simulator calls FinalizeBlock without vote extensions or a
// proposal, so the oracle's payload never reaches its PreBlocker and no QoS
// would ever be agreed: every SLA verdict would be UNKNOWN, and refunds,
// slashes, score changes and verdict disputes would never run. QoSFeed
// stands in for the validators: after the last height of a window it builds
// the extended commit they would have sent — an extension from every vote
// of the block's commit, measuring every assigned unit — for the keeper's
// aggregation (Keeper.ApplyExtendedCommit, the PreBlocker's own step). What
// this leaves out, and the ABCI tests and localnet cover: ExtendVote and
// the prober, VerifyVoteExtension, PrepareProposal/ProcessProposal and the
// payload's decoding and signature checks.
//
// Each unit has a quality drawn from its id and the window's day (so it
// changes over a run: a unit is excellent, fair, poor or down), honest
// validators report it with a few per cent of noise, and validators
// holding less than a third of the commit's power are Byzantine: they send
// undecodable bytes, extreme values, another window's report or nothing.
// Everything is derived from hashes of the block data, so runs stay
// deterministic.
type QoSFeed struct {
	k keeper.Keeper
}

// NewQoSFeed returns the feed for the oracle keeper.
func NewQoSFeed(k keeper.Keeper) QoSFeed { return QoSFeed{k: k} }

// HonestRange is the span of the honest reports of one unit's metrics: a
// stake-weighted median resists a minority, so every agreed value must lie
// in it.
type HonestRange struct {
	MinLatency, MaxLatency uint32
	MinDown, MaxDown       uint64
	MinUp, MaxUp           uint64
	MinUptime, MaxUptime   uint32
	MinErrRate, MaxErrRate uint32
	HonestPower, ByzPower  int64
	honestReported         bool
}

// Feed applies the validators' reports for the window the previous height
// ended, if it ended one, and checks the records written: each agreed
// value must lie within its unit's honest reports. It returns the number
// of records checked.
func (f QoSFeed) Feed(ctx sdk.Context, votes []abci.VoteInfo) (int, error) {
	height := ctx.BlockHeight()
	current, ok, err := f.k.CurrentAssignment(ctx)
	if err != nil || !ok || current.Window == 0 {
		return 0, err
	}
	ended, err := f.k.Assignments.Get(ctx, current.Window-1)
	if errors.Is(err, collections.ErrNotFound) || (err == nil && ended.EndHeight != height-1) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	commit, ranges, err := f.commit(height-1, ended, votes)
	if err != nil {
		return 0, err
	}
	cacheCtx, write := ctx.CacheContext()
	if err := f.k.ApplyExtendedCommit(cacheCtx, commit, nil); err != nil {
		return 0, fmt.Errorf("aggregation failed: %w", err)
	}
	write()
	checked := 0
	for _, u := range ended.Units {
		rec, err := f.k.Records.Get(ctx, collections.Join(u.UnitId, ended.Window))
		if errors.Is(err, collections.ErrNotFound) {
			continue // no quorum
		}
		if err != nil {
			return checked, err
		}
		if err := ranges[u.UnitId].check(rec); err != nil {
			return checked, fmt.Errorf("window %d unit %d: %w", ended.Window, u.UnitId, err)
		}
		checked++
	}
	return checked, nil
}

func (h HonestRange) check(rec types.QoSRecord) error {
	if !h.honestReported {
		return fmt.Errorf("a record was written without any honest report (byzantine power %d of %d)", h.ByzPower, h.HonestPower+h.ByzPower)
	}
	if rec.LatencyMs < h.MinLatency || rec.LatencyMs > h.MaxLatency ||
		rec.DownloadKbps < h.MinDown || rec.DownloadKbps > h.MaxDown ||
		rec.UploadKbps < h.MinUp || rec.UploadKbps > h.MaxUp ||
		rec.UptimeBps < h.MinUptime || rec.UptimeBps > h.MaxUptime ||
		rec.ErrorRateBps < h.MinErrRate || rec.ErrorRateBps > h.MaxErrRate {
		return fmt.Errorf("agreed QoS %+v lies outside the honest reports %+v", rec, h)
	}
	return nil
}

// byzantine picks, in an order drawn from the height, validators whose
// power stays under a third of the commit's total.
func byzantine(height int64, votes []abci.VoteInfo) map[string]bool {
	var total int64
	for _, v := range votes {
		total += v.Validator.Power
	}
	order := append([]abci.VoteInfo(nil), votes...)
	sort.Slice(order, func(i, j int) bool {
		return bytes.Compare(hashOf(height, order[i].Validator.Address), hashOf(height, order[j].Validator.Address)) < 0
	})
	out := map[string]bool{}
	var power int64
	for _, v := range order {
		if 3*(power+v.Validator.Power) >= total {
			continue
		}
		power += v.Validator.Power
		out[string(v.Validator.Address)] = true
	}
	return out
}

// quorumVotes returns the votes with more than 2/3 of the power signed, as
// every CometBFT commit has: the simulator's random validator liveness does
// not respect that, so absent validators are marked as signing, in an
// order drawn from the height, until it holds. In one window out of two
// every validator signs, as on a healthy network.
func quorumVotes(height int64, votes []abci.VoteInfo) []abci.VoteInfo {
	out := append([]abci.VoteInfo(nil), votes...)
	var total, signed int64
	for _, v := range out {
		total += v.Validator.Power
		if v.BlockIdFlag == cmtproto.BlockIDFlagCommit {
			signed += v.Validator.Power
		}
	}
	all := hashOf(height, []byte("all-sign"))[0]%2 == 0
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool {
		return bytes.Compare(hashOf(height, out[order[i]].Validator.Address), hashOf(height, out[order[j]].Validator.Address)) < 0
	})
	for _, i := range order {
		if !all && 3*signed > 2*total {
			break
		}
		if out[i].BlockIdFlag != cmtproto.BlockIDFlagCommit {
			out[i].BlockIdFlag = cmtproto.BlockIDFlagCommit
			signed += out[i].Validator.Power
		}
	}
	return out
}

func (f QoSFeed) commit(voted int64, ended types.Assignment, votes []abci.VoteInfo) (abci.ExtendedCommitInfo, map[uint64]*HonestRange, error) {
	votes = quorumVotes(voted, votes)
	byz := map[string]bool{}
	if hashOf(voted, []byte("byzantine"))[0]%2 == 0 {
		byz = byzantine(voted, votes)
	}
	ranges := make(map[uint64]*HonestRange, len(ended.Units))
	for _, u := range ended.Units {
		ranges[u.UnitId] = &HonestRange{
			MinLatency: math.MaxUint32, MinDown: math.MaxUint64, MinUp: math.MaxUint64,
			MinUptime: math.MaxUint32, MinErrRate: math.MaxUint32,
		}
	}
	commit := abci.ExtendedCommitInfo{Round: 0, Votes: make([]abci.ExtendedVoteInfo, 0, len(votes))}
	for _, v := range votes {
		ev := abci.ExtendedVoteInfo{Validator: v.Validator, BlockIdFlag: v.BlockIdFlag}
		if v.BlockIdFlag != cmtproto.BlockIDFlagCommit {
			commit.Votes = append(commit.Votes, ev) // absent: no extension
			continue
		}
		// A signature stands for the real one: the aggregation does not
		// check it (ProcessProposal did), but the assignment entropy is
		// derived from it.
		ev.ExtensionSignature = hashOf(voted, v.Validator.Address, []byte("signature"))
		ms := make([]types.Measurement, 0, len(ended.Units))
		isByz := byz[string(v.Validator.Address)]
		mode := hashOf(voted, v.Validator.Address)[0] % 4
		window := ended.Window
		for _, u := range ended.Units {
			m := honest(voted, ended.Window, u.UnitId, v.Validator.Address)
			if isByz {
				if mode == 1 {
					m = extreme(voted, u.UnitId, v.Validator.Address)
				}
			} else {
				ranges[u.UnitId].add(m, v.Validator.Power)
			}
			ms = append(ms, m)
		}
		switch {
		case isByz && mode == 0: // undecodable bytes: the vote counts as missed
			ev.VoteExtension = hashOf(voted, v.Validator.Address, []byte("garbage"))
		case isByz && mode == 2: // a report for another window: ignored
			window++
			fallthrough
		case !isByz || mode == 1:
			bz, err := types.EncodeVoteExtension(voted, window, ms)
			if err != nil {
				return commit, nil, err
			}
			ev.VoteExtension = bz
		default: // mode 3: an empty extension
		}
		if isByz && (mode == 1) {
			for _, u := range ended.Units {
				ranges[u.UnitId].ByzPower += v.Validator.Power
			}
		}
		commit.Votes = append(commit.Votes, ev)
	}
	return commit, ranges, nil
}

func (h *HonestRange) add(m types.Measurement, power int64) {
	h.honestReported = true
	h.HonestPower += power
	h.MinLatency, h.MaxLatency = min(h.MinLatency, m.LatencyMs), max(h.MaxLatency, m.LatencyMs)
	h.MinDown, h.MaxDown = min(h.MinDown, m.DownloadKbps), max(h.MaxDown, m.DownloadKbps)
	h.MinUp, h.MaxUp = min(h.MinUp, m.UploadKbps), max(h.MaxUp, m.UploadKbps)
	h.MinUptime, h.MaxUptime = min(h.MinUptime, m.UptimeBps), max(h.MaxUptime, m.UptimeBps)
	h.MinErrRate, h.MaxErrRate = min(h.MinErrRate, m.ErrorRateBps), max(h.MaxErrRate, m.ErrorRateBps)
}

// honest is a validator's measurement of a unit: the unit's quality in the
// window's "day" (100 windows) with ±5 % of noise per validator.
func honest(voted int64, window, unit uint64, validator []byte) types.Measurement {
	q := hashOf(int64(window/100), u64(unit))
	noise := hashOf(voted, u64(unit), validator)
	jitter := func(v uint64, i int) uint64 { // ±5 %
		return v*uint64(95+noise[i]%11)/100 + 1
	}
	var lat, down, up, uptime, errs uint64
	switch q[0] % 4 {
	case 0: // excellent
		lat, down, up, uptime, errs = 10+uint64(q[1]%30), 200_000+uint64(q[2])*3000, 100_000+uint64(q[3])*2000, 9_990+uint64(q[4]%11), uint64(q[5]%3)
	case 1: // fair
		lat, down, up, uptime, errs = 40+uint64(q[1]%100), 50_000+uint64(q[2])*500, 20_000+uint64(q[3])*300, 9_900+uint64(q[4]%100), uint64(q[5]%50)
	case 2: // poor
		lat, down, up, uptime, errs = 200+uint64(q[1])*3, 1_000+uint64(q[2])*100, 500+uint64(q[3])*50, 9_000+uint64(q[4])*3, 50+uint64(q[5])*2
	default: // down most of the time
		lat, down, up, uptime, errs = 1_000+uint64(q[1])*20, uint64(q[2]), uint64(q[3]), uint64(q[4])*20, 5_000+uint64(q[5])*19
	}
	return types.Measurement{
		UnitId: unit, LatencyMs: uint32(jitter(lat, 0)), DownloadKbps: jitter(down, 1), UploadKbps: jitter(up, 2),
		UptimeBps: uint32(min(jitter(uptime, 3), types.MaxBasisPoints)), ErrorRateBps: uint32(min(jitter(errs, 4), types.MaxBasisPoints)),
	}
}

// extreme is a Byzantine validator's attempt to drag a median: every metric
// at one end of its range.
func extreme(voted int64, unit uint64, validator []byte) types.Measurement {
	if hashOf(voted, u64(unit), validator, []byte("x"))[0]%2 == 0 {
		return types.Measurement{UnitId: unit, LatencyMs: math.MaxUint32, UptimeBps: 0, ErrorRateBps: types.MaxBasisPoints}
	}
	return types.Measurement{UnitId: unit, LatencyMs: 0, DownloadKbps: math.MaxUint64, UploadKbps: math.MaxUint64, UptimeBps: types.MaxBasisPoints}
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func hashOf(height int64, parts ...[]byte) []byte {
	h := sha256.New()
	h.Write(u64(uint64(height)))
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}
