package gateway

import "sync"

// keyLocks serializes the publication of objects per storage key within
// the process. The gateway's own posix PUT (posixput.go) and versitygw's
// publishing calls (its PutObject and CompleteMultipartUpload, which
// evaluate S3 conditional headers under a lock of their own that the
// gateway cannot reach) both hold the key's lock while they check a
// condition and link the object into place, so that a conditional write is
// decided atomically whichever path wrote the object it sees. Locks are
// exact per key (no striping: versitygw's publishing calls hold the lock
// for their whole call, body included, and an unrelated key must never
// wait for it).
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

// lock takes the lock of bucket/key and returns its release.
func (k *keyLocks) lock(bucket, key string) func() {
	name := bucket + "/" + key
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyLock{}
	}
	l := k.locks[name]
	if l == nil {
		l = &keyLock{}
		k.locks[name] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.locks, name)
		}
		k.mu.Unlock()
	}
}
