//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/testutil/localnet"
	"github.com/flashbacknetwork/flashbackd/testutil/probetarget"
)

type unitVerdicts struct {
	Verdicts []struct {
		Epoch       string `json:"epoch"`
		Verdict     string `json:"verdict"`
		ScoreBefore uint32 `json:"score_before"`
		ScoreAfter  uint32 `json:"score_after"`
		Slashed     string `json:"slashed"`
		Qos         struct {
			Records   string `json:"records"`
			UptimeBps uint32 `json:"uptime_bps"`
		} `json:"qos"`
	} `json:"verdicts"`
}

type dealVerdicts struct {
	Verdicts []struct {
		Epoch     string `json:"epoch"`
		Verdict   string `json:"verdict"`
		Refund    string `json:"refund"`
		UnitScore uint32 `json:"unit_score"`
	} `json:"verdicts"`
}

// TestSlaEnforcementOnFourValidators runs SLA enforcement end to end on a
// real 4-validator network with one-minute epochs: the validators' probers
// measure a healthy probe target, the unit's verdicts are MET or EXCEEDED
// and its score rises; then the target goes down mid-deal, the validators
// agree on it, and the next full epoch's verdict is CRITICAL: the unit's
// score falls, the consumer is refunded from the provider's earnings, and
// the provider's bond is slashed, half of it into the reward pool.
func TestSlaEnforcementOnFourValidators(t *testing.T) {
	target, srv := probetarget.Start(probetarget.Behaviour{Latency: 20 * time.Millisecond})
	t.Cleanup(func() {
		srv.Close()
		target.Close()
	})

	// The unit offers and the deal requires sla; it is also the reference
	// SLA, what the unit is graded against in an epoch without a deal
	// verdict (before the deal is accepted), since the docs' default is
	// stricter than a local probe target shows.
	sla := `{"max_latency_ms":200,"min_upload_kbps":100,"min_download_kbps":100,"min_uptime_bps":9900,"max_error_rate_bps":100}`
	ln := localnet.Start(t, localnet.Options{
		Validators: 4, BasePort: 27900,
		GenesisPatch: `{"oracle":{"params":{"window_blocks":"5"}},` +
			`"orchestrator":{"params":{"sla_epoch_identifier":"minute","reference_sla":` + sla + `}},` +
			`"reputation":{"params":{"reward_epoch_identifier":"minute"}}}`,
	})
	ln.WaitForHeight(0, 3, 60*time.Second)

	provider, consumer := ln.KeyAddress("provider"), ln.KeyAddress("consumer")
	ln.Tx("provider", "tx", "orchestrator", "register-provider", "Acme", "1000000000uflash", "--country", "FR")
	ln.Tx("provider", "tx", "orchestrator", "create-data-unit", "1000", "20000", "eu-west", "FR", "s3", srv.URL+"/unit", "--sla", sla)
	registered := ln.Tx("consumer", "tx", "orchestrator", "register-consumer")
	requested := ln.Tx("consumer", "tx", "orchestrator", "request-deal", "1", "100", "720h", "2000000uflash", "--sla", sla)
	ln.Tx("provider", "tx", "orchestrator", "accept-deal", "1")

	// Transactions are found by the attributes flashbackd indexes by default
	// (app.DefaultIndexEvents): sender, message type, account and sequence.
	require.Equal(t, []string{registered, requested}, searchTxs(t, ln, "message.sender='"+consumer+"'"))
	require.Equal(t, []string{requested}, searchTxs(t, ln, "message.action='/flashback.orchestrator.v1.MsgRequestDeal'"))
	out, err := ln.CLI(0, "q", "tx", "--type=acc_seq", consumer+"/1", "-o", "json")
	require.NoError(t, err)
	require.Contains(t, out, requested)

	unitVerdictsNow := func() unitVerdicts {
		var v unitVerdicts
		require.NoError(t, ln.GetJSON(0, "/flashback/orchestrator/v1/data_units/1/verdicts", &v))
		return v
	}
	// Healthy: a verdict with data that is MET or EXCEEDED raises the score.
	var healthyEpoch string
	require.Eventually(t, func() bool {
		for _, v := range unitVerdictsNow().Verdicts {
			if v.Verdict == "SLA_VERDICT_MET" || v.Verdict == "SLA_VERDICT_EXCEEDED" {
				require.Greater(t, v.ScoreAfter, v.ScoreBefore, "%+v", v)
				healthyEpoch = v.Epoch
				return true
			}
			require.NotEqual(t, "SLA_VERDICT_CRITICAL", v.Verdict, "the healthy target got %+v", v)
			require.NotEqual(t, "SLA_VERDICT_MISSED", v.Verdict, "the healthy target got %+v", v)
		}
		return false
	}, 4*time.Minute, 2*time.Second, "no MET/EXCEEDED verdict for the healthy unit")
	t.Logf("healthy verdict in epoch %s", healthyEpoch)

	bondBefore := providerBond(t, ln, provider)
	poolBefore := rewardPool(t, ln)
	consumerBefore := balance(t, ln, consumer)

	// The target goes down mid-deal.
	target.SetBehaviour(probetarget.Behaviour{Down: true})
	var critical string
	var scoreBefore, scoreAfter uint32
	var slashed int64
	require.Eventually(t, func() bool {
		for _, v := range unitVerdictsNow().Verdicts {
			if v.Verdict == "SLA_VERDICT_CRITICAL" {
				critical, scoreBefore, scoreAfter = v.Epoch, v.ScoreBefore, v.ScoreAfter
				slashed, _ = strconv.ParseInt(v.Slashed, 10, 64)
				return true
			}
		}
		return false
	}, 4*time.Minute, 2*time.Second, "no CRITICAL verdict after the target went down")
	t.Logf("critical verdict in epoch %s: score %d → %d, slashed %d", critical, scoreBefore, scoreAfter, slashed)

	// The unit's score fell by delta_critical (−2).
	require.Equal(t, scoreBefore-2, scoreAfter)
	var us struct {
		Score struct {
			Score uint32 `json:"score"`
		} `json:"score"`
	}
	require.NoError(t, ln.GetJSON(0, "/flashback/reputation/v1/units/1", &us))
	require.LessOrEqual(t, us.Score.Score, scoreAfter)

	// The bond was slashed 10 %, half of it into the reward pool.
	require.Positive(t, slashed)
	require.LessOrEqual(t, providerBond(t, ln, provider), bondBefore-slashed)
	require.GreaterOrEqual(t, rewardPool(t, ln), poolBefore+slashed/2)

	// The consumer was refunded (100 − score) % of the epoch's payment.
	var dv dealVerdicts
	require.NoError(t, ln.GetJSON(0, "/flashback/orchestrator/v1/deals/1/verdicts", &dv))
	var refund int64
	for _, v := range dv.Verdicts {
		if v.Epoch == critical {
			require.Equal(t, "SLA_VERDICT_CRITICAL", v.Verdict)
			refund, _ = strconv.ParseInt(v.Refund, 10, 64)
			require.Positive(t, refund, "%+v", v)
		}
	}
	require.Positive(t, refund, "no deal verdict for epoch %s", critical)
	require.GreaterOrEqual(t, balance(t, ln, consumer), consumerBefore+refund, "the consumer received the refund")

	// The provider's standing shows it.
	var ps struct {
		Score struct {
			Objective uint32 `json:"objective"`
		} `json:"score"`
		History []any `json:"history"`
	}
	require.NoError(t, ln.GetJSON(0, fmt.Sprintf("/flashback/reputation/v1/providers/%s", provider), &ps))
	require.NotEmpty(t, ps.History)
	require.Equal(t, us.Score.Score, ps.Score.Objective, "one unit: the provider's objective is its score")
}

