package simulation

import (
	"context"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/flashbacknetwork/flashbackd/x/internal/simutil"
	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

func (m market) registerProvider() simsx.SimMsgFactoryFn[*types.MsgRegisterProvider] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRegisterProvider) {
		params := m.params(ctx, reporter)
		minBond := params.MinProviderBond
		acc := testData.AnyAccountN(20, reporter, simsx.SimAccountFilterFn(func(a simsx.SimAccount) bool {
			return !m.isProvider(ctx, a.Address) && a.LiquidBalance().AmountOf(minBond.Denom).GTE(minBond.Amount.MulRaw(2))
		}))
		if reporter.IsSkipped() {
			return nil, nil
		}
		r := testData.Rand().Rand
		bond := sdk.NewCoin(minBond.Denom, simutil.IntBetween(r, minBond.Amount, simutil.Balance(&acc, minBond.Denom).QuoRaw(2)))
		if !simutil.Spend(&acc, bond) {
			reporter.Skip("cannot pay the bond")
			return nil, nil
		}
		msg := &types.MsgRegisterProvider{
			Owner: acc.AddressBech32, Name: simutil.Text(r, types.MaxNameLength), Country: simutil.Country(r), Bond: bond,
		}
		if r.Intn(2) == 0 {
			msg.Description, msg.Website = simutil.Text(r, types.MaxDescriptionLength), simutil.URL(r)
		}
		return []simsx.SimAccount{acc}, msg
	}
}

func (m market) updateProvider() simsx.SimMsgFactoryFn[*types.MsgUpdateProvider] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateProvider) {
		r := testData.Rand().Rand
		p, ok := m.provider(ctx, r, func(types.Provider) bool { return true })
		if !ok {
			reporter.Skip("no provider")
			return nil, nil
		}
		acc := account(testData, reporter, p.Address)
		simutil.CapFees(&acc)
		return []simsx.SimAccount{acc}, &types.MsgUpdateProvider{
			Owner: p.Address, Name: simutil.Text(r, types.MaxNameLength), Description: simutil.Text(r, 40),
			Website: simutil.URL(r), Country: simutil.Country(r),
		}
	}
}

func (m market) addProviderBond() simsx.SimMsgFactoryFn[*types.MsgAddProviderBond] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgAddProviderBond) {
		r := testData.Rand().Rand
		params := m.params(ctx, reporter)
		denom := params.Denom()
		p, ok := m.provider(ctx, r, func(p types.Provider) bool { return p.Status == types.PROVIDER_STATUS_ACTIVE })
		if !ok {
			reporter.Skip("no active provider")
			return nil, nil
		}
		acc := account(testData, reporter, p.Address)
		bal := simutil.Balance(&acc, denom)
		if !bal.IsPositive() {
			reporter.Skip("provider is broke")
			return nil, nil
		}
		amount := sdk.NewCoin(denom, simutil.IntBetween(r, bal.QuoRaw(100).AddRaw(1), bal.QuoRaw(2).AddRaw(1)))
		if !simutil.Spend(&acc, amount) {
			reporter.Skip("cannot pay")
			return nil, nil
		}
		return []simsx.SimAccount{acc}, &types.MsgAddProviderBond{Owner: p.Address, Amount: amount}
	}
}

func (m market) beginProviderExit() simsx.SimMsgFactoryFn[*types.MsgBeginProviderExit] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgBeginProviderExit) {
		p, ok := m.provider(ctx, testData.Rand().Rand, func(p types.Provider) bool {
			return p.Status == types.PROVIDER_STATUS_ACTIVE && p.LiveUnits == 0
		})
		if !ok {
			reporter.Skip("no provider without live units")
			return nil, nil
		}
		acc := account(testData, reporter, p.Address)
		simutil.CapFees(&acc)
		return []simsx.SimAccount{acc}, &types.MsgBeginProviderExit{Owner: p.Address}
	}
}

