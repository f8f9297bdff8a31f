package types

import (
	"bytes"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
)

// DecodeVoteExtension decodes bz as the vote extension of `height` and checks
// its structure. It is the one function both ExtendVote (on its own output)
// and VerifyVoteExtension use, and it depends on nothing but its arguments.
// An empty bz is valid and means "no measurements": it returns (nil, nil).
func DecodeVoteExtension(bz []byte, height int64) (*VoteExtension, error) {
	if len(bz) == 0 {
		return nil, nil
	}
	if len(bz) > MaxVoteExtensionBytes {
		return nil, fmt.Errorf("vote extension is %d bytes, the limit is %d", len(bz), MaxVoteExtensionBytes)
	}
	var ve VoteExtension
	if err := ve.Unmarshal(bz); err != nil {
		return nil, fmt.Errorf("undecodable vote extension: %w", err)
	}
	if err := ve.ValidateFor(height); err != nil {
		return nil, err
	}
	// Only the canonical encoding is valid: no unknown or repeated fields, so
	// that one set of measurements has exactly one signed form.
	canonical, err := ve.Marshal()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(canonical, bz) {
		return nil, fmt.Errorf("vote extension is not canonically encoded")
	}
	return &ve, nil
}

// ValidateFor checks a decoded extension against the height it extends.
func (ve VoteExtension) ValidateFor(height int64) error {
	if ve.Version != VoteExtensionVersion {
		return fmt.Errorf("vote extension version %d, want %d", ve.Version, VoteExtensionVersion)
	}
	if ve.Height != height {
		return fmt.Errorf("vote extension is for height %d, not %d", ve.Height, height)
	}
	if len(ve.Measurements) > MaxMeasurements {
		return fmt.Errorf("vote extension has %d measurements, the limit is %d", len(ve.Measurements), MaxMeasurements)
	}
	var prev uint64
	for i, m := range ve.Measurements {
		if m.UnitId == 0 {
			return fmt.Errorf("measurement %d has unit id 0", i)
		}
		if i > 0 && m.UnitId <= prev {
			return fmt.Errorf("measurements must be sorted by unit id without duplicates (unit %d after %d)", m.UnitId, prev)
		}
		prev = m.UnitId
		if m.UptimeBps > MaxBasisPoints || m.ErrorRateBps > MaxBasisPoints {
			return fmt.Errorf("unit %d: uptime and error rate are basis points in [0, %d]", m.UnitId, MaxBasisPoints)
		}
	}
	return nil
}

// EncodeVoteExtension builds and encodes an extension, and checks it with
// DecodeVoteExtension exactly as the other validators will.
func EncodeVoteExtension(height int64, window uint64, ms []Measurement) ([]byte, error) {
	ve := VoteExtension{Version: VoteExtensionVersion, Height: height, Window: window, Measurements: ms}
	bz, err := ve.Marshal()
	if err != nil {
		return nil, err
	}
	if _, err := DecodeVoteExtension(bz, height); err != nil {
		return nil, err
	}
	return bz, nil
}

// VoteReading is one vote of an extended commit, as every node reads it: Ext
// is the decoded extension (nil when the vote is not a commit vote or its
// extension is empty), and Invalid marks a commit vote whose extension fails
// DecodeVoteExtension. An invalid extension stays in the block with its
// signature, so that every validator can see why it was ignored; it counts as
// a missed window.
type VoteReading struct {
	Ext     *VoteExtension
	Invalid bool
}

// ReadExtensions reads every vote of commit as the extensions of
// votedHeight, vote by vote.
func ReadExtensions(commit abci.ExtendedCommitInfo, votedHeight int64) []VoteReading {
	out := make([]VoteReading, len(commit.Votes))
	for i, v := range commit.Votes {
		if v.BlockIdFlag != cmtproto.BlockIDFlagCommit {
			continue
		}
		ext, err := DecodeVoteExtension(v.VoteExtension, votedHeight)
		out[i] = VoteReading{Ext: ext, Invalid: err != nil}
	}
	return out
}
