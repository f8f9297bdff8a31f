package abci

import (
	"context"
	"sync"

	cmtprotocrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// maxCachedPubKeys bounds the cache below; past it the cache starts over.
const maxCachedPubKeys = 4096

// pubKeyCache remembers validators' consensus public keys by consensus
// address. Reading one from x/staking decodes the whole validator record,
// about 10 µs, and every proposal checks a signature per validator.
//
// Caching cannot change a result: a consensus address is the hash of its
// public key, so the key found for an address is the only one it can ever
// have. (A validator's record is deleted only long after it left the
// validator set, so a vote in the last commit always finds its validator.)
type pubKeyCache struct {
	store baseapp.ValidatorStore

	mu   sync.Mutex
	keys map[string]cmtprotocrypto.PublicKey
}

func newPubKeyCache(store baseapp.ValidatorStore) *pubKeyCache {
	return &pubKeyCache{store: store, keys: make(map[string]cmtprotocrypto.PublicKey)}
}

// GetPubKeyByConsAddr implements baseapp.ValidatorStore.
func (c *pubKeyCache) GetPubKeyByConsAddr(ctx context.Context, addr sdk.ConsAddress) (cmtprotocrypto.PublicKey, error) {
	c.mu.Lock()
	pk, ok := c.keys[string(addr)]
	c.mu.Unlock()
	if ok {
		return pk, nil
	}
	pk, err := c.store.GetPubKeyByConsAddr(ctx, addr)
	if err != nil {
		return pk, err
	}
	c.mu.Lock()
	if len(c.keys) >= maxCachedPubKeys {
		c.keys = make(map[string]cmtprotocrypto.PublicKey)
	}
	c.keys[string(addr)] = pk
	c.mu.Unlock()
	return pk, nil
}
