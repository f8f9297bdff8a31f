package keeper_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/keeper"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

func x25519Public(t *testing.T) []byte {
	t.Helper()
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	require.NoError(t, err)
	return k.PublicKey().Bytes()
}

// smallOrderKeys are X25519 public keys of small order (RFC 7748's list):
// the agreement with any private key is the zero point, so credentials
// derived with them would be computable by anyone.
var smallOrderKeys = [][]byte{
	make([]byte, 32),
	append([]byte{1}, make([]byte, 31)...),
	{0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a,
		0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00},
}

func TestSetAccessKey(t *testing.T) {
	s := newSuite(t)
	s.registerProvider(s.provider)
	s.registerConsumer(s.consumer)
	pub := x25519Public(t)

	res := s.ctx()
	_, err := s.msgs.SetAccessKey(res, &types.MsgSetAccessKey{Owner: s.consumer.String(), PublicKey: pub})
	require.NoError(t, err)
	got, err := s.queries.AccessKey(s.ctx(), &types.QueryAccessKeyRequest{Address: s.consumer.String()})
	require.NoError(t, err)
	require.Equal(t, pub, got.AccessKey.PublicKey)
	require.Equal(t, s.consumer.String(), got.AccessKey.Address)
	require.Equal(t, s.app.Time, got.AccessKey.UpdatedAt)
	events := typedEvents[*types.EventAccessKeySet](res.EventManager().ABCIEvents())
	require.Len(t, events, 1)
	require.Equal(t, pub, events[0].PublicKey)

	// A provider publishes its node's key; replacing works.
	_, err = s.msgs.SetAccessKey(s.ctx(), &types.MsgSetAccessKey{Owner: s.provider.String(), PublicKey: x25519Public(t)})
	require.NoError(t, err)
	second := x25519Public(t)
	_, err = s.msgs.SetAccessKey(s.ctx(), &types.MsgSetAccessKey{Owner: s.provider.String(), PublicKey: second})
	require.NoError(t, err)
	got, err = s.queries.AccessKey(s.ctx(), &types.QueryAccessKeyRequest{Address: s.provider.String()})
	require.NoError(t, err)
	require.Equal(t, second, got.AccessKey.PublicKey)

	// An empty key removes it; the query then says not found.
	_, err = s.msgs.SetAccessKey(s.ctx(), &types.MsgSetAccessKey{Owner: s.consumer.String()})
	require.NoError(t, err)
	_, err = s.queries.AccessKey(s.ctx(), &types.QueryAccessKeyRequest{Address: s.consumer.String()})
	require.Equal(t, codes.NotFound, status.Code(err))
}