// certifier returns the certifier param's account, or skips: the
// governance path (proposals.go) covers chains without one.
func (m market) certifier(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) (simsx.SimAccount, bool) {
	params := m.params(ctx, reporter)
	if params.Certifier == "" || !testData.HasAccount(params.Certifier) {
		reporter.Skip("no certifier account")
		return simsx.SimAccount{}, false
	}
	acc := account(testData, reporter, params.Certifier)
	simutil.CapFees(&acc)
	return acc, true
}

func (m market) certifyProvider() simsx.SimMsgFactoryFn[*types.MsgCertifyProvider] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCertifyProvider) {
		p, ok := m.provider(ctx, testData.Rand().Rand, func(types.Provider) bool { return true })
		if !ok {
			reporter.Skip("no provider")
			return nil, nil
		}
		cert, ok := m.certifier(ctx, testData, reporter)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{cert}, &types.MsgCertifyProvider{Authority: cert.AddressBech32, Provider: p.Address, Certified: !p.Certified}
	}
}

func (m market) registerConsumer() simsx.SimMsgFactoryFn[*types.MsgRegisterConsumer] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRegisterConsumer) {
		acc := testData.AnyAccountN(20, reporter, simsx.SimAccountFilterFn(func(a simsx.SimAccount) bool {
			return !m.isConsumer(ctx, a.Address)
		}))
		if reporter.IsSkipped() {
			return nil, nil
		}
		simutil.CapFees(&acc)
		r := testData.Rand().Rand
		msg := &types.MsgRegisterConsumer{Owner: acc.AddressBech32}
		if r.Intn(2) == 0 {
			msg.Name, msg.Country = simutil.Text(r, types.MaxNameLength), simutil.Country(r)
		}
		return []simsx.SimAccount{acc}, msg
	}
}

func (m market) updateConsumer() simsx.SimMsgFactoryFn[*types.MsgUpdateConsumer] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateConsumer) {
		r := testData.Rand().Rand
		c, ok := m.consumer(ctx, r, func(types.Consumer) bool { return true })
		if !ok {
			reporter.Skip("no consumer")
			return nil, nil
		}
		acc := account(testData, reporter, c.Address)
		simutil.CapFees(&acc)
		return []simsx.SimAccount{acc}, &types.MsgUpdateConsumer{
			Owner: c.Address, Name: simutil.Text(r, types.MaxNameLength), Website: simutil.URL(r),
		}
	}
}

func (m market) verifyConsumer() simsx.SimMsgFactoryFn[*types.MsgVerifyConsumer] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgVerifyConsumer) {
		c, ok := m.consumer(ctx, testData.Rand().Rand, func(types.Consumer) bool { return true })
		if !ok {
			reporter.Skip("no consumer")
			return nil, nil
		}
		cert, ok := m.certifier(ctx, testData, reporter)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{cert}, &types.MsgVerifyConsumer{Authority: cert.AddressBech32, Consumer: c.Address, Verified: !c.Verified}
	}
}

// setAccessKey publishes, replaces or removes a registered party's key.
func (m market) setAccessKey() simsx.SimMsgFactoryFn[*types.MsgSetAccessKey] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSetAccessKey) {
		r := testData.Rand().Rand
		var owner string
		if r.Intn(2) == 0 {
			p, ok := m.provider(ctx, r, func(types.Provider) bool { return true })
			owner = p.Address
			if !ok {
				reporter.Skip("no provider")
				return nil, nil
			}
		} else {
			c, ok := m.consumer(ctx, r, func(types.Consumer) bool { return true })
			owner = c.Address
			if !ok {
				reporter.Skip("no consumer")
				return nil, nil
			}
		}
		acc := account(testData, reporter, owner)
		simutil.CapFees(&acc)
		msg := &types.MsgSetAccessKey{Owner: acc.AddressBech32, PublicKey: RandomAccessKey(r)}
		if has, _ := m.k.AccessKeys.Has(ctx, acc.Address); has && r.Intn(3) == 0 {
			msg.PublicKey = nil // remove it
		}
		return []simsx.SimAccount{acc}, msg
	}
}
