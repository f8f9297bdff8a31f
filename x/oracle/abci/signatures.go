package abci

import (
	"bytes"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cryptoenc "github.com/cometbft/cometbft/crypto/encoding"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	protoio "github.com/cosmos/gogoproto/io"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// verifyExtensionSignatures checks what baseapp.ValidateVoteExtensions
// checks of an extended commit's votes — every commit vote carries an
// extension signature by its validator over CometBFT's canonical
// vote-extension bytes (height-1, the commit's round, the chain id), and those
// votes hold at least 2/3 + 1 of the power — with one difference: ed25519
// signatures (every CometBFT validator key by default) are verified as one
// batch with CometBFT's batch verifier, which accepts exactly the signatures
// its single verifier accepts (both follow ZIP-215) in about half the time.
// At 100 validators the signatures were 70 % of ProcessProposal.
//
// The vote order against the block's last commit is checked separately
// (matchLastCommit); so are the extensions' contents.
func verifyExtensionSignatures(ctx sdk.Context, valStore baseapp.ValidatorStore, commit abci.ExtendedCommitInfo) error {
	header := ctx.HeaderInfo()
	var (
		totalVP, sumVP int64
		batch          crypto.BatchVerifier
		batched        []int // indexes in commit.Votes of the signatures in batch
	)
	for i, vote := range commit.Votes {
		totalVP += vote.Validator.Power
		if vote.BlockIdFlag != cmtproto.BlockIDFlagCommit {
			continue
		}
		consAddr := sdk.ConsAddress(vote.Validator.Address)
		if len(vote.ExtensionSignature) == 0 {
			return fmt.Errorf("validator %X: empty vote extension signature at height %d", consAddr, header.Height)
		}
		pubKeyProto, err := valStore.GetPubKeyByConsAddr(ctx, consAddr)
		if err != nil {
			return fmt.Errorf("failed to get validator %X public key: %w", consAddr, err)
		}
		pubKey, err := cryptoenc.PubKeyFromProto(pubKeyProto)
		if err != nil {
			return fmt.Errorf("failed to convert validator %X public key: %w", consAddr, err)
		}
		signBytes, err := extensionSignBytes(vote.VoteExtension, header.Height-1, int64(commit.Round), header.ChainID)
		if err != nil {
			return err
		}
		if pubKey.Type() == ed25519.KeyType {
			if batch == nil {
				batch = ed25519.NewBatchVerifier()
			}
			if err := batch.Add(pubKey, signBytes, vote.ExtensionSignature); err != nil {
				return fmt.Errorf("failed to verify validator %X vote extension signature: %w", consAddr, err)
			}
			batched = append(batched, i)
		} else if !pubKey.VerifySignature(signBytes, vote.ExtensionSignature) {
			return fmt.Errorf("failed to verify validator %X vote extension signature", consAddr)
		}
		sumVP += vote.Validator.Power
	}
	if batch != nil {
		if ok, valid := batch.Verify(); !ok {
			for j, good := range valid {
				if !good {
					return fmt.Errorf("failed to verify validator %X vote extension signature",
						sdk.ConsAddress(commit.Votes[batched[j]].Validator.Address))
				}
			}
			return fmt.Errorf("failed to verify the vote extension signatures")
		}
	}
	if totalVP <= 0 {
		return fmt.Errorf("total voting power must be positive, got: %d", totalVP)
	}
	if required := totalVP*2/3 + 1; sumVP < required {
		return fmt.Errorf("insufficient cumulative voting power received to verify vote extensions; got: %d, expected: >=%d",
			sumVP, required)
	}
	return nil
}

// extensionSignBytes are the bytes a validator signs for its vote extension:
// CometBFT's length-delimited CanonicalVoteExtension.
func extensionSignBytes(ext []byte, height, round int64, chainID string) ([]byte, error) {
	var buf bytes.Buffer
	cve := cmtproto.CanonicalVoteExtension{Extension: ext, Height: height, Round: round, ChainId: chainID}
	if err := protoio.NewDelimitedWriter(&buf).WriteMsg(&cve); err != nil {
		return nil, fmt.Errorf("failed to encode CanonicalVoteExtension: %w", err)
	}
	return buf.Bytes(), nil
}
