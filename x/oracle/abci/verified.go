package abci

import (
	"bytes"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// VerifiedPayload hands the payload that ProcessProposal accepted, already
// decoded, to the PreBlocker of the same block, so that a window's end does
// not decode a hundred extensions twice. It holds one payload: the last one
// accepted. The PreBlocker uses it only when its block carries exactly those
// bytes at the same height; in any other case (block sync, a block this node
// did not process, a restart) it decodes the payload itself. Decoding is a
// pure function of the bytes, so both ways give the same result.
type VerifiedPayload struct {
	mu       sync.Mutex
	height   int64
	payload  []byte
	commit   abci.ExtendedCommitInfo
	readings []types.VoteReading
}

// NewVerifiedPayload returns an empty hand-over.
func NewVerifiedPayload() *VerifiedPayload { return &VerifiedPayload{} }

// remember records a payload ProcessProposal accepted at height.
func (v *VerifiedPayload) remember(height int64, payload []byte, commit abci.ExtendedCommitInfo, readings []types.VoteReading) {
	if v == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.height, v.payload, v.commit, v.readings = height, payload, commit, readings
}

// take returns the decoded payload if it is the one accepted at height, and
// forgets it either way.
func (v *VerifiedPayload) take(height int64, payload []byte) (abci.ExtendedCommitInfo, []types.VoteReading, bool) {
	if v == nil {
		return abci.ExtendedCommitInfo{}, nil, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	ok := v.payload != nil && v.height == height && bytes.Equal(v.payload, payload)
	commit, readings := v.commit, v.readings
	v.height, v.payload, v.commit, v.readings = 0, nil, abci.ExtendedCommitInfo{}, nil
	if !ok {
		return abci.ExtendedCommitInfo{}, nil, false
	}
	return commit, readings, true
}
