package abci

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

func TestVerifiedPayloadHandsOverOnlyTheSameBlock(t *testing.T) {
	payload := []byte{0x0a, 1, 2, 3}
	commit := abci.ExtendedCommitInfo{Round: 2}
	exts := []types.VoteReading{{Ext: &types.VoteExtension{Height: 9}}, {Invalid: true}}

	v := NewVerifiedPayload()
	v.remember(10, payload, commit, exts)
	_, _, ok := v.take(11, payload)
	require.False(t, ok, "another height")

	v.remember(10, payload, commit, exts)
	other := append(append([]byte{}, payload[:len(payload)-1]...), 4)
	_, _, ok = v.take(10, other)
	require.False(t, ok, "other bytes")

	v.remember(10, payload, commit, exts)
	gotCommit, gotExts, ok := v.take(10, payload)
	require.True(t, ok)
	require.Equal(t, commit, gotCommit)
	require.Equal(t, exts, gotExts)
	_, _, ok = v.take(10, payload)
	require.False(t, ok, "a payload is handed over once")

	var none *VerifiedPayload
	none.remember(10, payload, commit, exts)
	_, _, ok = none.take(10, payload)
	require.False(t, ok, "no hand-over configured")
}
