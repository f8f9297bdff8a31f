package prober

import (
	"cmp"
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"
)

// run is the scheduler: it starts checks of due targets while there are free
// slots and sleeps until the next target is due, the assignment changes or a
// check finishes. On cancellation it waits for the running checks (which see
// the same cancellation) and closes done.
func (p *Prober) run(ctx context.Context) {
	var checks sync.WaitGroup
	defer close(p.done)
	defer checks.Wait()

	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		timer.Reset(p.dispatch(ctx, &checks))
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-timer.C:
		}
	}
}

// dispatch starts every due target it has a slot for, oldest due first, and
// returns how long the scheduler may sleep.
func (p *Prober) dispatch(ctx context.Context, checks *sync.WaitGroup) time.Duration {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()

	var due []*targetState
	for _, st := range p.targets {
		if !st.inFlight && !now.Before(st.nextDue) {
			due = append(due, st)
		}
	}
	slices.SortFunc(due, func(a, b *targetState) int {
		if c := a.nextDue.Compare(b.nextDue); c != 0 {
			return c
		}
		return cmp.Compare(a.target.UnitID, b.target.UnitID)
	})
	for _, st := range due {
		select {
		case p.sem <- struct{}{}:
		default:
			// Every slot is busy; the next check to finish wakes us.
			return p.cfg.ProbeInterval
		}
		checkCtx, cancel := context.WithCancel(ctx)
		st.inFlight, st.checkStarted, st.answered, st.cancel = true, now, false, cancel
		checks.Add(1)
		go p.probe(checkCtx, cancel, checks, st)
	}

	sleep := p.cfg.ProbeInterval
	for _, st := range p.targets {
		if !st.inFlight {
			if d := st.nextDue.Sub(now); d < sleep {
				sleep = d
			}
		}
	}
	return max(sleep, 0)
}

// probe runs one check in its own goroutine and records it. cancel ends the
// check's context (SetAssignment calls it when st is replaced).
func (p *Prober) probe(ctx context.Context, cancel context.CancelFunc, checks *sync.WaitGroup, st *targetState) {
	defer checks.Done()
	defer func() {
		cancel()
		<-p.sem
		p.signal()
	}()
	started := time.Now()
	res, aborted := p.safeCheck(ctx, st)
	p.record(st, started, res, aborted)
}

// safeCheck runs the check and turns a panic into a dropped result: a bug
// in the prober must never take the validator down with it.
func (p *Prober) safeCheck(ctx context.Context, st *targetState) (res checkResult, aborted bool) {
	defer func() {
		if r := recover(); r != nil {
			p.logger.Error("probe check panicked; result dropped", "unit", st.target.UnitID,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			res, aborted = checkResult{}, true
		}
	}()
	return p.runCheck(ctx, st)
}

// record schedules st's next check and folds the result into its stats,
// unless st is no longer assigned (the window or the endpoint changed while
// the check ran: assignments replace targetState objects, so identity tells)
// or the check was aborted.
func (p *Prober) record(st *targetState, started time.Time, res checkResult, aborted bool) {
	finished := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()

	st.inFlight, st.cancel = false, nil
	// A check slower than the interval is followed by the next one at once.
	st.nextDue = started.Add(p.cfg.ProbeInterval)
	if now := time.Now(); st.nextDue.Before(now) {
		st.nextDue = now
	}
	if aborted {
		return
	}
	if p.targets[st.target.UnitID] != st {
		p.logger.Debug("dropping check of a target that is no longer assigned", "unit", st.target.UnitID)
		return
	}
	res.finished = finished
	st.stats.add(res)
	observe(st.target.UnitID, res)
	st.summary = st.stats.measurement(st.target.UnitID)
}

// markAnswered notes that st's running check got a successful ping: the
// target is answering, so Snapshot does not count that check as failed
// while it is still running.
func (p *Prober) markAnswered(st *targetState) {
	p.mu.Lock()
	st.answered = true
	p.mu.Unlock()
}
