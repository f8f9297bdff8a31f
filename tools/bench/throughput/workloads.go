package throughput

import (
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/flashbacknetwork/flashbackd/app"
	"github.com/flashbacknetwork/flashbackd/testutil/txgen"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
	reputationtypes "github.com/flashbacknetwork/flashbackd/x/reputation/types"
)

// Workload is one kind of measured block: PerBlock transactions of one
// message type.
type Workload struct {
	// Name identifies the workload in reports and on the command line.
	Name string
	// Msg is the type URL of its message.
	Msg string
	// Setup prepares the state that rounds measured blocks need, in setup
	// blocks (nil when none is needed). It runs before any measured block,
	// in registry order, and before block time advances by SetupAdvance.
	Setup func(e *Env, rounds int) error
	// Tx is the idx-th transaction (0 ≤ idx < e.PerBlock) of the workload's
	// round-th measured block (0 ≤ round < rounds). Its signer's sequence is
	// assigned by the runner.
	Tx func(e *Env, round, idx int) Tx
}

// SetupAdvance is how far block time moves between the setup blocks and the
// first measured block, so that deals accepted in setup have earnings.
const SetupAdvance = time.Hour

// Baseline is the workload every other is compared with.
const Baseline = "bank-send"

// Registry lists the workloads in the order they run. Each entry builds a
// fresh workload (with its own setup state). To add a workload, write a
// constructor like the ones below and add it here: that is all.
var Registry = []func() *Workload{
	bankSend,
	requestDeal,
	acceptDeal,
	topUpDeal,
	withdrawEarnings,
	submitQoSReport,
	rateProvider,
}

// slot numbers the transactions of a workload across its blocks.
func slot(e *Env, round, idx int) int { return round*e.PerBlock + idx }

// bankSend: MsgSend of 1 FLASH between funded accounts, distinct senders in
// a block.
func bankSend() *Workload {
	return &Workload{
		Name: Baseline,
		Msg:  sdk.MsgTypeURL(&banktypes.MsgSend{}),
		Tx: func(e *Env, round, idx int) Tx {
			n := len(e.Accounts)
			s := slot(e, round, idx)
			from, to := e.Accounts[s%n], e.Accounts[(s+n/2+1)%n]
			return Tx{Signer: from, Msg: banktypes.NewMsgSend(from.Addr, to.Addr, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1_000_000)))}
		},
	}
}

// requestDeal: a registered consumer requests 100 GB for 30 days on a
// provider's unit and deposits the month.
func requestDeal() *Workload {
	return &Workload{
		Name: "request-deal",
		Msg:  sdk.MsgTypeURL(&orchestratortypes.MsgRequestDeal{}),
		Tx: func(e *Env, round, idx int) Tx {
			s := slot(e, round, idx)
			c := e.Consumers[(s+17)%len(e.Consumers)]
			return Tx{Signer: c, Msg: txgen.DealMsg(c.Addr, e.Units[s%len(e.Units)], dealCapacityGB, 30*24*time.Hour)}
		},
	}
}

// acceptDeal: providers accept pending requests made in setup.
func acceptDeal() *Workload {
	var deals []Deal
	return &Workload{
		Name: "accept-deal",
		Msg:  sdk.MsgTypeURL(&orchestratortypes.MsgAcceptDeal{}),
		Setup: func(e *Env, rounds int) (err error) {
			deals, err = e.MakeDeals("accept-deal", rounds*e.PerBlock, 101, 30*24*time.Hour, false)
			return err
		},
		Tx: func(e *Env, round, idx int) Tx {
			d := deals[slot(e, round, idx)]
			return Tx{Signer: d.Provider, Msg: &orchestratortypes.MsgAcceptDeal{Provider: d.Provider.Addr.String(), DealId: d.ID}}
		},
	}
}

