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
// other so that they do not compete for the provider's bandwidth. aborted is
// true when ctx was cancelled (the prober is stopping): the result then says
// nothing about the provider and must be dropped.
func (p *Prober) runCheck(ctx context.Context, st *targetState) (res checkResult, aborted bool) {
	res.pings = p.cfg.LatencySamples
	unit := st.target.UnitID
	if st.urlErr != nil {
		// An endpoint we cannot probe is down, every time.
		p.logger.Debug("probe target has an invalid endpoint", "unit", unit, "err", st.urlErr)
		return res, false
	}

	for i := 0; i < p.cfg.LatencySamples; i++ {
		d, err := p.ping(ctx, st.urls.ping)
		if ctx.Err() != nil {
			return res, true
		}
		if err != nil {
			p.logger.Debug("probe ping failed", "unit", unit, "err", err)
			continue
		}
		res.latencies = append(res.latencies, d)
	}

	kbps, err := p.download(ctx, st.urls.download, p.cfg.ObjectSize)
	if ctx.Err() != nil {
		return res, true
	}
	if err != nil {
		p.logger.Debug("probe download failed", "unit", unit, "err", err)
	} else {
		res.downloadOK, res.downloadKbps = true, kbps
	}

	kbps, err = p.upload(ctx, st.urls.uploadURL(uploadNonce()), p.cfg.ObjectSize)
	if ctx.Err() != nil {
		return res, true
	}
	if err != nil {
		p.logger.Debug("probe upload failed", "unit", unit, "err", err)
	} else {
		res.uploadOK, res.uploadKbps = true, kbps
	}
	return res, false
}
