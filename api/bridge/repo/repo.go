// Package repo is the bridge's repositories: one bucket on the bridge
// backed by one deal (normal mode) or mirrored over several (mirror mode).
// Writes go to every deal that is up and are acknowledged once the write
// quorum has them; reads go to the fastest deal that is up and holds the
// current version, and fail over to the next; a deal that missed a write is
// repaired in the background from one that has it. The record of which deal
// holds which version, the missed writes and the open multipart uploads is
// kept in a DB. Each deal is a versitygw backend.Backend (DealBackend in
// production, in-memory fakes in tests).
package repo

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"cosmossdk.io/log"
	"github.com/versity/versitygw/backend"
	"github.com/versity/versitygw/s3err"

	"github.com/flashbacknetwork/flashbackd/api/receipts"
)

// Replica is one deal behind a repository.
type Replica struct {
	Deal     uint64
	Bucket   string // the deal's bucket on its provider node
	Endpoint string // for the status report
	Backend  backend.Backend
	Stats    *Stats
}

// Options are the timings of a repository (bridge.toml's [mirror]).
type Options struct {
	FailoverAfter time.Duration
	// HedgeAfter is how long a read waits for a deal before asking the
	// next one as well (0: only once it has failed); see readFrom.
	HedgeAfter   time.Duration
	WriteTimeout time.Duration
	SpoolDir     string // where mirror-mode bodies wait while they go out
	// Meter counts the object bytes each deal delivers to clients, for
	// the usage receipts of egress billing; nil: not counted.
	Meter  *receipts.Meter
	Logger log.Logger
}

// Repo is one repository.
type Repo struct {
	Name     string
	Mirror   bool
	Quorum   int
	Replicas []*Replica
	db       *DB
	opts     Options
	logger   log.Logger

	// locks serialize writes and repairs of one key: a late replica of a
	// write, a newer write and a repair of the key never interleave.
	locks keyLocks
	// members guards Replicas, Mirror and Quorum: every entry point holds
	// it for reading, SetReplicas (the autopilot's replacement of a deal)
	// for writing, so a membership change happens between requests.
	members sync.RWMutex
	// background counts replica writes still going after their
	// acknowledgement; Close waits for them.
	background sync.WaitGroup
	repairNow  chan struct{}
}

// New builds a repository over replicas (at least one; quorum in [1, n]).
func New(name string, mirror bool, quorum int, replicas []*Replica, db *DB, opts Options) (*Repo, error) {
	if len(replicas) == 0 || quorum < 1 || quorum > len(replicas) {
		return nil, fmt.Errorf("repository %s: quorum %d of %d deals", name, quorum, len(replicas))
	}
	if opts.Logger == nil {
		opts.Logger = log.NewNopLogger()
	}
	if opts.FailoverAfter <= 0 {
		opts.FailoverAfter = 2 * time.Second
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 10 * time.Minute
	}
	r := &Repo{
		Name: name, Mirror: mirror, Quorum: quorum, Replicas: replicas, db: db, opts: opts,
		logger: opts.Logger.With("repository", name), repairNow: make(chan struct{}, 1),
	}
	for _, rep := range replicas {
		if rep.Stats == nil {
			rep.Stats = NewStats(3)
		}
		rep.Stats.cameBack = r.TriggerRepair
	}
	return r, nil
}

// Wait waits for replica writes still running after their acknowledgement.
func (r *Repo) Wait() { r.background.Wait() }

// lock takes key's write lock and returns its release.
func (r *Repo) lock(key string) func() { return r.locks.lock(key) }

// keyLocks are per-key mutexes, kept only while someone holds or waits
// for them.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	refs int
}

func (k *keyLocks) lock(key string) func() {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyLock{}
	}
	l := k.m[key]
	if l == nil {
		l = &keyLock{}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}

func (r *Repo) replica(deal uint64) *Replica {
	for _, rep := range r.Replicas {
		if rep.Deal == deal {
			return rep
		}
	}
	return nil
}

