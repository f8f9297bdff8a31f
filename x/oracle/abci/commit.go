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

// validateCommit checks an extended commit carried in a proposal for
// `height`, without reading any application state but the validators' keys:
//   - it matches the block's last commit vote by vote: same validators, same
//     powers, same order, same flags. Nothing may be dropped: a proposer that
//     turned a vote with a valid extension into an absent one would shift the
//     medians or push the reporting power under 2/3 and erase a window;
//   - absent and nil votes carry no extension;
//   - every commit vote's extension signature verifies and those votes hold
//     more than 2/3 of the power (verifyExtensionSignatures, the checks of
//     baseapp.ValidateVoteExtensions with the signatures batched).
//
// An extension that fails the structural checks of VerifyVoteExtension does
// not make the commit invalid: it stays in the block with its signature, so
// that every validator can check it, and it is read as invalid (ignored by
// the aggregation). It returns the reading of every vote.
func validateCommit(ctx sdk.Context, valStore baseapp.ValidatorStore, commit abci.ExtendedCommitInfo, height int64) ([]types.VoteReading, error) {
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
	return types.ReadExtensions(commit, height-1), nil
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
		if got != expected {
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
