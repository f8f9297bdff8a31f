package abci_test

import (
	"bytes"
	"fmt"
	"sort"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/libs/protoio"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/apptest"
	oracleabci "github.com/flashbacknetwork/flashbackd/x/oracle/abci"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchkeeper "github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	orchtypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// harness runs identical flashbackd apps (one per simulated node) with a
// fixed validator set whose consensus keys it holds, so that it can sign
// vote extensions exactly as CometBFT does and drive blocks through
// PrepareProposal, ProcessProposal, FinalizeBlock and Commit.
type harness struct {
	t    testing.TB
	keys []ed25519.PrivKey // sorted like the commit's votes
	apps []*apptest.TestApp
	// units are the data units registered in every app.
	units []uint64
	// skipProcess marks nodes that finalize blocks without having run
	// ProcessProposal on them, as a node catching up in block sync does.
	skipProcess map[int]bool
	// events are node 0's FinalizeBlock events, every block so far.
	events []abci.Event
}

const (
	enableHeight = 2
	windowBlocks = 2
)

var provider = sdk.AccAddress(secp256k1.GenPrivKeyFromSecret([]byte("harness-provider")).PubKey().Address())

func newHarness(t testing.TB, nodes, validators, units int, mutate ...func(*oracletypes.Params)) *harness {
	t.Helper()
	h := &harness{t: t}
	for i := 0; i < validators; i++ {
		h.keys = append(h.keys, ed25519.GenPrivKeyFromSecret([]byte(fmt.Sprintf("validator-%d", i))))
	}
	// Commit order: power descending (all 1), then address ascending.
	sort.Slice(h.keys, func(i, j int) bool {
		return bytes.Compare(h.keys[i].PubKey().Address(), h.keys[j].PubKey().Address()) < 0
	})
	cmtKeys := make([]cmtcrypto.PrivKey, len(h.keys))
	for i, k := range h.keys {
		cmtKeys[i] = k
	}
	for n := 0; n < nodes; n++ {
		a := apptest.Setup(t, apptest.Options{
			ValidatorKeys:              cmtKeys,
			VoteExtensionsEnableHeight: enableHeight,
			Accounts:                   []sdk.AccAddress{provider},
			Balance:                    sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000_000_000_000)),
			Mutate: func(g app.GenesisState) {
				gs := oracletypes.DefaultGenesis()
				gs.Params.WindowBlocks = windowBlocks
				for _, m := range mutate {
					m(&gs.Params)
				}
				g[oracletypes.ModuleName] = app.MakeEncodingConfig().Codec.MustMarshalJSON(gs)
			},
		})
		// Identical writes in every app: a provider with `units` data units.
		msgs := orchkeeper.NewMsgServerImpl(a.OrchestratorKeeper)
		ctx := a.Ctx()
		_, err := msgs.RegisterProvider(ctx, &orchtypes.MsgRegisterProvider{
			Owner: provider.String(), Name: "p", Bond: sdk.NewInt64Coin(app.BondDenom, 1_000_000_000),
		})
		require.NoError(t, err)
		var ids []uint64
		for u := 0; u < units; u++ {
			res, err := msgs.CreateDataUnit(ctx, &orchtypes.MsgCreateDataUnit{
				Provider: provider.String(), CapacityGb: 100, PricePerGbMonth: sdkmath.NewInt(1000),
				Region: "eu-west", Country: "FR", Api: orchtypes.API_COMPATIBILITY_S3, Endpoint: "http://127.0.0.1:1/u",
				Sla: orchtypes.Sla{MaxLatencyMs: 100},
			})
			require.NoError(t, err)
			ids = append(ids, res.UnitId)
		}
		h.units = ids
		h.apps = append(h.apps, a)
	}
	return h
}

func (h *harness) height() int64 { return h.apps[0].Height }

func (h *harness) address(i int) []byte { return h.keys[i].PubKey().Address() }

