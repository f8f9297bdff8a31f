package repo

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// DB is the bridge's record of its repositories, in one bbolt file:
//
//	objects/<repo>/<key>              → Object: the current version and the deals that hold it
//	pending/<repo>/<deal 8 bytes><key> → Pending: a write (PUT or DELETE) the deal missed
//	uploads/<upload id>               → Upload: an open multipart upload and its upload on each deal
//	meta/<name>                       → what the bridge last read from the chain (PutMeta)
//
// bbolt (already in the module graph through CometBFT's database) is a
// single-file B+tree with serializable transactions and no background
// process: a missed write and the object record that makes it necessary
// are committed in one transaction, so a crash never leaves a replica
// stale without a repair recorded for it.
type DB struct {
	db *bolt.DB
}

var (
	bktObjects = []byte("objects")
	bktPending = []byte("pending")
	bktUploads = []byte("uploads")
	bktMeta    = []byte("meta")
)

// ErrLocked is returned by OpenDB when another process holds the file.
var ErrLocked = errors.New("the bridge database is in use by another process (is flashbackd bridge serve running?)")

// OpenDB opens (or creates) the database at path.
func OpenDB(path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bktObjects, bktPending, bktUploads, bktMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &DB{db: db}, nil
}

// Close closes the file.
func (d *DB) Close() error { return d.db.Close() }

// Object is the current version of an object of a repository.
type Object struct {
	// Seq orders the versions the bridge wrote (a late replica write of
	// an older version must not count for a newer one).
	Seq  uint64 `json:"seq"`
	Size int64  `json:"size"`
	// ETag is what the client was given when it wrote this version.
	ETag string `json:"etag"`
	// CRC32C is the CRC-32C (base64) of the bytes the bridge wrote, which
	// whole-object reads are checked against (verify.go); empty when the
	// bridge did not see the bytes (a rebuild, a copy, multipart).
	CRC32C string `json:"crc32c,omitempty"`
	// Replicas are the deals holding this version, each with the ETag
	// that deal reports for it (a repaired multipart object is stored as
	// one PUT, which gives it another ETag).
	Replicas map[uint64]string `json:"replicas"`
	// Parts are the part sizes of a multipart object, so that a repair
	// uploads it with the same parts and the same ETag (unknown after a
	// rebuild: such a repair is one PUT, recorded with its own ETag).
	Parts []int64 `json:"parts,omitempty"`
}

// Has reports whether deal holds this version.
func (o *Object) Has(deal uint64) bool {
	_, ok := o.Replicas[deal]
	return ok
}

