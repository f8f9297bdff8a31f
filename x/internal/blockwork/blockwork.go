// Package blockwork holds the two helpers every module's bounded per-block
// work uses: Run, which runs one item so that its failure changes nothing,
// and FirstKeys, which reads one bounded batch of keys from a collection.
package blockwork

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Run runs f on a cached copy of ctx and writes its state changes and events
// back only if f succeeds; a panic in f is returned as an error. A block
// hook runs each item through it so that one item's failure (a bug, or a
// state that blocks it) is reported and skipped: it can neither half-apply
// nor halt the chain.
func Run(ctx sdk.Context, f func(sdk.Context) error) (err error) {
	cacheCtx, write := ctx.CacheContext()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	if err = f(cacheCtx); err == nil {
		write()
	}
	return err
}

// keyIterator is what collections' Map and KeySet iterators have in common.
type keyIterator[K any] interface {
	Valid() bool
	Next()
	Key() (K, error)
	Close() error
}

// FirstKeys returns, in order, up to limit keys that iterate (a
// collections.Map's or KeySet's Iterate) yields over r: the batch a
// per-block step works on before it moves its cursor.
func FirstKeys[K any, I keyIterator[K]](ctx context.Context, iterate func(context.Context, collections.Ranger[K]) (I, error), r collections.Ranger[K], limit int) ([]K, error) {
	iter, err := iterate(ctx, r)
	if err != nil {
		return nil, err
	}
	defer iter.Close()
	var keys []K
	for ; iter.Valid() && len(keys) < limit; iter.Next() {
		key, err := iter.Key()
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}
