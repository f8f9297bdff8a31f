package repo

import (
	"context"
	"time"
)

// tried is one deal's answer to a read.
type tried[T any] struct {
	rep    *Replica
	v      T
	cancel context.CancelFunc
	err    error
}

// readFrom asks the deals that hold key's current version (reps, in read
// order) for it, and returns the first answer that is that version:
//
//   - a deal is asked when the one before it has failed, or has not
//     answered within hedge_after (HedgeAfter; 0: only when it failed):
//     both then race, and the first answer that is the current version is
//     served. A deal that hangs thus holds reads up for hedge_after, not
//     failover_after;
//   - each request is still judged by itself: one with no answer within
//     failover_after is abandoned and counts as the deal's failure (as
//     without hedging), and an answer that came too late to be served is
//     released, not held. So a hedge changes no deal's standing; it only
//     stops a slow or hung deal from being the reader's wait;
//   - an answer that is not the current version (another ETag, not found)
//     marks the deal stale for repair (see stale) and the next deal is
//     asked; a client-side error (a bad range, a failed condition) is the
//     answer.
//
// etag is an answer's ETag; release frees a successful answer that is not
// served (closes its body). On success the returned cancel must be called
// once the answer is consumed.
func readFrom[T any](r *Repo, key string, obj *Object, reps []*Replica,
	call func(ctx context.Context, rep *Replica) (T, error), etag func(T) string, release func(T),
) (T, *Replica, context.CancelFunc, error) {
	var zero T
	if len(reps) == 0 {
		return zero, nil, nil, errNoReplica
	}
	results := make(chan tried[T], len(reps)) // never blocks a sender
	next, running := 0, 0
	var hedge *time.Timer
	var hedgeC <-chan time.Time
	askNext := func() {
		rep := reps[next]
		next++
		running++
		go func() {
			v, cancel, err := attempt(rep, r.opts.FailoverAfter, func(ctx context.Context) (T, error) { return call(ctx, rep) })
			results <- tried[T]{rep: rep, v: v, cancel: cancel, err: err}
		}()
		if hedge != nil {
			hedge.Stop()
		}
		hedgeC = nil
		if r.opts.HedgeAfter > 0 && next < len(reps) {
			hedge = time.NewTimer(r.opts.HedgeAfter)
			hedgeC = hedge.C
		}
	}
	// The answers still to come are released as they arrive.
	releaseRest := func() {
		if hedge != nil {
			hedge.Stop()
		}
		if running == 0 {
			return
		}
		go func(n int) {
			for ; n > 0; n-- {
				if res := <-results; res.err == nil {
					release(res.v)
					res.cancel()
				}
			}
		}(running)
	}
	var last error = errNoReplica
	askNext()
	for running > 0 {
		select {
		case <-hedgeC:
			askNext()
			continue
		case res := <-results:
			running--
			switch {
			case res.err != nil && clientSide(res.err):
				releaseRest()
				return zero, nil, nil, res.err
			case res.err != nil:
				if notFound(res.err) {
					r.stale(key, obj, res.rep, "not found")
				}
				last = res.err
			case etag(res.v) != obj.Replicas[res.rep.Deal]:
				release(res.v)
				res.cancel()
				r.stale(key, obj, res.rep, "etag "+etag(res.v))
			default:
				releaseRest()
				return res.v, res.rep, res.cancel, nil
			}
			if next < len(reps) {
				askNext()
			}
		}
	}
	if hedge != nil {
		hedge.Stop()
	}
	return zero, nil, nil, last
}