// Deals lists the deals holding this version, sorted.
func (o *Object) Deals() []uint64 {
	out := make([]uint64, 0, len(o.Replicas))
	for d := range o.Replicas {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Pending is a write a deal missed.
type Pending struct {
	Repo  string    `json:"-"`
	Deal  uint64    `json:"-"`
	Key   string    `json:"-"`
	Since time.Time `json:"since"`
}

func pendingKey(deal uint64, key string) []byte {
	b := make([]byte, 8, 8+len(key))
	binary.BigEndian.PutUint64(b, deal)
	return append(b, key...)
}

// sub returns the repository's bucket under top, created when create.
func sub(tx *bolt.Tx, top []byte, repo string, create bool) (*bolt.Bucket, error) {
	t := tx.Bucket(top)
	if create {
		return t.CreateBucketIfNotExists([]byte(repo))
	}
	return t.Bucket([]byte(repo)), nil
}

// GetObject returns the object's record, nil when the repository has no
// such object.
func (d *DB) GetObject(repo, key string) (*Object, error) {
	var out *Object
	err := d.db.View(func(tx *bolt.Tx) error {
		b, _ := sub(tx, bktObjects, repo, false)
		if b == nil {
			return nil
		}
		raw := b.Get([]byte(key))
		if raw == nil {
			return nil
		}
		out = new(Object)
		return json.Unmarshal(raw, out)
	})
	return out, err
}

// PutObject records a new version of key (its Seq is assigned and
// returned): a missed write is recorded for each deal of missed, and
// cleared for each deal holding the version.
func (d *DB) PutObject(repo, key string, obj Object, missed []uint64) (uint64, error) {
	var seq uint64
	err := d.db.Update(func(tx *bolt.Tx) error {
		b, err := sub(tx, bktObjects, repo, true)
		if err != nil {
			return err
		}
		if seq, err = b.NextSequence(); err != nil {
			return err
		}
		obj.Seq = seq
		raw, err := json.Marshal(obj)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(key), raw); err != nil {
			return err
		}
		return setPending(tx, repo, key, obj.Deals(), missed)
	})
	return seq, err
}

// DeleteObject removes key's record; a missed delete is recorded for each
// deal of missed and cleared for the others of done.
func (d *DB) DeleteObject(repo, key string, done, missed []uint64) error {
	return d.db.Update(func(tx *bolt.Tx) error {
		b, err := sub(tx, bktObjects, repo, true)
		if err != nil {
			return err
		}
		if err := b.Delete([]byte(key)); err != nil {
			return err
		}
		return setPending(tx, repo, key, done, missed)
	})
}

func setPending(tx *bolt.Tx, repo, key string, done, missed []uint64) error {
	p, err := sub(tx, bktPending, repo, true)
	if err != nil {
		return err
	}
	for _, deal := range done {
		if err := p.Delete(pendingKey(deal, key)); err != nil {
			return err
		}
	}
	for _, deal := range missed {
		pk := pendingKey(deal, key)
		if p.Get(pk) != nil {
			continue // keep the first time it was missed
		}
		raw, _ := json.Marshal(Pending{Since: time.Now().UTC()})
		if err := p.Put(pk, raw); err != nil {
			return err
		}
	}
	return nil
}

// AddReplica records that deal now holds version seq of key (with the ETag
// it reports) and clears its missed write. It reports false, and changes
// nothing, when key is no longer at version seq.
func (d *DB) AddReplica(repo, key string, seq, deal uint64, etag string) (bool, error) {
	added := false
	err := d.db.Update(func(tx *bolt.Tx) error {
		b, err := sub(tx, bktObjects, repo, true)
		if err != nil {
			return err
		}
		raw := b.Get([]byte(key))
		if raw == nil {
			return nil
		}
		var obj Object
		if err := json.Unmarshal(raw, &obj); err != nil {
			return err
		}
		if obj.Seq != seq {
			return nil
		}
		if obj.Replicas == nil {
			obj.Replicas = map[uint64]string{}
		}
		obj.Replicas[deal] = etag
		if raw, err = json.Marshal(obj); err != nil {
			return err
		}
		if err := b.Put([]byte(key), raw); err != nil {
			return err
		}
		added = true
		return setPending(tx, repo, key, []uint64{deal}, nil)
	})
	return added, err
}

// DropReplica records that deal does not hold version seq of key after all
// (a read found it missing or different) and marks the write missed.
func (d *DB) DropReplica(repo, key string, seq, deal uint64) error {
	return d.db.Update(func(tx *bolt.Tx) error {
		b, err := sub(tx, bktObjects, repo, true)
		if err != nil {
			return err
		}
		raw := b.Get([]byte(key))
		if raw == nil {
			return nil
		}
		var obj Object
		if err := json.Unmarshal(raw, &obj); err != nil {
			return err
		}
		if obj.Seq != seq || !obj.Has(deal) {
			return nil
		}
		delete(obj.Replicas, deal)
		if raw, err = json.Marshal(obj); err != nil {
			return err
		}
		if err := b.Put([]byte(key), raw); err != nil {
			return err
		}
		return setPending(tx, repo, key, nil, []uint64{deal})
	})
}

// ClearPending forgets deal's missed write of key.
func (d *DB) ClearPending(repo string, deal uint64, key string) error {
	return d.db.Update(func(tx *bolt.Tx) error {
		return setPending(tx, repo, key, []uint64{deal}, nil)
	})
}

// ListPending returns up to limit of deal's missed writes in the
// repository, in key order, starting after the key after (all from the
// first when after is empty).
func (d *DB) ListPending(repo string, deal uint64, after string, limit int) ([]Pending, error) {
	var out []Pending
	err := d.db.View(func(tx *bolt.Tx) error {
		p, _ := sub(tx, bktPending, repo, false)
		if p == nil {
			return nil
		}
		prefix := pendingKey(deal, "")
		c := p.Cursor()
		k, v := c.Seek(pendingKey(deal, after))
		if after != "" && k != nil && string(k[8:]) == after {
			k, v = c.Next()
		}
		for ; k != nil && len(out) < limit && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var e Pending
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			e.Repo, e.Deal, e.Key = repo, deal, string(k[8:])
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// HasPending reports whether deal has any missed write in the repository
// (one seek, whatever the size of the record).
func (d *DB) HasPending(repo string, deal uint64) (bool, error) {
	found := false
	err := d.db.View(func(tx *bolt.Tx) error {
		p, _ := sub(tx, bktPending, repo, false)
		if p == nil {
			return nil
		}
		k, _ := p.Cursor().Seek(pendingKey(deal, ""))
		found = k != nil && bytes.HasPrefix(k, pendingKey(deal, ""))
		return nil
	})
	return found, err
}

// Counts are a repository's numbers of objects and missed writes per deal.
type Counts struct {
	Objects int
	Pending map[uint64]int
}

// Count counts the repository's objects and missed writes.
func (d *DB) Count(repo string) (Counts, error) {
	out := Counts{Pending: map[uint64]int{}}
	err := d.db.View(func(tx *bolt.Tx) error {
		if b, _ := sub(tx, bktObjects, repo, false); b != nil {
			out.Objects = b.Stats().KeyN
		}
		p, _ := sub(tx, bktPending, repo, false)
		if p == nil {
			return nil
		}
		return p.ForEach(func(k, _ []byte) error {
			out.Pending[binary.BigEndian.Uint64(k[:8])]++
			return nil
		})
	})
	return out, err
}

// Replace sets the repository's whole record (a rebuild from the deals).
func (d *DB) Replace(repo string, objects map[string]Object, missed map[string][]uint64) error {
	return d.db.Update(func(tx *bolt.Tx) error {
		for _, top := range [][]byte{bktObjects, bktPending} {
			if tx.Bucket(top).Bucket([]byte(repo)) != nil {
				if err := tx.Bucket(top).DeleteBucket([]byte(repo)); err != nil {
					return err
				}
			}
		}
		b, err := sub(tx, bktObjects, repo, true)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(objects))
		for k := range objects {
			keys = append(keys, k)
		}
		sort.Strings(keys) // sequence numbers in key order
		for _, k := range keys {
			obj := objects[k]
			if obj.Seq, err = b.NextSequence(); err != nil {
				return err
			}
			raw, err := json.Marshal(obj)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(k), raw); err != nil {
				return err
			}
			if err := setPending(tx, repo, k, nil, missed[k]); err != nil {
				return err
			}
		}
		return nil
	})
}

// Upload is an open multipart upload of the bridge.
type Upload struct {
	Repo      string            `json:"repo"`
	Key       string            `json:"key"`
	Initiated time.Time         `json:"initiated"`
	Deals     map[uint64]string `json:"deals"` // deal → its upload id
	Parts     map[int32]int64   `json:"parts"` // part number → size
}

// PutUpload stores an upload.
func (d *DB) PutUpload(id string, u Upload) error {
	return d.db.Update(func(tx *bolt.Tx) error {
		raw, err := json.Marshal(u)
		if err != nil {
			return err
		}
		return tx.Bucket(bktUploads).Put([]byte(id), raw)
	})
}

// GetUpload returns an upload, nil if there is none.
func (d *DB) GetUpload(id string) (*Upload, error) {
	var out *Upload
	err := d.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bktUploads).Get([]byte(id))
		if raw == nil {
			return nil
		}
		out = new(Upload)
		return json.Unmarshal(raw, out)
	})
	return out, err
}