// topUpDeal: consumers add 1,000 uflash to running one-year deals (one deal
// per consumer slot of a block, topped up again every round).
func topUpDeal() *Workload {
	var deals []Deal
	return &Workload{
		Name: "top-up-deal",
		Msg:  sdk.MsgTypeURL(&orchestratortypes.MsgTopUpDeal{}),
		Setup: func(e *Env, _ int) (err error) {
			deals, err = e.MakeDeals("top-up-deal", e.PerBlock, 211, 365*24*time.Hour, true)
			return err
		},
		Tx: func(e *Env, _, idx int) Tx {
			d := deals[idx]
			return Tx{Signer: d.Consumer, Msg: &orchestratortypes.MsgTopUpDeal{
				Consumer: d.Consumer.Addr.String(), DealId: d.ID, Amount: sdk.NewInt64Coin(app.BondDenom, 1_000),
			}}
		},
	}
}

// withdrawEarnings: providers withdraw the earnings of one deal each,
// accepted in setup and running since (SetupAdvance); every deal once.
func withdrawEarnings() *Workload {
	var deals []Deal
	return &Workload{
		Name: "withdraw-earnings",
		Msg:  sdk.MsgTypeURL(&orchestratortypes.MsgWithdrawEarnings{}),
		Setup: func(e *Env, rounds int) (err error) {
			deals, err = e.MakeDeals("withdraw-earnings", rounds*e.PerBlock, 307, 30*24*time.Hour, true)
			return err
		},
		Tx: func(e *Env, round, idx int) Tx {
			d := deals[slot(e, round, idx)]
			return Tx{Signer: d.Provider, Msg: &orchestratortypes.MsgWithdrawEarnings{Provider: d.Provider.Addr.String(), DealIds: []uint64{d.ID}}}
		},
	}
}

// submitQoSReport: deal parties file self-reports; each (deal, reporter)
// pair once, so that self_report_min_interval (24 h) is honoured with the
// default params: slot 2k is deal k's consumer, slot 2k+1 its provider.
func submitQoSReport() *Workload {
	var deals []Deal
	return &Workload{
		Name: "submit-qos-report",
		Msg:  sdk.MsgTypeURL(&oracletypes.MsgSubmitQoSReport{}),
		Setup: func(e *Env, rounds int) (err error) {
			deals, err = e.MakeDeals("submit-qos-report", (rounds*e.PerBlock+1)/2, 401, 30*24*time.Hour, true)
			return err
		},
		Tx: func(e *Env, round, idx int) Tx {
			s := slot(e, round, idx)
			d := deals[s/2]
			reporter := d.Consumer
			if s%2 == 1 {
				reporter = d.Provider
			}
			return Tx{Signer: reporter, Msg: &oracletypes.MsgSubmitQoSReport{
				Reporter: reporter.Addr.String(), DealId: d.ID, Operation: oracletypes.OPERATION_TYPE_DOWNLOAD,
				LatencyMs: 42, ThroughputKbps: 250_000, Success: true,
			}}
		},
	}
}

// lowerMinRatingPayment sets min_rating_payment to 1 uflash in the bench's
// genesis: rate-provider's deals have paid their providers an hour of 100 GB
// (~2,800 uflash) when they are rated, under the default 1 FLASH, and a
// rating's work does not depend on its weight.
func lowerMinRatingPayment(g app.GenesisState) {
	cdc := app.MakeEncodingConfig().Codec
	var rg reputationtypes.GenesisState
	cdc.MustUnmarshalJSON(g[reputationtypes.ModuleName], &rg)
	rg.Params.MinRatingPayment = sdkmath.OneInt()
	g[reputationtypes.ModuleName] = cdc.MustMarshalJSON(&rg)
}

// rateProvider: consumers rate the provider of a deal accepted in setup,
// 1–5 stars with a short comment; a deal is rated once (x/reputation).
func rateProvider() *Workload {
	var deals []Deal
	return &Workload{
		Name: "rate-provider",
		Msg:  sdk.MsgTypeURL(&reputationtypes.MsgRateProvider{}),
		Setup: func(e *Env, rounds int) (err error) {
			deals, err = e.MakeDeals("rate-provider", rounds*e.PerBlock, 503, 30*24*time.Hour, true)
			return err
		},
		Tx: func(e *Env, round, idx int) Tx {
			s := slot(e, round, idx)
			d := deals[s]
			return Tx{Signer: d.Consumer, Msg: &reputationtypes.MsgRateProvider{
				Consumer: d.Consumer.Addr.String(), DealId: d.ID, Stars: uint32(1 + s%5), Comment: "fast and reliable",
			}}
		},
	}
}