func TestSetAccessKeyRejects(t *testing.T) {
	s := newSuite(t)
	s.registerConsumer(s.consumer)
	cases := map[string]struct {
		msg  *types.MsgSetAccessKey
		want error
	}{
		"unregistered signer": {&types.MsgSetAccessKey{Owner: s.stranger.String(), PublicKey: x25519Public(t)}, types.ErrUnauthorized},
		"bad owner address":   {&types.MsgSetAccessKey{Owner: "flash1nope", PublicKey: x25519Public(t)}, sdkerrors.ErrInvalidAddress},
		"short key":           {&types.MsgSetAccessKey{Owner: s.consumer.String(), PublicKey: bytes.Repeat([]byte{7}, 31)}, types.ErrInvalidAccessKey},
		"long key":            {&types.MsgSetAccessKey{Owner: s.consumer.String(), PublicKey: bytes.Repeat([]byte{7}, 33)}, types.ErrInvalidAccessKey},
		"nothing to remove":   {&types.MsgSetAccessKey{Owner: s.consumer.String()}, types.ErrAccessKeyNotFound},
		"small-order key (0)": {&types.MsgSetAccessKey{Owner: s.consumer.String(), PublicKey: smallOrderKeys[0]}, types.ErrInvalidAccessKey},
		"small-order key (1)": {&types.MsgSetAccessKey{Owner: s.consumer.String(), PublicKey: smallOrderKeys[1]}, types.ErrInvalidAccessKey},
		"small-order key (8)": {&types.MsgSetAccessKey{Owner: s.consumer.String(), PublicKey: smallOrderKeys[2]}, types.ErrInvalidAccessKey},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s.requireErrUnchanged(tc.want, func() error {
				return s.deliver(tc.msg)
			})
		})
	}
	_, err := s.queries.AccessKey(s.ctx(), &types.QueryAccessKeyRequest{Address: "flash1nope"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = s.queries.AccessKey(s.ctx(), &types.QueryAccessKeyRequest{Address: s.stranger.String()})
	require.Equal(t, codes.NotFound, status.Code(err))
}

func TestAccessKeysGenesis(t *testing.T) {
	s := newSuite(t)
	s.registerConsumer(s.consumer)
	pub := x25519Public(t)
	_, err := s.msgs.SetAccessKey(s.ctx(), &types.MsgSetAccessKey{Owner: s.consumer.String(), PublicKey: pub})
	require.NoError(t, err)
	gs, err := s.app.OrchestratorKeeper.ExportGenesis(s.ctx())
	require.NoError(t, err)
	require.Len(t, gs.AccessKeys, 1)
	require.NoError(t, gs.Validate())

	bad := *gs
	bad.AccessKeys = append([]types.AccessKey(nil), gs.AccessKeys...)
	bad.AccessKeys[0].PublicKey = smallOrderKeys[2]
	require.ErrorIs(t, bad.Validate(), types.ErrInvalidGenesis)
	bad.AccessKeys = append(gs.AccessKeys, gs.AccessKeys[0])
	require.ErrorContains(t, bad.Validate(), "listed twice")
	bad.AccessKeys = []types.AccessKey{{Address: s.stranger.String(), PublicKey: pub, UpdatedAt: s.app.Time}}
	require.ErrorContains(t, bad.Validate(), "neither a provider nor a consumer")

	// Imported into a fresh app, the key reads back.
	fresh := newSuite(t)
	require.NoError(t, fresh.app.OrchestratorKeeper.InitGenesis(fresh.ctx(), *gs))
	got, err := keeper.NewQueryServerImpl(fresh.app.OrchestratorKeeper).AccessKey(fresh.ctx(), &types.QueryAccessKeyRequest{Address: s.consumer.String()})
	require.NoError(t, err)
	require.Equal(t, pub, got.AccessKey.PublicKey)
}

// TestExitedProviderLosesItsAccessKey: when a provider's exit completes, its
// access key goes with it (EventAccessKeySet, removed), unless the address is
// also a consumer; the export then passes genesis validation. The key used
// to stay behind, and the exported genesis of any chain where a provider
// with a key had exited failed its own validation, so it could not be
// imported. Found by the import/export simulation.
func TestExitedProviderLosesItsAccessKey(t *testing.T) {
	s := newSuite(t)
	s.registerProvider(s.provider)
	s.registerProvider(s.provider2)
	s.registerConsumer(s.provider2) // a provider that also buys storage
	for _, p := range []string{s.provider.String(), s.provider2.String()} {
		_, err := s.msgs.SetAccessKey(s.ctx(), &types.MsgSetAccessKey{Owner: p, PublicKey: x25519Public(t)})
		require.NoError(t, err)
		_, err = s.msgs.BeginProviderExit(s.ctx(), &types.MsgBeginProviderExit{Owner: p})
		require.NoError(t, err)
	}
	s.advance(s.params().ProviderUnbondingPeriod + time.Second)

	has, err := s.app.OrchestratorKeeper.AccessKeys.Has(s.ctx(), s.provider)
	require.NoError(t, err)
	require.False(t, has, "an exited provider keeps no access key")
	has, err = s.app.OrchestratorKeeper.AccessKeys.Has(s.ctx(), s.provider2)
	require.NoError(t, err)
	require.True(t, has, "a consumer keeps its key after its provider exit")

	gs, err := s.app.OrchestratorKeeper.ExportGenesis(s.ctx())
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
}