// UpdateUpload changes an upload in one transaction (parts uploaded in
// parallel each record their size). It returns the upload as changed, nil
// when there is none.
func (d *DB) UpdateUpload(id string, change func(*Upload)) (*Upload, error) {
	var out *Upload
	err := d.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktUploads)
		raw := b.Get([]byte(id))
		if raw == nil {
			return nil
		}
		out = new(Upload)
		if err := json.Unmarshal(raw, out); err != nil {
			return err
		}
		change(out)
		raw, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return b.Put([]byte(id), raw)
	})
	return out, err
}

// DeleteUpload forgets an upload.
func (d *DB) DeleteUpload(id string) error {
	return d.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bktUploads).Delete([]byte(id)) })
}

// ListUploads returns the repository's open uploads by upload id.
func (d *DB) ListUploads(repo string) (map[string]Upload, error) {
	out := map[string]Upload{}
	err := d.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bktUploads).ForEach(func(k, v []byte) error {
			var u Upload
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			if u.Repo == repo {
				out[string(k)] = u
			}
			return nil
		})
	})
	return out, err
}

// PutMeta stores a value the bridge keeps between runs (the deals as last
// resolved on chain, for a start while the chain is unreachable).
func (d *DB) PutMeta(name string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return d.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bktMeta).Put([]byte(name), raw) })
}

// GetMeta reads a value stored by PutMeta into v; found is false when
// there is none.
func (d *DB) GetMeta(name string, v any) (found bool, err error) {
	err = d.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bktMeta).Get([]byte(name))
		if raw == nil {
			return nil
		}
		found = true
		return json.Unmarshal(raw, v)
	})
	return found, err
}
