package prober

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"cosmossdk.io/log"
)

// Prober measures assigned targets in the background and serves the results
// from memory. All exported methods are safe for concurrent use and none of
// them waits on network I/O.
type Prober struct {
	cfg    Config
	logger log.Logger
	client *http.Client
	// now is the wall clock for LastCheck and staleness. Tests replace it
	// before Start; scheduling uses the monotonic clock and is unaffected.
	now func() time.Time
	// unansweredGrace is how long a running check may go without an answer
	// before Snapshot counts it as failed: the constant of that name, which
	// tests shorten.
	unansweredGrace time.Duration

	// mu guards the assignment. It is never held across I/O, so Snapshot and
	// SetAssignment wait at most for another in-memory update.
	mu       sync.Mutex
	window   uint64
	assigned bool
	targets  map[uint64]*targetState
	// windowStarted is when the current window was first assigned
	// (monotonic); lastShortWarning when a too-short window was last
	// logged; shortWindows counts them (tests read it).
	windowStarted    time.Time
	lastShortWarning time.Time
	shortWindows     uint64
	lastShortWindow  uint64 // the last window counted (ExtendVote may ask twice)

	wake chan struct{} // capacity 1: "the assignment or the free slots changed"
	sem  chan struct{} // capacity Concurrency: one token per running check

	lifeMu  sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	done    chan struct{} // closed when the scheduler and every check have returned
}

// targetState is one assigned target. target, urls and urlErr never change
// after creation, so a running check reads them without the lock; the other
// fields are guarded by Prober.mu.
type targetState struct {
	target Target
	urls   probeURLs
	urlErr error

	nextDue  time.Time // monotonic
	inFlight bool
	// While inFlight: when the check started (monotonic), whether one of its
	// pings has succeeded yet, and how to cancel it.
	checkStarted time.Time
	answered     bool
	cancel       context.CancelFunc
	stats        targetStats
	summary      Measurement // stats.measurement, refreshed after every check
}

// New returns a prober with its own HTTP client. An enabled config that does
// not validate is logged and the prober is disabled: a validator keeps
// producing blocks without QoS rather than refusing to start (ReadConfig
// reports the same error to callers that want to fail instead).
func New(cfg Config, logger log.Logger) *Prober {
	return NewWithClient(cfg, logger, nil)
}

// NewWithClient is New with a caller-supplied HTTP client (tests use it for
// TLS). The prober uses a copy that does not follow redirects and dials
// through its own dialer (see withProbePolicy); nil means the prober's own
// client.
func NewWithClient(cfg Config, logger log.Logger, client *http.Client) *Prober {
	if logger == nil {
		logger = log.NewNopLogger()
	}
	logger = logger.With(log.ModuleKey, "x/oracle/prober")
	if cfg.Enabled {
		if err := cfg.Validate(); err != nil {
			logger.Error("invalid oracle prober config; probing disabled", "err", err)
			cfg.Enabled = false
		}
	}
	if cfg.Enabled {
		registerMetrics()
	}
	if client == nil {
		client = newHTTPClient(cfg)
	}
	client, err := withProbePolicy(client, cfg)
	if err != nil {
		logger.Error("unusable HTTP client; probing disabled", "err", err)
		cfg.Enabled = false
		client = &http.Client{}
	}
	slots := cfg.Concurrency
	if slots < 1 {
		slots = 1
	}
	return &Prober{
		cfg:             cfg,
		logger:          logger,
		client:          client,
		now:             time.Now,
		unansweredGrace: unansweredGrace,
		targets:         map[uint64]*targetState{},
		wake:            make(chan struct{}, 1),
		sem:             make(chan struct{}, slots),
		done:            make(chan struct{}),
	}
}

// Enabled reports whether the prober probes and reports.
func (p *Prober) Enabled() bool { return p.cfg.Enabled }

// Start launches the background scheduler and returns immediately.
// Everything stops when ctx is cancelled or Stop is called. Start is a no-op
// on a disabled, already started or stopped prober.
func (p *Prober) Start(ctx context.Context) {
	if !p.cfg.Enabled {
		return
	}
	p.lifeMu.Lock()
	defer p.lifeMu.Unlock()
	if p.started || p.stopped {
		return
	}
	p.started = true
	ctx, p.cancel = context.WithCancel(ctx)
	go p.run(ctx)
}

// Stop cancels every running check and waits until all goroutines have
// returned. It is idempotent, and a prober cannot be restarted after it.
func (p *Prober) Stop() {
	p.lifeMu.Lock()
	p.stopped = true
	started, cancel := p.started, p.cancel
	p.lifeMu.Unlock()
	if !started {
		return
	}
	cancel()
	<-p.done
	p.client.CloseIdleConnections()
}