func providerBond(t *testing.T, ln *localnet.Localnet, addr string) int64 {
	t.Helper()
	var p struct {
		Provider struct {
			Bond string `json:"bond"`
		} `json:"provider"`
	}
	require.NoError(t, ln.GetJSON(0, "/flashback/orchestrator/v1/providers/"+addr, &p))
	n, err := strconv.ParseInt(p.Provider.Bond, 10, 64)
	require.NoError(t, err, "%+v", p)
	return n
}

func rewardPool(t *testing.T, ln *localnet.Localnet) int64 {
	t.Helper()
	var p struct {
		Pool struct {
			Balance string `json:"balance"`
		} `json:"pool"`
	}
	require.NoError(t, ln.GetJSON(0, "/flashback/reputation/v1/reward_pool", &p))
	n, err := strconv.ParseInt(p.Pool.Balance, 10, 64)
	require.NoError(t, err, "%+v", p)
	return n
}

func balance(t *testing.T, ln *localnet.Localnet, addr string) int64 {
	t.Helper()
	var b struct {
		Balance struct {
			Amount string `json:"amount"`
		} `json:"balance"`
	}
	require.NoError(t, ln.GetJSON(0, "/cosmos/bank/v1beta1/balances/"+addr+"/by_denom?denom=uflash", &b))
	n, err := strconv.ParseInt(b.Balance.Amount, 10, 64)
	require.NoError(t, err, "%+v", b)
	return n
}

// searchTxs returns the hashes of the transactions matching an event query,
// oldest first, from node0's tx index.
func searchTxs(t *testing.T, ln *localnet.Localnet, query string) []string {
	t.Helper()
	out, err := ln.CLI(0, "q", "txs", "--query", query, "--order_by", "asc", "-o", "json")
	require.NoError(t, err)
	var res struct {
		Txs []struct {
			TxHash string `json:"txhash"`
		} `json:"txs"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	hashes := []string{}
	for _, tx := range res.Txs {
		hashes = append(hashes, tx.TxHash)
	}
	return hashes
}