// sign signs a vote extension for `height` as validator i would.
func (h *harness) sign(i int, height int64, round int32, ext []byte) []byte {
	cve := cmtproto.CanonicalVoteExtension{Extension: ext, Height: height, Round: int64(round), ChainId: apptest.ChainID}
	var buf bytes.Buffer
	_, err := protoio.NewDelimitedWriter(&buf).WriteMsg(&cve)
	require.NoError(h.t, err)
	sig, err := h.keys[i].Sign(buf.Bytes())
	require.NoError(h.t, err)
	return sig
}

// commit builds the extended commit of `height` in which validator i voted
// with flags[i] and (for commit votes) extension exts[i].
func (h *harness) commit(height int64, flags []cmtproto.BlockIDFlag, exts [][]byte) abci.ExtendedCommitInfo {
	c := abci.ExtendedCommitInfo{Round: 0}
	for i := range h.keys {
		v := abci.ExtendedVoteInfo{Validator: abci.Validator{Address: h.address(i), Power: 1}, BlockIdFlag: flags[i]}
		if flags[i] == cmtproto.BlockIDFlagCommit {
			v.VoteExtension = exts[i]
			v.ExtensionSignature = h.sign(i, height, 0, exts[i])
		}
		c.Votes = append(c.Votes, v)
	}
	return c
}

func allCommit(n int) []cmtproto.BlockIDFlag {
	flags := make([]cmtproto.BlockIDFlag, n)
	for i := range flags {
		flags[i] = cmtproto.BlockIDFlagCommit
	}
	return flags
}

// lastCommit is the block's last commit as CometBFT passes it to the app.
func lastCommit(c abci.ExtendedCommitInfo) abci.CommitInfo {
	out := abci.CommitInfo{Round: c.Round}
	for _, v := range c.Votes {
		out.Votes = append(out.Votes, abci.VoteInfo{Validator: v.Validator, BlockIdFlag: v.BlockIdFlag})
	}
	return out
}

// extensionFor builds validator i's extension for `height`: at a window end
// it reports every assigned unit with latency = base + i.
func (h *harness) extensionFor(i int, height int64, base uint32) []byte {
	// The extension of `height` reports the window that ends at `height`;
	// the harness builds it after that block, when the window has already
	// rotated, so look it up among the kept assignments.
	var a oracletypes.Assignment
	found := false
	err := h.apps[0].OracleKeeper.Assignments.Walk(h.apps[0].Ctx(), nil, func(_ uint64, as oracletypes.Assignment) (bool, error) {
		if as.EndHeight == height {
			a, found = as, true
		}
		return found, nil
	})
	require.NoError(h.t, err)
	if !found || len(a.Units) == 0 {
		return nil
	}
	var ms []oracletypes.Measurement
	for _, u := range a.Units {
		ms = append(ms, oracletypes.Measurement{
			UnitId: u.UnitId, LatencyMs: base + uint32(i), DownloadKbps: 80_000 + uint64(i), UploadKbps: 40_000,
			UptimeBps: 10_000 - uint32(i), ErrorRateBps: uint32(i),
		})
	}
	bz, err := oracletypes.EncodeVoteExtension(height, a.Window, ms)
	require.NoError(h.t, err)
	return bz
}

// processProposal asks node n to process txs as the proposal of the next
// height with the given last commit.
func (h *harness) processProposal(n int, txs [][]byte, last abci.CommitInfo) abci.ResponseProcessProposal_ProposalStatus {
	a := h.apps[n]
	res, err := a.ProcessProposal(&abci.RequestProcessProposal{
		Txs: txs, ProposedLastCommit: last, Height: a.Height + 1, Time: a.Time.Add(time.Second),
		ProposerAddress: h.address(0), NextValidatorsHash: a.ValSet.Hash(),
	})
	require.NoError(h.t, err)
	return res.Status
}

// prepareProposal asks node n, as proposer, to build the next block.
func (h *harness) prepareProposal(n int, local abci.ExtendedCommitInfo) [][]byte {
	a := h.apps[n]
	res, err := a.PrepareProposal(&abci.RequestPrepareProposal{
		MaxTxBytes: 4 << 20, LocalLastCommit: local, Height: a.Height + 1, Time: a.Time.Add(time.Second),
		ProposerAddress: h.address(n % len(h.keys)), NextValidatorsHash: a.ValSet.Hash(),
	})
	require.NoError(h.t, err)
	return res.Txs
}

