package prober

import (
	"context"
	"time"
)

// checkResult is the outcome of one check of one target: LatencySamples
// pings, one download and one upload.
type checkResult struct {
	pings        int             // pings attempted
	latencies    []time.Duration // time to first byte of the successful pings
	downloadOK   bool
	downloadKbps uint64
	uploadOK     bool
	uploadKbps   uint64
	finished     time.Time // set by record, from the injectable clock
}

// up reports whether the target answered at least one ping.
func (r checkResult) up() bool { return len(r.latencies) > 0 }

// ops is the number of operations of the check: every ping, the download
// and the upload.
func (r checkResult) ops() int { return r.pings + 2 }

// failedOps is the number of operations that failed.
func (r checkResult) failedOps() int {
	failed := r.pings - len(r.latencies)
	if !r.downloadOK {
		failed++
	}
	if !r.uploadOK {
		failed++
	}
	return failed
}

// runCheck runs one check of st's target. The operations run one after the
// other so that they do not compete for the provider's bandwidth, all within
// CheckTimeout: once it is spent, the operations not yet done count as
// failed, so that an endpoint that never answers is measured as down within
// the window instead of never. aborted is true when ctx was cancelled (the
// prober is stopping, or the target was replaced): the result then says
// nothing about the provider and must be dropped.
func (p *Prober) runCheck(ctx context.Context, st *targetState) (res checkResult, aborted bool) {
	res.pings = p.cfg.LatencySamples
	unit := st.target.UnitID
	if st.urlErr != nil {
		// An endpoint we cannot probe is down, every time.
		p.logger.Debug("probe target has an invalid endpoint", "unit", unit, "err", st.urlErr)
		return res, false
	}
	budget, cancel := context.WithTimeout(ctx, p.cfg.CheckTimeout)
	defer cancel()

	for i := 0; i < p.cfg.LatencySamples && budget.Err() == nil; i++ {
		d, err := p.ping(budget, st.urls.ping)
		if ctx.Err() != nil {
			return res, true
		}
		if err != nil {
			p.logger.Debug("probe ping failed", "unit", unit, "err", err)
			continue
		}
		res.latencies = append(res.latencies, d)
		p.markAnswered(st)
	}

	if budget.Err() == nil {
		kbps, err := p.download(budget, st.urls.download, p.cfg.ObjectSize)
		if ctx.Err() != nil {
			return res, true
		}
		if err != nil {
			p.logger.Debug("probe download failed", "unit", unit, "err", err)
		} else {
			res.downloadOK, res.downloadKbps = true, kbps
		}
	}

	if budget.Err() == nil {
		kbps, err := p.upload(budget, st.urls.uploadURL(uploadNonce()), p.cfg.ObjectSize)
		if ctx.Err() != nil {
			return res, true
		}
		if err != nil {
			p.logger.Debug("probe upload failed", "unit", unit, "err", err)
		} else {
			res.uploadOK, res.uploadKbps = true, kbps
		}
	}
	if budget.Err() != nil {
		p.logger.Debug("probe check ran out of time; the operations left count as failed", "unit", unit, "check_timeout", p.cfg.CheckTimeout)
	}
	return res, false
}
