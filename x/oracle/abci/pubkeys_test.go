package abci

import (
	"context"
	"errors"
	"testing"

	cmtprotocrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// countingStore is a validator store with one known validator.
type countingStore struct {
	addr  sdk.ConsAddress
	key   cmtprotocrypto.PublicKey
	calls int
}

func (s *countingStore) GetPubKeyByConsAddr(_ context.Context, addr sdk.ConsAddress) (cmtprotocrypto.PublicKey, error) {
	s.calls++
	if !addr.Equals(s.addr) {
		return cmtprotocrypto.PublicKey{}, errors.New("validator does not exist")
	}
	return s.key, nil
}

func TestPubKeyCacheReadsEachValidatorOnce(t *testing.T) {
	store := &countingStore{
		addr: sdk.ConsAddress([]byte("validator-address-20")),
		key:  cmtprotocrypto.PublicKey{Sum: &cmtprotocrypto.PublicKey_Ed25519{Ed25519: make([]byte, 32)}},
	}
	cache := newPubKeyCache(store)
	for i := 0; i < 3; i++ {
		got, err := cache.GetPubKeyByConsAddr(context.Background(), store.addr)
		require.NoError(t, err)
		require.Equal(t, store.key, got)
	}
	require.Equal(t, 1, store.calls)

	// An unknown validator is an error every time, never cached.
	unknown := sdk.ConsAddress([]byte("unknown-address-0020"))
	for i := 0; i < 2; i++ {
		_, err := cache.GetPubKeyByConsAddr(context.Background(), unknown)
		require.Error(t, err)
	}
	require.Equal(t, 3, store.calls)
}
