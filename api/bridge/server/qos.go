package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/flashbacknetwork/flashbackd/api/bridge/repo"
	"github.com/flashbacknetwork/flashbackd/api/provider/chain"
	oracletypes "github.com/flashbacknetwork/flashbackd/x/oracle/types"
)

// QoSChain is what filing self-reports needs of the chain: a signed
// transaction sender for the consumer's key, a gRPC connection for the
// oracle's queries and the latest block's time (api/provider/chain.Client
// is one).
type QoSChain interface {
	Send(ctx context.Context, msgs ...sdk.Msg) (*chain.TxResult, error)
	Conn() grpc.ClientConnInterface
	LatestBlockTime(ctx context.Context) (time.Time, error)
}

// qosMeta is where the measurements not yet filed are kept across
// restarts.
const qosMeta = "qos_pending"

// QoSStatus is one deal's self-reports in the bridge's status.
type QoSStatus struct {
	Deal uint64 `json:"deal"`
	// LastFiled is the time (block time) of the consumer's last report on
	// chain, zero if none is known; NextDue the earliest the next may be.
	LastFiled    time.Time `json:"last_filed,omitzero"`
	LastReportID uint64    `json:"last_report_id,omitempty"`
	NextDue      time.Time `json:"next_due,omitzero"`
	// The last report this bridge filed.
	LastLatencyMs      uint32 `json:"last_latency_ms,omitempty"`
	LastThroughputKbps uint64 `json:"last_throughput_kbps,omitempty"`
	LastSuccess        bool   `json:"last_success,omitempty"`
	LastOperation      string `json:"last_operation,omitempty"`
	// Filed counts the reports this run filed; Failed the attempts the
	// chain refused or did not take (the measurements were kept).
	Filed  uint64 `json:"filed"`
	Failed uint64 `json:"failed"`
	// Pending is what was measured since the last report.
	PendingRequests uint64 `json:"pending_requests"`
	PendingErrors   uint64 `json:"pending_errors"`
	LastError       string `json:"last_error,omitempty"`
}

// qosFiler files every deal's self-report when the chain allows it.
type qosFiler struct {
	chain    QoSChain
	oracle   oracletypes.QueryClient
	db       *repo.DB
	consumer string
	deals    map[uint64]*repo.Traffic
	logger   interface {
		Info(string, ...any)
		Error(string, ...any)
	}

	mu     sync.Mutex
	status map[uint64]*QoSStatus
	known  map[uint64]bool // the last report on chain has been read
}

func newQoSFiler(c QoSChain, db *repo.DB, consumer string, deals map[uint64]*repo.Traffic, logger interface {
	Info(string, ...any)
	Error(string, ...any)
},
) *qosFiler {
	f := &qosFiler{
		chain: c, oracle: oracletypes.NewQueryClient(c.Conn()), db: db, consumer: consumer, deals: deals, logger: logger,
		status: map[uint64]*QoSStatus{}, known: map[uint64]bool{},
	}
	for id := range deals {
		f.status[id] = &QoSStatus{Deal: id}
	}
	// What was measured before a restart and not filed yet.
	var kept map[uint64]repo.TrafficTotals
	if found, err := db.GetMeta(qosMeta, &kept); err != nil {
		logger.Error("could not read the QoS measurements kept in the database; starting afresh", "err", err)
	} else if found {
		for id, t := range kept {
			if tr := deals[id]; tr != nil {
				tr.Merge(t)
			}
		}
	}
	return f
}

