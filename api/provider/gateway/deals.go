package gateway

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/versity/versitygw/s3err"
)

// Access is what a deal's consumer may do with its bucket.
type Access int

const (
	// AccessReadWrite: the deal is active.
	AccessReadWrite Access = iota
	// AccessReadOnly: the deal is closed and within its retrieval period;
	// reads and listings work, every write is AccessDenied.
	AccessReadOnly
)

func (a Access) String() string {
	switch a {
	case AccessReadWrite:
		return "read-write"
	case AccessReadOnly:
		return "read-only"
	default:
		return fmt.Sprintf("Access(%d)", int(a))
	}
}

// Deal is one deal the node serves: bucket deal-<ID> on unit UnitID, usable
// only with AccessKeyID/Secret.
type Deal struct {
	ID          uint64
	UnitID      uint64
	AccessKeyID string
	Secret      string
	// QuotaBytes bounds the bytes the deal may store, in-flight uploads
	// included. 0 refuses every non-empty write.
	QuotaBytes uint64
	Access     Access
}

// dealBucketPrefix names deal buckets: deal-<id>.
const dealBucketPrefix = "deal-"

// BucketName is the S3 bucket of deal id on the gateway.
func BucketName(id uint64) string { return dealBucketPrefix + strconv.FormatUint(id, 10) }

// parseDealBucket is BucketName's inverse. Only the canonical spelling is
// accepted (no sign, no leading zeros), so that one deal has one bucket.
func parseDealBucket(bucket string) (uint64, bool) {
	digits, ok := strings.CutPrefix(bucket, dealBucketPrefix)
	if !ok || digits == "" || (len(digits) > 1 && digits[0] == '0') {
		return 0, false
	}
	id, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, false
	}
	return id, true
}

// dealKeyPrefix is where deal id's objects live in its unit's storage.
func dealKeyPrefix(id uint64) string { return "deals/" + strconv.FormatUint(id, 10) + "/" }

// dealState is a served deal. The pointer stays the same for as long as the
// deal is served, so its usage survives PutDeal updates.
type dealState struct {
	id      uint64
	unit    *unit
	prefix  string
	created time.Time
	cfg     atomic.Pointer[Deal]
	usage   usage

	// leases counts storage calls in progress for this deal; RemoveDeal
	// waits for them before deleting the data, so that no write lands after
	// the deletion. revoked makes in-flight uploads fail on their next read.
	leases  sync.WaitGroup
	revoked atomic.Bool
}

func (s *dealState) deal() Deal { return *s.cfg.Load() }

// dealTable is the set of served deals, by id and by access key.
type dealTable struct {
	mu    sync.RWMutex
	byID  map[uint64]*dealState
	byKey map[string]*dealState
}

func newDealTable() *dealTable {
	return &dealTable{byID: map[uint64]*dealState{}, byKey: map[string]*dealState{}}
}

// acquire finds the deal served as bucket and takes a lease on it; the
// caller must call release when its storage call is over. An unknown
// bucket is NoSuchBucket.
func (t *dealTable) acquire(bucket string) (st *dealState, release func(), err error) {
	id, ok := parseDealBucket(bucket)
	if !ok {
		return nil, nil, s3err.GetBucketErr(s3err.ErrNoSuchBucket, bucket)
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	st = t.byID[id]
	if st == nil {
		return nil, nil, s3err.GetBucketErr(s3err.ErrNoSuchBucket, bucket)
	}
	// Add happens under the read lock, and removal takes the write lock
	// before waiting: no lease can start on a removed deal.
	st.leases.Add(1)
	return st, st.leases.Done, nil
}

// get returns the served deal id, or nil.
func (t *dealTable) get(id uint64) *dealState {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.byID[id]
}

// byAccessKey returns the deal whose credentials are key, or nil.
func (t *dealTable) byAccessKey(key string) *dealState {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.byKey[key]
}

// all returns the served deals in id order.
func (t *dealTable) all() []*dealState {
	t.mu.RLock()
	out := make([]*dealState, 0, len(t.byID))
	for _, st := range t.byID {
		out = append(out, st)
	}
	t.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// update replaces the settings of a served deal. The access key index
// follows a changed key.
func (t *dealTable) update(st *dealState, d Deal) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if other := t.byKey[d.AccessKeyID]; other != nil && other != st {
		return fmt.Errorf("access key of deal %d is already used by deal %d", d.ID, other.id)
	}
	old := st.deal()
	delete(t.byKey, old.AccessKeyID)
	t.byKey[d.AccessKeyID] = st
	st.cfg.Store(&d)
	return nil
}

// insert starts serving st.
func (t *dealTable) insert(st *dealState) error {
	d := st.deal()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byID[d.ID] != nil {
		return fmt.Errorf("deal %d is already served", d.ID)
	}
	if other := t.byKey[d.AccessKeyID]; other != nil {
		return fmt.Errorf("access key of deal %d is already used by deal %d", d.ID, other.id)
	}
	t.byID[d.ID] = st
	t.byKey[d.AccessKeyID] = st
	return nil
}

// remove stops serving deal id and returns its state (nil if it was not
// served). New requests no longer find it; in-flight ones keep their lease.
func (t *dealTable) remove(id uint64) *dealState {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.byID[id]
	if st == nil {
		return nil
	}
	delete(t.byID, id)
	if t.byKey[st.deal().AccessKeyID] == st {
		delete(t.byKey, st.deal().AccessKeyID)
	}
	st.revoked.Store(true)
	return st
}
