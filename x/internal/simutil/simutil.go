// Package simutil holds what the simulations of the three Flashback modules
// share: bounded fees, random text and values that pass the modules'
// stateless checks, and a bounded random walk over a collection.
package simutil

import (
	"context"
	"fmt"
	"math/big"
	"math/rand"
	"time"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// CapFees keeps the random transaction fee of a simulated message under 1 %
// of what the signer has left. The SDK's delivery draws the fee uniformly
// from the signer's whole remaining balance, so without a cap every
// transaction halves an account on average and the marketplace's providers
// and consumers are broke after a few dozen messages: deals would never get
// past their first states. Call it after the message's own amounts were
// taken with BlockAmount.
func CapFees(acc *simsx.SimAccount) {
	bal := acc.LiquidBalance()
	for _, c := range bal.Coins {
		keep := c.Amount.QuoRaw(100)
		bal.BlockAmount(sdk.NewCoin(c.Denom, c.Amount.Sub(keep)))
	}
}

// Spend reserves amount from the account's liquid balance for the message
// and caps the fee; false when the account cannot pay amount.
func Spend(acc *simsx.SimAccount, amount sdk.Coin) bool {
	if !amount.Amount.IsNil() && amount.IsPositive() && !acc.LiquidBalance().BlockAmount(amount) {
		return false
	}
	CapFees(acc)
	return true
}

// Balance is the account's liquid balance in denom.
func Balance(acc *simsx.SimAccount, denom string) sdkmath.Int {
	return acc.LiquidBalance().AmountOf(denom)
}

// IntBetween returns a uniform integer in [lo, hi] (lo when hi ≤ lo).
func IntBetween(r *rand.Rand, lo, hi sdkmath.Int) sdkmath.Int {
	if !hi.GT(lo) {
		return lo
	}
	span := hi.Sub(lo).AddRaw(1)
	return lo.Add(sdkmath.NewIntFromBigInt(new(big.Int).Rand(r, span.BigInt())))
}

// Uint64Between returns a uniform integer in [lo, hi] (lo when hi ≤ lo).
func Uint64Between(r *rand.Rand, lo, hi uint64) uint64 {
	if hi <= lo {
		return lo
	}
	span := hi - lo + 1
	if span == 0 { // the whole uint64 range
		return r.Uint64()
	}
	return lo + r.Uint64()%span
}

// DurationBetween returns a whole number of seconds in [lo, hi].
func DurationBetween(r *rand.Rand, lo, hi time.Duration) time.Duration {
	l, h := int64(lo/time.Second), int64(hi/time.Second)
	if lo%time.Second != 0 {
		l++
	}
	if h <= l {
		return time.Duration(l) * time.Second
	}
	return time.Duration(l+r.Int63n(h-l+1)) * time.Second
}

const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.é"

// Text returns printable text of 1..max runes (never blank), mixing ASCII
// and a two-byte rune so that byte and rune lengths differ.
func Text(r *rand.Rand, max int) string {
	runes := []rune(letters)
	n := 1 + r.Intn(max)
	out := make([]rune, 0, n)
	for len(string(out)) < max && len(out) < n {
		out = append(out, runes[r.Intn(len(runes))])
	}
	if len(string(out)) > max {
		out = out[:len(out)-1]
	}
	out[0] = 'x' // never blank
	return string(out)
}

var countries = []string{"FR", "DE", "US", "JP", "BR", "NG", "IN", "AU", "CA", "SG"}

// Country returns an ISO 3166-1 alpha-2 code.
func Country(r *rand.Rand) string { return countries[r.Intn(len(countries))] }

var regions = []string{"eu-west", "eu-central", "us-east", "us-west-2", "ap-south", "sa-east", "af-1"}

// Region returns a region name the orchestrator accepts.
func Region(r *rand.Rand) string { return regions[r.Intn(len(regions))] }

// URL returns a plain http(s) URL with a host.
func URL(r *rand.Rand) string {
	scheme := "https"
	if r.Intn(4) == 0 {
		scheme = "http"
	}
	return fmt.Sprintf("%s://n%d.example.org:%d/s%d", scheme, r.Intn(1000), 1024+r.Intn(60000), r.Intn(100))
}

// Walk calls f on the entries of m from key start on, wrapping around
// once, and stops after budget entries or when f returns true. Started at a
// random key, it finds a random object with a property without reading the
// whole collection: the simulation must stay fast at tens of thousands of
// deals.
func Walk[K, V any](ctx context.Context, m collections.Map[K, V], start K, budget int, f func(K, V) bool) error {
	seen, stop := 0, false
	visit := func(rng *collections.Range[K]) error {
		return m.Walk(ctx, rng, func(k K, v V) (bool, error) {
			seen++
			stop = f(k, v)
			return stop || seen >= budget, nil
		})
	}
	if err := visit(new(collections.Range[K]).StartInclusive(start)); err != nil || stop || seen >= budget {
		return err
	}
	return visit(new(collections.Range[K]).EndExclusive(start))
}

// RandomID returns a uniform id in [1, next); 1 when next ≤ 1.
func RandomID(r *rand.Rand, next uint64) uint64 {
	if next <= 1 {
		return 1
	}
	return 1 + r.Uint64()%(next-1)
}

// RandomAddress returns 20 random bytes: a random starting point in a
// collection keyed by account address.
func RandomAddress(r *rand.Rand) sdk.AccAddress {
	b := make([]byte, 20)
	_, _ = r.Read(b)
	return b
}