// SetAssignment replaces the targets. Within the same window, targets whose
// endpoint is unchanged keep their numbers; a new window, a new unit or a
// changed endpoint starts from zero, so that numbers describe the current
// window and endpoint only. Duplicate unit IDs keep the first entry. Invalid
// endpoints stay assigned and count as down. It never waits for a check.
func (p *Prober) SetAssignment(window uint64, targets []Target) {
	if !p.cfg.Enabled {
		return
	}
	// Parse outside the lock: it is the only non-trivial work here.
	fresh := make(map[uint64]*targetState, len(targets))
	duplicates := 0
	now := time.Now()
	for _, t := range targets {
		if _, dup := fresh[t.UnitID]; dup {
			duplicates++
			continue
		}
		fresh[t.UnitID] = p.newTargetState(t, now)
	}
	if duplicates > 0 {
		p.logger.Error("assignment has duplicate unit IDs; keeping the first of each", "window", window, "duplicates", duplicates)
	}

	p.mu.Lock()
	if p.assigned && p.window == window {
		for id, st := range fresh {
			if old, ok := p.targets[id]; ok && old.target.Endpoint == st.target.Endpoint {
				fresh[id] = old
			}
		}
	}
	// A running check of a target that is not kept would be dropped when it
	// ends: cancel it now, so that it gives its slot to a current target.
	var gone []uint64
	for id, old := range p.targets {
		if fresh[id] != old && old.cancel != nil {
			old.cancel()
		}
		if _, kept := fresh[id]; !kept {
			gone = append(gone, id)
		}
	}
	if !p.assigned || p.window != window {
		p.windowStarted = now
	}
	p.window, p.assigned, p.targets = window, true, fresh
	p.mu.Unlock()
	for _, id := range gone {
		forget(id)
	}
	p.signal()
}

// newTargetState prepares a target whose first check is due after a small
// per-unit offset, so that a new window does not fire every request at once.
func (p *Prober) newTargetState(t Target, now time.Time) *targetState {
	st := &targetState{target: t, nextDue: now.Add(startOffset(t.UnitID, p.cfg.ProbeInterval))}
	st.urls, st.urlErr = parseEndpoint(t.Endpoint, p.cfg.ObjectSize)
	return st
}

// startOffset is a deterministic per-unit offset in [0, interval/4).
func startOffset(unitID uint64, interval time.Duration) time.Duration {
	spread := uint64(interval / 4)
	if spread == 0 {
		return 0
	}
	// splitmix64 finaliser: consecutive unit IDs land far apart.
	z := unitID + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return time.Duration(z % spread)
}

// Snapshot returns the measurements of window's targets, sorted by UnitID.
// A target is reported when it has a completed check no older than
// MaxStaleness, or a running check that has gone unanswered (no successful
// ping) for at least unansweredGrace: that check counts as failed, every
// operation of it, on top of the completed ones. An assigned target that
// does not answer is therefore reported down (uptime 0, error rate 100 %
// when nothing else was measured) even when no check of it could finish in
// the window. Snapshot returns nil when the prober is disabled, when window
// is not the current assignment's, or when nothing qualifies. It only
// copies memory.
func (p *Prober) Snapshot(window uint64) []Measurement {
	if !p.cfg.Enabled {
		return nil
	}
	now := p.now()
	monotonic := time.Now()
	p.mu.Lock()
	if !p.assigned || p.window != window {
		p.mu.Unlock()
		return nil
	}
	out := make([]Measurement, 0, len(p.targets))
	for _, st := range p.targets {
		m := st.summary
		if st.inFlight && !st.answered && monotonic.Sub(st.checkStarted) >= p.unansweredGrace {
			m = st.stats.withUnansweredCheck(st.target.UnitID, p.cfg.LatencySamples, m, now)
		}
		if m.Checks == 0 || now.Sub(m.LastCheck) > p.cfg.MaxStaleness {
			continue
		}
		out = append(out, m)
	}
	short := p.shortWindowLocked(len(out), monotonic)
	p.mu.Unlock()
	if short.log {
		p.logger.Error("oracle window ended before one probe check could: nothing to report for it, so its units get no QoS record; "+
			"keep window_blocks × block interval above probe-interval/4 + check-timeout (x/oracle/README.md, \"A window must hold one check\")",
			"window", window, "window_duration", short.lasted, "needs", short.needs, "short_windows", short.count)
	}

	if len(out) == 0 {
		return nil
	}
	// Unit IDs are map keys, so they are unique.
	slices.SortFunc(out, func(a, b Measurement) int { return cmp.Compare(a.UnitID, b.UnitID) })
	return out
}

// signal wakes the scheduler without blocking; one pending wake-up is enough.
func (p *Prober) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// shortWindowReport says whether Snapshot found a window too short to hold
// one check, and whether to log it.
type shortWindowReport struct {
	log           bool
	lasted, needs time.Duration
	count         uint64
}

// shortWindowLocked tells a window that ends with assigned targets and
// nothing to report because it was shorter than the first check of a unit
// can take (its start offset, up to probe-interval/4, plus check-timeout):
// every window starts its units from zero, and the next one cancels a check
// still running, so such windows never report and the chain records
// nothing for them (issue 19). That is a configuration the chain cannot see
// (it knows no block interval); the prober says so, at most once a minute.
// Called with p.mu held.
func (p *Prober) shortWindowLocked(reported int, monotonic time.Time) shortWindowReport {
	if reported > 0 || len(p.targets) == 0 || p.windowStarted.IsZero() {
		return shortWindowReport{}
	}
	lasted := monotonic.Sub(p.windowStarted)
	needs := p.cfg.ProbeInterval/4 + p.cfg.CheckTimeout
	if lasted >= needs || (p.shortWindows > 0 && p.lastShortWindow == p.window) {
		return shortWindowReport{}
	}
	p.shortWindows, p.lastShortWindow = p.shortWindows+1, p.window
	r := shortWindowReport{lasted: lasted, needs: needs, count: p.shortWindows}
	if p.lastShortWarning.IsZero() || monotonic.Sub(p.lastShortWarning) >= time.Minute {
		p.lastShortWarning, r.log = monotonic, true
	}
	return r
}
