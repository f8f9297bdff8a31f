package keeper_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

func TestRegisterProvider(t *testing.T) {
	s := newSuite(t)
	before := s.balance(s.provider)
	s.registerProvider(s.provider)

	p := s.providerOf(s.provider)
	require.Equal(t, types.PROVIDER_STATUS_ACTIVE, p.Status)
	require.Equal(t, int64(1_000*flash), p.Bond.Int64())
	require.Equal(t, before.SubRaw(1_000*flash), s.balance(s.provider), "the bond is locked")
	require.Equal(t, int64(1_000*flash), s.balance(s.app.OrchestratorKeeper.ModuleAddress()).Int64())

	valid := func() *types.MsgRegisterProvider {
		return &types.MsgRegisterProvider{Owner: s.provider2.String(), Name: "P2", Country: "DE", Bond: uflash(1_000 * flash)}
	}
	cases := map[string]struct {
		edit func(*types.MsgRegisterProvider)
		want error
	}{
		"registered twice":    {func(m *types.MsgRegisterProvider) { m.Owner = s.provider.String() }, types.ErrProviderExists},
		"bond below minimum":  {func(m *types.MsgRegisterProvider) { m.Bond = uflash(999 * flash) }, types.ErrInsufficientBond},
		"zero bond":           {func(m *types.MsgRegisterProvider) { m.Bond = uflash(0) }, types.ErrInvalidAmount},
		"bond in other denom": {func(m *types.MsgRegisterProvider) { m.Bond.Denom = "uatom" }, types.ErrInvalidAmount},
		"no name":             {func(m *types.MsgRegisterProvider) { m.Name = " " }, types.ErrInvalidInput},
		"oversized name":      {func(m *types.MsgRegisterProvider) { m.Name = strings.Repeat("n", 65) }, types.ErrInvalidInput},
		"oversized description": {func(m *types.MsgRegisterProvider) {
			m.Description = strings.Repeat("d", types.MaxDescriptionLength+1)
		}, types.ErrInvalidInput},
		"control characters": {func(m *types.MsgRegisterProvider) { m.Name = "evil\x00name" }, types.ErrInvalidInput},
		"bad country":        {func(m *types.MsgRegisterProvider) { m.Country = "France" }, types.ErrInvalidInput},
		"bad website":        {func(m *types.MsgRegisterProvider) { m.Website = "ftp://acme" }, types.ErrInvalidInput},
		"bad owner":          {func(m *types.MsgRegisterProvider) { m.Owner = "flash1xyz" }, sdkerrors.ErrInvalidAddress},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			msg := valid()
			tc.edit(msg)
			s.requireErrUnchanged(tc.want, func() error { return s.deliver(msg) })
		})
	}
}

func TestUpdateProviderAndBond(t *testing.T) {
	s := newSuite(t)
	s.registerProvider(s.provider)

	_, err := s.msgs.UpdateProvider(s.ctx(), &types.MsgUpdateProvider{Owner: s.provider.String(), Name: "Acme 2", Country: "BE"})
	require.NoError(t, err)
	require.Equal(t, "Acme 2", s.providerOf(s.provider).Name)
	s.requireErrUnchanged(types.ErrProviderNotFound, func() error {
		return s.deliver(&types.MsgUpdateProvider{Owner: s.stranger.String(), Name: "x"})
	})
	s.requireErrUnchanged(types.ErrInvalidInput, func() error {
		return s.deliver(&types.MsgUpdateProvider{Owner: s.provider.String(), Name: "x", Website: "not a url"})
	})

	_, err = s.msgs.AddProviderBond(s.ctx(), &types.MsgAddProviderBond{Owner: s.provider.String(), Amount: uflash(500 * flash)})
	require.NoError(t, err)
	require.Equal(t, int64(1_500*flash), s.providerOf(s.provider).Bond.Int64())
	s.requireErrUnchanged(types.ErrInvalidAmount, func() error {
		return s.deliver(&types.MsgAddProviderBond{Owner: s.provider.String(), Amount: uflash(0)})
	})
	s.requireErrUnchanged(types.ErrInvalidAmount, func() error {
		wrongDenom := uflash(5)
		wrongDenom.Denom = "uatom"
		_, err := s.msgs.AddProviderBond(s.ctx(), &types.MsgAddProviderBond{Owner: s.provider.String(), Amount: wrongDenom})
		return err
	})
}

