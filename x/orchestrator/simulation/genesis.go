// Package simulation drives x/orchestrator in the SDK's simulation (simsx):
// a random genesis, a weighted operation for every message, and the
// governance proposals that change its params or certify parties.
package simulation

import (
	"crypto/ecdh"
	"fmt"
	"math/rand"
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/simutil"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// SlaEpoch is the x/epochs epoch the simulated genesis adds for SLA rounds.
const SlaEpoch = "flashback-sla"

const day = 24 * time.Hour

// RandomParams returns valid params in denom. The durations are short next
// to the defaults (the simulator's blocks are 1.4–2.8 h apart and runs last
// a few hundred blocks), so that request expiries, overdrafts, notices,
// maintenance windows and unbonding all come due within a run.
func RandomParams(r *rand.Rand, denom, certifier, epoch string) types.Params {
	p := types.DefaultParams()
	minBond := simutil.IntBetween(r, sdkmath.NewInt(1_000_000), sdkmath.NewInt(1_000_000_000))
	p.MinProviderBond = sdk.NewCoin(denom, minBond)
	p.ProviderUnbondingPeriod = simutil.DurationBetween(r, time.Hour, 10*day)
	p.PlatformFeeRate = sdkmath.LegacyNewDecWithPrec(int64(r.Intn(1000)), 4) // [0, 10 %)
	p.UnitSubmissionFee = sdk.NewCoin(denom, sdkmath.NewInt(r.Int63n(1_000_000)))
	p.Certifier = certifier
	p.MinPriorityFee = sdk.NewCoin(denom, sdkmath.NewInt(1+r.Int63n(100_000)))
	p.MaxUnitsPerProvider = uint32(1 + r.Intn(20))
	p.MinDealDuration = simutil.DurationBetween(r, time.Hour, day)
	p.MaxDealDuration = simutil.DurationBetween(r, p.MinDealDuration, 60*day)
	p.MinPrepaidPeriod = simutil.DurationBetween(r, time.Hour, 30*day)
	p.DealRequestTtl = simutil.DurationBetween(r, time.Hour, 3*day)
	p.OverdraftGracePeriod = simutil.DurationBetween(r, time.Second, 3*day)
	p.ConsumerCloseNotice = simutil.DurationBetween(r, time.Second, 2*day)
	p.ProviderCloseNotice = simutil.DurationBetween(r, time.Second, 7*day)
	p.ProviderClosePenaltyRate = sdkmath.LegacyNewDecWithPrec(int64(r.Intn(101)), 2)
	p.MaxMaintenanceDuration = simutil.DurationBetween(r, time.Hour, 3*day)
	p.MaxMaintenanceLead = simutil.DurationBetween(r, time.Hour, 10*day)
	// Small per-block caps make the queues and rounds carry work over blocks.
	p.MaxDuePerBlock = uint32(1 + r.Intn(50))
	p.SlaEpochIdentifier = epoch
	p.CriticalDowntimePerDay = simutil.DurationBetween(r, time.Minute, 6*time.Hour)
	p.ReferenceSla = RandomSla(r)
	p.ExceedMarginBps = uint32(r.Intn(5001))
	p.CriticalSlashRate = sdkmath.LegacyNewDecWithPrec(int64(r.Intn(51)), 2)
	p.SlashPoolShare = sdkmath.LegacyNewDecWithPrec(int64(r.Intn(101)), 2)
	p.CriticalTerminationCount = uint32(r.Intn(5))
	p.MaxVerdictsPerBlock = uint32(1 + r.Intn(50))
	p.VerdictRetentionEpochs = uint64(1 + r.Intn(20))
	p.PlatformFeePoolShare = sdkmath.LegacyNewDecWithPrec(int64(r.Intn(101)), 2)
	p.DueRetryDelay = simutil.DurationBetween(r, time.Second, time.Hour)
	p.MaxDueRetries = uint32(r.Intn(11))
	if err := p.Validate(); err != nil {
		panic(fmt.Errorf("random orchestrator params are invalid: %w", err))
	}
	return p
}

// RandomSla returns a valid SLA, from lenient to strict, so that the
// oracle's simulated QoS gives every verdict.
func RandomSla(r *rand.Rand) types.Sla {
	return types.Sla{
		MaxLatencyMs:    uint32(20 + r.Intn(400)),
		MinUploadKbps:   uint64(r.Intn(200_000)),
		MinDownloadKbps: uint64(r.Intn(400_000)),
		MinUptimeBps:    uint32(9_000 + r.Intn(1_001)),
		MaxErrorRateBps: uint32(r.Intn(500)),
	}
}

// RandomAccessKey returns a valid X25519 public key.
func RandomAccessKey(r *rand.Rand) []byte {
	seed := make([]byte, 32)
	_, _ = r.Read(seed)
	priv, err := ecdh.X25519().NewPrivateKey(seed)
	if err != nil {
		panic(err) // any 32 bytes are an X25519 private key
	}
	return priv.PublicKey().Bytes()
}

// RandomizedGenState writes a random x/orchestrator genesis: random params
// in the bond denom, an SLA epoch added to x/epochs' genesis (generated
// before this module's: the simulation manager sorts modules by name), a
// few providers with bonds, consumers, units and access keys, and the bonds'
// coins in the module account (x/bank's genesis, also generated before).
func RandomizedGenState(simState *module.SimulationState) {
	r := simState.Rand
	certifier := ""
	if r.Intn(3) > 0 {
		certifier = simState.Accounts[r.Intn(len(simState.Accounts))].Address.String()
	}
	addEpoch(simState, SlaEpoch, simutil.DurationBetween(r, 3*time.Hour, 2*day))
	params := RandomParams(r, simState.BondDenom, certifier, SlaEpoch)

	gs := types.DefaultGenesis()
	gs.Params = params
	bonds := sdkmath.ZeroInt()
	now := simState.GenTimestamp.Truncate(time.Second).UTC()
	perm := r.Perm(len(simState.Accounts))
	nProviders := min(len(perm)/4, 20)
	nConsumers := min(len(perm)/3, 30)
	for _, i := range perm[:nProviders] {
		addr := simState.Accounts[i].Address.String()
		bond := simutil.IntBetween(r, params.MinProviderBond.Amount, params.MinProviderBond.Amount.MulRaw(3))
		p := types.Provider{
			Address: addr, Name: simutil.Text(r, types.MaxNameLength), Country: simutil.Country(r),
			Bond: bond, Status: types.PROVIDER_STATUS_ACTIVE, RegisteredAt: now, Certified: r.Intn(3) == 0,
		}
		for u := 0; u < r.Intn(3) && uint32(u) < params.MaxUnitsPerProvider; u++ {
			gs.DataUnits = append(gs.DataUnits, types.DataUnit{
				Id: gs.NextUnitId, Provider: addr, CapacityGb: uint64(1 + r.Intn(10_000)),
				PricePerGbMonth: sdkmath.NewInt(1 + r.Int63n(100_000)), Region: simutil.Region(r),
				Country: simutil.Country(r), Api: types.ApiCompatibility(1 + r.Intn(5)), Endpoint: simutil.URL(r),
				Sla: RandomSla(r), State: types.DATA_UNIT_STATE_AVAILABLE, Reputation: 50, CreatedAt: now,
				PriorityFee: sdkmath.ZeroInt(),
			})
			gs.NextUnitId++
			p.LiveUnits++
		}
		bonds = bonds.Add(bond)
		gs.Providers = append(gs.Providers, p)
		if r.Intn(2) == 0 {
			gs.AccessKeys = append(gs.AccessKeys, types.AccessKey{Address: addr, PublicKey: RandomAccessKey(r), UpdatedAt: now})
		}
	}
	for _, i := range perm[nProviders : nProviders+nConsumers] {
		addr := simState.Accounts[i].Address.String()
		gs.Consumers = append(gs.Consumers, types.Consumer{
			Address: addr, Name: simutil.Text(r, types.MaxNameLength), Verified: r.Intn(4) == 0, RegisteredAt: now,
		})
	}
	if err := gs.Validate(); err != nil {
		panic(fmt.Errorf("random orchestrator genesis is invalid: %w", err))
	}
	FundModuleAccount(simState, types.ModuleName, sdk.NewCoin(params.Denom(), bonds))
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}

// addEpoch adds an epoch to x/epochs' genesis (which must be generated
// already); an identifier present already is kept as it is.
func addEpoch(simState *module.SimulationState, id string, d time.Duration) {
	var eg epochstypes.GenesisState
	simState.Cdc.MustUnmarshalJSON(simState.GenState[epochstypes.ModuleName], &eg)
	for _, e := range eg.Epochs {
		if e.Identifier == id {
			return
		}
	}
	eg.Epochs = append(eg.Epochs, epochstypes.NewGenesisEpochInfo(id, d))
	simState.GenState[epochstypes.ModuleName] = simState.Cdc.MustMarshalJSON(&eg)
}

// AddEpoch is addEpoch for the other Flashback modules' genesis.
func AddEpoch(simState *module.SimulationState, id string, d time.Duration) {
	addEpoch(simState, id, d)
}

// FundModuleAccount adds coins to a module account in x/bank's genesis and
// to the supply, so that a module's genesis books (bonds, a reward pool)
// are backed by coins.
func FundModuleAccount(simState *module.SimulationState, moduleName string, amount sdk.Coin) {
	if !amount.IsPositive() {
		return
	}
	var bg banktypes.GenesisState
	raw, ok := simState.GenState[banktypes.ModuleName]
	if !ok {
		panic("x/bank's genesis must be generated before the Flashback modules'")
	}
	simState.Cdc.MustUnmarshalJSON(raw, &bg)
	addr := authtypes.NewModuleAddress(moduleName).String()
	found := false
	for i := range bg.Balances {
		if bg.Balances[i].Address == addr {
			bg.Balances[i].Coins = bg.Balances[i].Coins.Add(amount)
			found = true
		}
	}
	if !found {
		bg.Balances = append(bg.Balances, banktypes.Balance{Address: addr, Coins: sdk.NewCoins(amount)})
	}
	bg.Supply = bg.Supply.Add(amount)
	simState.GenState[banktypes.ModuleName] = simState.Cdc.MustMarshalJSON(&bg)
}