// run checks every interval until ctx ends, then keeps what is not filed.
// A chain whose self_report_min_interval is short (a test network) is
// checked more often: five times per interval, at least once a second.
func (f *qosFiler) run(ctx context.Context, interval time.Duration) {
	defer f.save()
	for {
		wait := interval
		if minInterval := f.round(ctx); minInterval > 0 {
			wait = min(wait, max(minInterval/5, time.Second))
		}
		f.save()
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// save keeps the measurements not filed yet in the database.
func (f *qosFiler) save() {
	kept := map[uint64]repo.TrafficTotals{}
	for id, tr := range f.deals {
		if t := tr.Peek(); !t.Empty() {
			kept[id] = t
		}
	}
	if err := f.db.PutMeta(qosMeta, kept); err != nil {
		f.logger.Error("could not keep the QoS measurements in the database", "err", err)
	}
}

// round files the report of every deal that is due and has measurements.
// A deal is due when the latest block's time has reached its last report's
// time plus self_report_min_interval: the report's own block is later
// still, so the chain never refuses it as too soon.
// It returns the chain's self_report_min_interval (0 if unknown).
func (f *qosFiler) round(ctx context.Context) time.Duration {
	params, err := f.oracle.Params(ctx, &oracletypes.QueryParamsRequest{})
	if err != nil {
		f.setError(0, fmt.Errorf("reading the oracle's params: %w", err))
		return 0
	}
	minInterval := params.Params.SelfReportMinInterval
	ids := make([]uint64, 0, len(f.deals))
	for id := range f.deals {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		if err := f.fileIfDue(ctx, id, minInterval); err != nil {
			f.setError(id, err)
		}
	}
	return minInterval
}

func (f *qosFiler) fileIfDue(ctx context.Context, id uint64, minInterval time.Duration) error {
	if !f.isKnown(id) {
		if err := f.readLast(ctx, id); err != nil {
			return err
		}
	}
	f.mu.Lock()
	last := f.status[id].LastFiled
	f.status[id].NextDue = time.Time{}
	if !last.IsZero() {
		f.status[id].NextDue = last.Add(minInterval)
	}
	f.mu.Unlock()
	tr := f.deals[id]
	if tr.Peek().Empty() {
		return nil
	}
	if !last.IsZero() {
		now, err := f.chain.LatestBlockTime(ctx)
		if err != nil {
			return err
		}
		if now.Before(last.Add(minInterval)) {
			return nil
		}
	}
	totals := tr.Cut()
	msg := reportMsg(f.consumer, id, totals)
	res, err := f.chain.Send(ctx, msg)
	if err != nil && dealGone(err) {
		// A closed (or pruned) deal takes no reports: what was measured
		// of it has nowhere to go.
		f.mu.Lock()
		f.status[id].Failed++
		f.mu.Unlock()
		return fmt.Errorf("deal %d takes no QoS self-reports any more (its measurements are dropped): %w", id, err)
	}
	if err != nil && tooSoon(err) {
		// The node's latest block can be one the app has not committed
		// yet (CometBFT stores a block before the app finishes it), so a
		// report due by that block's time can still be checked against the
		// block before it. Not a failure: it is filed at the next round.
		tr.Merge(totals)
		f.mu.Lock()
		f.known[id] = false
		f.mu.Unlock()
		f.logger.Info("QoS self-report not yet due in the committed state; filing it at the next round", "deal", id)
		return nil
	}
	if err != nil {
		tr.Merge(totals) // filed later
		f.mu.Lock()
		f.status[id].Failed++
		f.known[id] = false // the chain is the authority on the last report
		f.mu.Unlock()
		return fmt.Errorf("filing the QoS self-report of deal %d: %w", id, err)
	}
	var out oracletypes.MsgSubmitQoSReportResponse
	_ = res.MsgResponse(0, &out)
	f.mu.Lock()
	st := f.status[id]
	st.Filed++
	st.LastReportID = out.ReportId
	st.LastLatencyMs, st.LastThroughputKbps, st.LastSuccess, st.LastOperation = msg.LatencyMs, msg.ThroughputKbps, msg.Success, msg.Operation.String()
	st.LastError = ""
	f.mu.Unlock()
	// Its block time, read back from the chain (the next one is due from
	// then); if the read fails, the next round reads it.
	err = f.readLast(ctx, id)
	f.mu.Lock()
	if err != nil {
		f.known[id] = false
	} else if !st.LastFiled.IsZero() {
		st.NextDue = st.LastFiled.Add(minInterval)
	}
	f.mu.Unlock()
	f.logger.Info("filed a QoS self-report", "deal", id, "report", out.ReportId, "latency_ms", msg.LatencyMs,
		"throughput_kbps", msg.ThroughputKbps, "requests", totals.Requests, "errors", totals.Errors, "height", res.Height)
	return nil
}

// readLast reads the time of the consumer's last report on the deal from
// the chain (newest first; the deal's other party may have reported too).
func (f *qosFiler) readLast(ctx context.Context, id uint64) error {
	var key []byte
	for page := 0; page < 20; page++ {
		res, err := f.oracle.SelfReports(ctx, &oracletypes.QuerySelfReportsRequest{DealId: id,
			Pagination: &query.PageRequest{Key: key, Limit: 50, Reverse: true}})
		if err != nil {
			return fmt.Errorf("reading the self-reports of deal %d: %w", id, err)
		}
		for _, r := range res.Reports {
			if r.Reporter == f.consumer {
				f.setLast(id, r.Time, r.Id)
				f.mu.Lock()
				st := f.status[id]
				st.LastLatencyMs, st.LastThroughputKbps, st.LastSuccess, st.LastOperation = r.LatencyMs, r.ThroughputKbps, r.Success, r.Operation.String()
				f.mu.Unlock()
				return nil
			}
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			break
		}
		key = res.Pagination.NextKey
	}
	f.setLast(id, time.Time{}, 0)
	return nil
}

func (f *qosFiler) setLast(id uint64, t time.Time, report uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status[id].LastFiled, f.known[id] = t.UTC(), true
	if report != 0 {
		f.status[id].LastReportID = report
	}
}

func (f *qosFiler) isKnown(id uint64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.known[id]
}

func (f *qosFiler) setError(id uint64, err error) {
	f.mu.Lock()
	for sid, st := range f.status {
		if id == 0 || sid == id {
			st.LastError = err.Error()
		}
	}
	f.mu.Unlock()
	if !errors.Is(err, context.Canceled) {
		f.logger.Error("QoS self-reports: kept the measurements to file later", "deal", id, "err", err)
	}
}

// Status reports every deal's self-reports, by deal id.
func (f *qosFiler) Status() []QoSStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]QoSStatus, 0, len(f.status))
	for id, st := range f.status {
		s := *st
		t := f.deals[id].Peek()
		s.PendingRequests, s.PendingErrors = t.Requests, t.Errors
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b QoSStatus) int { return int(a.Deal) - int(b.Deal) })
	return out
}

