package abci

import (
	"bytes"
	"fmt"
	"slices"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"cosmossdk.io/core/comet"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// pruneCommit returns a copy of the local extended commit in which every vote
// whose extension fails the structural checks is downgraded to absent, with
// its extension and signature removed. CometBFT only admits extensions that
// passed VerifyVoteExtension, so in practice this only removes a faulty own
// extension; it keeps the proposal valid whatever a validator signed.
func pruneCommit(commit abci.ExtendedCommitInfo, votedHeight int64) abci.ExtendedCommitInfo {
	out := abci.ExtendedCommitInfo{Round: commit.Round, Votes: make([]abci.ExtendedVoteInfo, len(commit.Votes))}
	for i, v := range commit.Votes {
		out.Votes[i] = v
		if v.BlockIdFlag != cmtproto.BlockIDFlagCommit {
			continue
		}
		if _, err := types.DecodeVoteExtension(v.VoteExtension, votedHeight); err != nil {
			out.Votes[i].BlockIdFlag = cmtproto.BlockIDFlagAbsent
			out.Votes[i].VoteExtension = nil
			out.Votes[i].ExtensionSignature = nil
		}
	}
	return out
}

// validateCommit checks an extended commit carried in a proposal for
// `height`, without reading any application state but the validators' keys:
//   - it matches the block's last commit vote by vote: same validators, same
//     powers, same order, same flags — except that a commit vote may have
//     been pruned to absent with no extension;
//   - absent and nil votes carry no extension;
//   - every extension signature verifies and the votes with extensions hold
//     more than 2/3 of the power (verifyExtensionSignatures, the checks of
//     baseapp.ValidateVoteExtensions with the signatures batched);
//   - every extension passes the structural checks of VerifyVoteExtension.
//
// It returns each vote's decoded extension (nil for votes without one).
func validateCommit(ctx sdk.Context, valStore baseapp.ValidatorStore, commit abci.ExtendedCommitInfo, height int64) ([]*types.VoteExtension, error) {
	last := ctx.CometInfo().GetLastCommit()
	if last == nil {
		return nil, fmt.Errorf("no last commit in the proposal context")
	}
	if err := matchLastCommit(commit, last); err != nil {
		return nil, err
	}
	if err := verifyExtensionSignatures(ctx, valStore, commit); err != nil {
		return nil, err
	}
	exts := make([]*types.VoteExtension, len(commit.Votes))
	for i, v := range commit.Votes {
		if v.BlockIdFlag != cmtproto.BlockIDFlagCommit {
			continue
		}
		ext, err := types.DecodeVoteExtension(v.VoteExtension, height-1)
		if err != nil {
			return nil, fmt.Errorf("validator %X: %w", v.Validator.Address, err)
		}
		exts[i] = ext
	}
	return exts, nil
}

func matchLastCommit(commit abci.ExtendedCommitInfo, last comet.CommitInfo) error {
	if commit.Round != last.Round() {
		return fmt.Errorf("extended commit round %d, last commit round %d", commit.Round, last.Round())
	}
	votes := last.Votes()
	if len(commit.Votes) != votes.Len() {
		return fmt.Errorf("extended commit has %d votes, the last commit %d", len(commit.Votes), votes.Len())
	}
	for i, v := range commit.Votes {
		want := votes.Get(i)
		if !bytes.Equal(v.Validator.Address, want.Validator().Address()) || v.Validator.Power != want.Validator().Power() {
			return fmt.Errorf("vote %d is not the last commit's (validator or power differ)", i)
		}
		got, expected := v.BlockIdFlag, cmtproto.BlockIDFlag(want.GetBlockIDFlag())
		pruned := expected == cmtproto.BlockIDFlagCommit && got == cmtproto.BlockIDFlagAbsent
		if got != expected && !pruned {
			return fmt.Errorf("vote %d has flag %s, the last commit says %s", i, got, expected)
		}
		if got != cmtproto.BlockIDFlagCommit && (len(v.VoteExtension) > 0 || len(v.ExtensionSignature) > 0) {
			return fmt.Errorf("vote %d is not a commit vote but carries an extension", i)
		}
	}
	if slices.ContainsFunc(commit.Votes, func(v abci.ExtendedVoteInfo) bool { return v.Validator.Power <= 0 }) {
		return fmt.Errorf("extended commit has a vote without power")
	}
	return nil
}
