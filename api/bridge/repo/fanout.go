package repo

import (
	"context"
	"time"
)

// outcome is one deal's answer to a write.
type outcome struct {
	rep *Replica
	val any
	err error
}

// fanout runs op on every target at once (each with its own write_timeout)
// and returns as soon as quorum of them have succeeded, or as soon as
// quorum can no longer be met. rest delivers the outcomes not yet seen
// (left of them), for the caller to wait for, now or in the background.
func (r *Repo) fanout(targets []*Replica, quorum int, op func(ctx context.Context, rep *Replica) (any, error)) (ok, failed []outcome, rest <-chan outcome, left int) {
	ch := make(chan outcome, len(targets))
	for _, rep := range targets {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), r.opts.WriteTimeout)
			defer cancel()
			start := time.Now()
			v, err := op(ctx, rep)
			if err != nil && dealFault(err) {
				rep.Stats.Fail(err)
			} else {
				rep.Stats.OK(time.Since(start))
			}
			ch <- outcome{rep: rep, val: v, err: err}
		}()
	}
	left = len(targets)
	for left > 0 && len(ok) < quorum && len(ok)+left >= quorum {
		o := <-ch
		left--
		if o.err != nil {
			failed = append(failed, o)
		} else {
			ok = append(ok, o)
		}
	}
	return ok, failed, ch, left
}

// drain waits for the left outcomes of rest.
func drain(rest <-chan outcome, left int) (ok, failed []outcome) {
	for ; left > 0; left-- {
		o := <-rest
		if o.err != nil {
			failed = append(failed, o)
		} else {
			ok = append(ok, o)
		}
	}
	return ok, failed
}

// writeTargets splits the replicas into those a write goes to (up) and
// those that miss it at once (down: they are repaired when back).
func (r *Repo) writeTargets() (up []*Replica, down []uint64) {
	for _, rep := range r.Replicas {
		if rep.Stats.Up() {
			up = append(up, rep)
		} else {
			down = append(down, rep.Deal)
		}
	}
	return up, down
}

// failedAnswer is the client's answer to a write that missed its quorum:
// the deals' own answer when they all refused it for the same reason (a bad
// digest, too large, quota exceeded), the quorum error otherwise.
func failedAnswer(okN int, failed []outcome, tried, deals, quorum int) error {
	if len(failed) > 0 && okN == 0 {
		first := failed[0].err
		code, status := s3Status(first)
		same := status >= 400 && status < 500 && !dealFault(first)
		for _, f := range failed[1:] {
			if c, _ := s3Status(f.err); c != code {
				same = false
			}
		}
		if same {
			return first
		}
	}
	return quorumError(okN, tried, deals, quorum)
}

func dealsOf(os []outcome) []uint64 {
	out := make([]uint64, 0, len(os))
	for _, o := range os {
		out = append(out, o.rep.Deal)
	}
	return out
}
