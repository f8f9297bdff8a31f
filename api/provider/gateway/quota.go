package gateway

import (
	"math"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/versity/versitygw/s3err"
)

// errQuota is the answer to a write that would take a deal beyond its quota.
var errQuota = s3err.GetAPIError(s3err.ErrQuotaExceeded)

// usage is one deal's accounting. Stored bytes are rebuilt from storage when
// the deal is first served and then kept up to date by every write and
// delete; reserved bytes are what in-flight writes and the parts of open
// multipart uploads may still add. Quota admission counts both, so that
// concurrent uploads cannot together overrun the quota.
type usage struct {
	mu       sync.Mutex
	stored   int64
	reserved int64
	uploads  map[string]map[int32]int64 // open multipart upload id → part number → size

	ingress  atomic.Uint64 // request body bytes read for writes
	egress   atomic.Uint64 // object bytes written to clients
	requests atomic.Uint64 // S3 requests on the deal's bucket

	storedGauge prometheus.Gauge // the deal's stored-bytes metric; nil in unit tests of usage alone
}

// quotaLimit converts a quota to the int64 arithmetic used here.
func quotaLimit(q uint64) int64 {
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}

// headroom is how many more bytes fit if `replaced` stored bytes go away.
// Caller holds mu.
func (u *usage) headroomLocked(quota uint64, replaced int64) int64 {
	return quotaLimit(quota) - (u.stored - replaced + u.reserved)
}

// admit reserves n bytes for a write that will replace `replaced` stored
// bytes (an overwritten object), or refuses it with QuotaExceeded. It
// returns how many bytes the write may read before it must be aborted:
// everything that still fits, at least n.
func (u *usage) admit(quota uint64, n, replaced int64) (limit int64, err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	room := u.headroomLocked(quota, replaced)
	if n > room {
		return 0, errQuota
	}
	u.reserved += n
	return room, nil
}

// commit ends a write admitted with reservation n: written bytes replaced
// `replaced` stored bytes. A failed write passes written = replaced = 0.
func (u *usage) commit(n, written, replaced int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.reserved -= n
	u.addStoredLocked(written - replaced)
}

// removed accounts for n stored bytes deleted.
func (u *usage) removed(n int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.addStoredLocked(-n)
}

func (u *usage) addStoredLocked(delta int64) {
	u.stored = max(0, u.stored+delta)
	if u.storedGauge != nil {
		u.storedGauge.Set(float64(u.stored))
	}
}

// openUpload registers a new multipart upload.
func (u *usage) openUpload(id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.uploads == nil {
		u.uploads = map[string]map[int32]int64{}
	}
	if u.uploads[id] == nil {
		u.uploads[id] = map[int32]int64{}
	}
}

// admitPart reserves n bytes for part `part` of upload id, which replaces
// an earlier upload of the same part number, or refuses it. It returns the
// read limit like admit.
func (u *usage) admitPart(quota uint64, id string, part int32, n int64) (limit int64, err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	old := u.uploads[id][part]
	room := quotaLimit(quota) - (u.stored + u.reserved - old)
	if n > room {
		return 0, errQuota
	}
	u.reserved += n
	return room, nil
}

// partDone ends a part upload admitted with reservation n. A stored part
// keeps its bytes reserved until the upload completes or is aborted, and
// frees those of the part it replaced.
func (u *usage) partDone(id string, part int32, n int64, ok bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !ok {
		u.reserved -= n
		return
	}
	if u.uploads == nil {
		u.uploads = map[string]map[int32]int64{}
	}
	parts := u.uploads[id]
	if parts == nil {
		parts = map[int32]int64{}
		u.uploads[id] = parts
	}
	u.reserved -= parts[part]
	parts[part] = n
}

// finishUpload releases the parts of upload id. A completed upload stored
// an object of final bytes that replaced `replaced` bytes.
func (u *usage) finishUpload(id string, completed bool, final, replaced int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, n := range u.uploads[id] {
		u.reserved -= n
	}
	delete(u.uploads, id)
	if completed {
		u.addStoredLocked(final - replaced)
	}
}

// reset installs the state scanned from storage.
func (u *usage) reset(stored int64, uploads map[string]map[int32]int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.reserved = 0
	for _, parts := range uploads {
		for _, n := range parts {
			u.reserved += n
		}
	}
	u.uploads = uploads
	u.stored = 0
	u.addStoredLocked(stored)
}

// snapshot returns the stored and reserved bytes.
func (u *usage) snapshot() (stored, reserved int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.stored, u.reserved
}