func TestProviderExit(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()

	// A live unit blocks the exit.
	s.requireErrUnchanged(types.ErrProviderBusy, func() error {
		return s.deliver(&types.MsgBeginProviderExit{Owner: s.provider.String()})
	})
	// So does an open deal on a unit being decommissioned.
	dealID := s.requestDeal(dealMsg(s.consumer, unitID))
	_, err := s.msgs.DecommissionDataUnit(s.ctx(), &types.MsgDecommissionDataUnit{Provider: s.provider.String(), UnitId: unitID})
	require.NoError(t, err)
	require.Equal(t, types.DATA_UNIT_STATE_DECOMMISSIONING, s.unit(unitID).State)
	s.requireErrUnchanged(types.ErrProviderBusy, func() error {
		return s.deliver(&types.MsgBeginProviderExit{Owner: s.provider.String()})
	})
	_, err = s.msgs.DeclineDeal(s.ctx(), &types.MsgDeclineDeal{Provider: s.provider.String(), DealId: dealID})
	require.NoError(t, err)
	require.Equal(t, types.DATA_UNIT_STATE_DECOMMISSIONED, s.unit(unitID).State)

	before := s.balance(s.provider)
	res, err := s.msgs.BeginProviderExit(s.ctx(), &types.MsgBeginProviderExit{Owner: s.provider.String()})
	require.NoError(t, err)
	require.Equal(t, s.app.Time.Add(30*24*time.Hour), res.CompletionTime)
	require.Equal(t, types.PROVIDER_STATUS_EXITING, s.providerOf(s.provider).Status)
	s.requireErrUnchanged(types.ErrProviderNotActive, func() error {
		return s.deliver(&types.MsgBeginProviderExit{Owner: s.provider.String()})
	})
	s.requireErrUnchanged(types.ErrProviderNotActive, func() error {
		return s.deliver(unitMsg(s.provider))
	})

	// The bond stays locked during the unbonding period…
	s.advance(29 * 24 * time.Hour)
	require.Equal(t, before, s.balance(s.provider))
	// …and comes back by itself when it ends.
	s.advance(25 * time.Hour)
	require.Equal(t, before.AddRaw(1_000*flash), s.balance(s.provider))
	has, err := s.app.OrchestratorKeeper.Providers.Has(s.ctx(), s.provider)
	require.NoError(t, err)
	require.False(t, has)

	// It may register again afterwards.
	s.registerProvider(s.provider)
}

func TestCertifyProvider(t *testing.T) {
	s := newSuite(t)
	unitID := s.market()

	certified := func() []uint64 {
		res, err := s.queries.DataUnits(s.ctx(), &types.QueryDataUnitsRequest{CertifiedOnly: true})
		require.NoError(t, err)
		ids := []uint64{}
		for _, u := range res.DataUnits {
			ids = append(ids, u.Id)
		}
		return ids
	}
	require.Empty(t, certified())

	s.requireErrUnchanged(types.ErrUnauthorized, func() error {
		return s.deliver(&types.MsgCertifyProvider{Authority: s.stranger.String(), Provider: s.provider.String(), Certified: true})
	})
	s.requireErrUnchanged(types.ErrProviderNotFound, func() error {
		return s.deliver(&types.MsgCertifyProvider{Authority: s.certifier.String(), Provider: s.stranger.String(), Certified: true})
	})

	_, err := s.msgs.CertifyProvider(s.ctx(), &types.MsgCertifyProvider{Authority: s.certifier.String(), Provider: s.provider.String(), Certified: true})
	require.NoError(t, err)
	require.True(t, s.providerOf(s.provider).Certified)
	require.Equal(t, []uint64{unitID}, certified(), "the unit is listed among certified ones")

	// Governance may do it too.
	_, err = s.msgs.CertifyProvider(s.ctx(), &types.MsgCertifyProvider{Authority: s.gov, Provider: s.provider.String(), Certified: false})
	require.NoError(t, err)
	require.Empty(t, certified())
	stats, err := s.queries.Stats(s.ctx(), &types.QueryStatsRequest{})
	require.NoError(t, err)
	require.Zero(t, stats.Stats.CertifiedProviders)
}

func TestConsumers(t *testing.T) {
	s := newSuite(t)
	s.registerConsumer(s.consumer)
	s.requireErrUnchanged(types.ErrConsumerExists, func() error {
		return s.deliver(&types.MsgRegisterConsumer{Owner: s.consumer.String()})
	})
	_, err := s.msgs.UpdateConsumer(s.ctx(), &types.MsgUpdateConsumer{Owner: s.consumer.String(), Name: "Bob", Country: "US"})
	require.NoError(t, err)
	s.requireErrUnchanged(types.ErrConsumerNotFound, func() error {
		return s.deliver(&types.MsgUpdateConsumer{Owner: s.stranger.String()})
	})
	s.requireErrUnchanged(types.ErrInvalidInput, func() error {
		return s.deliver(&types.MsgUpdateConsumer{Owner: s.consumer.String(), Country: "usa"})
	})

	s.requireErrUnchanged(types.ErrUnauthorized, func() error {
		return s.deliver(&types.MsgVerifyConsumer{Authority: s.consumer.String(), Consumer: s.consumer.String(), Verified: true})
	})
	_, err = s.msgs.VerifyConsumer(s.ctx(), &types.MsgVerifyConsumer{Authority: s.certifier.String(), Consumer: s.consumer.String(), Verified: true})
	require.NoError(t, err)
	res, err := s.queries.Consumer(s.ctx(), &types.QueryConsumerRequest{Address: s.consumer.String()})
	require.NoError(t, err)
	require.True(t, res.Consumer.Verified)
	require.Equal(t, "Bob", res.Consumer.Name)
}