// reportMsg turns a period's measurements into the self-report: the
// median time to an answer, the throughput of the transfers of at least
// repo.MinThroughputBytes, success when no request failed (else how many
// did and the last error), and the period's main operation (READ when it
// read at least as many bytes as it wrote).
func reportMsg(consumer string, deal uint64, t repo.TrafficTotals) *oracletypes.MsgSubmitQoSReport {
	op := oracletypes.OPERATION_TYPE_READ
	if t.BytesWritten > t.BytesRead {
		op = oracletypes.OPERATION_TYPE_WRITE
	}
	msg := &oracletypes.MsgSubmitQoSReport{
		Reporter: consumer, DealId: deal, Operation: op,
		LatencyMs: t.P50Ms(), ThroughputKbps: t.ThroughputKbps(), Success: t.Errors == 0,
	}
	if t.Errors > 0 {
		msg.ErrorDetails = truncateUTF8(fmt.Sprintf("%d of %d requests failed since %s; last: %s",
			t.Errors, t.Requests, t.Since.UTC().Format(time.RFC3339), t.LastError), oracletypes.MaxErrorDetails)
	}
	return msg
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return strings.TrimSpace(s)
}

// newQoSFiler is the filer of every deal of every repository.
func (b *Bridge) newQoSFiler() *qosFiler {
	deals := map[uint64]*repo.Traffic{}
	for _, rp := range b.repos {
		for _, rep := range rp.Replicas {
			deals[rep.Deal] = rep.Stats.Traffic()
		}
	}
	return newQoSFiler(b.opts.QoS, b.db, b.opts.Consumer, deals, b.logger)
}

// dealGone reports whether the chain refused a report because its deal is
// closed or gone (x/oracle's ErrDealNotOpen, ErrDealNotFound), at
// simulation or in a block.
// tooSoon reports whether the chain refused a self-report as filed before
// self_report_min_interval had passed since the last one.
func tooSoon(err error) bool {
	var txErr *chain.TxError
	if errors.As(err, &txErr) {
		return txErr.Codespace == oracletypes.ModuleName && txErr.Code == oracletypes.ErrTooSoon.ABCICode()
	}
	return strings.Contains(err.Error(), oracletypes.ErrTooSoon.Error())
}

func dealGone(err error) bool {
	var txErr *chain.TxError
	if errors.As(err, &txErr) {
		return txErr.Codespace == oracletypes.ModuleName &&
			(txErr.Code == oracletypes.ErrDealNotOpen.ABCICode() || txErr.Code == oracletypes.ErrDealNotFound.ABCICode())
	}
	msg := err.Error()
	return strings.Contains(msg, oracletypes.ErrDealNotOpen.Error()) || strings.Contains(msg, oracletypes.ErrDealNotFound.Error())
}