// block runs the next height on every node: node `proposer` prepares the
// block from `local`; every node must accept it; every node finalizes and
// commits it. It returns the app hashes.
func (h *harness) block(proposer int, local abci.ExtendedCommitInfo) [][]byte {
	txs := h.prepareProposal(proposer, local)
	last := lastCommit(local)
	var hashes [][]byte
	for n, a := range h.apps {
		if h.skipProcess[n] {
			continue
		}
		require.Equal(h.t, abci.ResponseProcessProposal_ACCEPT, h.processProposal(n, txs, last), "node %d rejected height %d", n, a.Height+1)
	}
	for n, a := range h.apps {
		res, err := a.FinalizeBlock(&abci.RequestFinalizeBlock{
			Txs: txs, DecidedLastCommit: last, Height: a.Height + 1, Time: a.Time.Add(time.Second),
			ProposerAddress: h.address(proposer % len(h.keys)), NextValidatorsHash: a.ValSet.Hash(),
		})
		require.NoError(h.t, err)
		if n == 0 {
			h.events = append(h.events, res.Events...)
		}
		_, err = a.Commit()
		require.NoError(h.t, err)
		a.Height++
		a.Time = a.Time.Add(time.Second)
		hashes = append(hashes, res.AppHash)
	}
	return hashes
}

// emptyLocal is the local extended commit when extensions are not yet due.
func (h *harness) emptyLocal() abci.ExtendedCommitInfo {
	c := abci.ExtendedCommitInfo{}
	for i := range h.keys {
		c.Votes = append(c.Votes, abci.ExtendedVoteInfo{Validator: abci.Validator{Address: h.address(i), Power: 1}, BlockIdFlag: cmtproto.BlockIDFlagCommit})
	}
	return c
}

// extensionForUnits encodes a valid extension for `height` reporting units 1..n.
func (h *harness) extensionForUnits(height int64, n int) []byte {
	var ms []oracletypes.Measurement
	for u := 1; u <= n; u++ {
		ms = append(ms, oracletypes.Measurement{UnitId: uint64(u), LatencyMs: 20, UptimeBps: 10_000})
	}
	bz, err := oracletypes.EncodeVoteExtension(height, 0, ms)
	require.NoError(h.t, err)
	return bz
}

// codec is the payload codec of the harness's apps.
func (h *harness) codec() oracleabci.PayloadCodec {
	return oracleabci.NewPayloadCodec(h.apps[0].TxConfig())
}

// payload encodes c as the payload transaction.
func (h *harness) payload(c abci.ExtendedCommitInfo) []byte {
	bz, err := h.codec().Encode(c)
	require.NoError(h.t, err)
	return bz
}

// decode reads the payload transaction of a block whose last commit has as
// many votes as the harness has validators.
func (h *harness) decode(tx []byte) abci.ExtendedCommitInfo {
	c, err := h.codec().Decode(tx, len(h.keys))
	require.NoError(h.t, err)
	return c
}

// injectedTx encodes an unsigned transaction of msgs, as a proposer could
// write one by hand.
func (h *harness) injectedTx(msgs ...sdk.Msg) []byte {
	b := h.apps[0].TxConfig().NewTxBuilder()
	require.NoError(h.t, b.SetMsgs(msgs...))
	bz, err := h.apps[0].TxConfig().TxEncoder()(b.GetTx())
	require.NoError(h.t, err)
	return bz
}

// nonCanonicalPayload is c's payload with a memo added: the same message in
// another form.
func (h *harness) nonCanonicalPayload(c abci.ExtendedCommitInfo) []byte {
	bz, err := c.Marshal()
	require.NoError(h.t, err)
	b := h.apps[0].TxConfig().NewTxBuilder()
	require.NoError(h.t, b.SetMsgs(&oracletypes.MsgInjectVoteExtensions{ExtendedCommit: bz}))
	b.SetMemo("hello")
	tx, err := h.apps[0].TxConfig().TxEncoder()(b.GetTx())
	require.NoError(h.t, err)
	return tx
}