// readOrder orders the replicas a read may use: those that are up before
// those that are down, those whose last request succeeded before those
// whose last one failed, then by median latency (a deal not yet measured
// first, so that it gets measured), then by configuration order. Only
// deals for which holds is true are included.
func (r *Repo) readOrder(holds func(uint64) bool) []*Replica {
	var out []*Replica
	for _, rep := range r.Replicas {
		if holds(rep.Deal) {
			out = append(out, rep)
		}
	}
	type key struct {
		down, failing bool
		p50           time.Duration
	}
	keys := map[*Replica]key{}
	for _, rep := range out {
		keys[rep] = key{!rep.Stats.Up(), rep.Stats.Failing(), rep.Stats.P50()}
	}
	slices.SortStableFunc(out, func(a, b *Replica) int {
		ka, kb := keys[a], keys[b]
		switch {
		case ka.down != kb.down:
			if ka.down {
				return 1
			}
			return -1
		case ka.failing != kb.failing:
			if ka.failing {
				return 1
			}
			return -1
		case ka.p50 < kb.p50:
			return -1
		case ka.p50 > kb.p50:
			return 1
		}
		return 0
	})
	return out
}

// Errors the bridge answers with itself.
var (
	errNoReplica = s3err.APIError{
		Code:           "ServiceUnavailable",
		Description:    "No deal of the repository could serve the request. Please retry.",
		HTTPStatusCode: http.StatusServiceUnavailable,
	}
	errBodyLength = s3err.APIError{
		Code:           "IncompleteBody",
		Description:    "The request body is not as long as its declared length.",
		HTTPStatusCode: http.StatusBadRequest,
	}
	errCorrupt = s3err.APIError{
		Code:           "InternalError",
		Description:    "A deal returned an object that does not match its checksum.",
		HTTPStatusCode: http.StatusInternalServerError,
	}
)

// quorumError is the answer to a write that fewer than the quorum's deals
// took.
func quorumError(ok, tried, deals, quorum int) error {
	return s3err.APIError{
		Code:           "ServiceUnavailable",
		Description:    fmt.Sprintf("The write reached %d of the repository's %d deals (%d tried); it needs %d. Please retry.", ok, deals, tried, quorum),
		HTTPStatusCode: http.StatusServiceUnavailable,
	}
}

// s3Status returns the S3 code and HTTP status of a deal's answer (status 0:
// no S3 answer, the deal was not reached).
func s3Status(err error) (string, int) {
	var se s3err.S3Error
	if errors.As(err, &se) {
		b := se.BaseError()
		return b.Code, b.HTTPStatusCode
	}
	return "", 0
}

// dealSideCodes are answers about the deal itself (its credentials, its
// bucket), never about the client's request: the deal is at fault.
var dealSideCodes = map[string]bool{
	"NoSuchBucket": true, "AccessDenied": true, "InvalidAccessKeyId": true, "SignatureDoesNotMatch": true,
	"AllAccessDisabled": true, "QuotaExceeded": true, "NoSuchKey": true, "NotFound": true,
}

// dealFault reports a failure that says the deal is unwell: no answer
// (unreachable, timed out), a server error, or an answer about its bucket
// or credentials. It counts against the deal's health; a refusal (quota
// exceeded, a missing object) does not.
func dealFault(err error) bool {
	code, status := s3Status(err)
	switch code {
	case "NoSuchBucket", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled":
		return true
	}
	return status == 0 || status >= 500
}

// clientSide reports an answer about the client's request (a bad range, a
// failed precondition, not modified): the same on every deal, so it is
// the client's answer and no reason to fail over.
func clientSide(err error) bool {
	code, status := s3Status(err)
	return status >= 300 && status < 500 && !dealSideCodes[code]
}

// notFound reports a deal's answer that it has no such object.
func notFound(err error) bool {
	code, status := s3Status(err)
	return code == "NoSuchKey" || code == "NotFound" || status == http.StatusNotFound && code != "NoSuchBucket"
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
