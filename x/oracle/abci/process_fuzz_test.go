package abci_test

import (
	"bytes"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"
)

// FuzzProcessProposal: a proposer's oracle payload is the one input from
// the network that every validator decodes and checks before voting on a
// block. Whatever extended commit it carries (any bytes that decode as
// one, put into the canonical payload), ProcessProposal answers without
// error, and it accepts no extension that its validator did not sign: an
// accepted commit carries exactly the extensions of the honest one.
func FuzzProcessProposal(f *testing.F) {
	h := newHarness(f, 1, 4, 1)
	h.block(0, h.emptyLocal())
	exts := make([][]byte, len(h.keys))
	for i := range exts {
		exts[i] = h.extensionForUnits(2, 1)
	}
	honest := h.commit(2, allCommit(len(h.keys)), exts)
	last := lastCommit(honest)
	a := h.apps[0]
	codec := h.codec()
	good, err := honest.Marshal()
	require.NoError(f, err)
	f.Add(good)
	require.Equal(f, abci.ResponseProcessProposal_ACCEPT, h.processProposal(0, [][]byte{h.payload(honest)}, last), "the honest payload is accepted")
	absent := honest
	absent.Votes = append([]abci.ExtendedVoteInfo(nil), honest.Votes...)
	absent.Votes[3].VoteExtension = []byte{0xff}
	bad, err := absent.Marshal()
	require.NoError(f, err)
	f.Add(bad)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, bz []byte) {
		var commit abci.ExtendedCommitInfo
		if commit.Unmarshal(bz) != nil {
			return
		}
		payload, err := codec.Encode(commit)
		if err != nil {
			return
		}
		res, err := a.ProcessProposal(&abci.RequestProcessProposal{
			Txs: [][]byte{payload}, ProposedLastCommit: last, Height: a.Height + 1, Time: a.Time.Add(time.Second),
			ProposerAddress: h.address(0), NextValidatorsHash: a.ValSet.Hash(),
		})
		require.NoError(t, err)
		if res.Status != abci.ResponseProcessProposal_ACCEPT {
			return
		}
		require.Len(t, commit.Votes, len(honest.Votes))
		for i, v := range commit.Votes {
			require.True(t, bytes.Equal(honest.Votes[i].VoteExtension, v.VoteExtension), "vote %d: an extension its validator never signed was accepted", i)
		}
	})
}
