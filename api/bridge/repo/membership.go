package repo

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// member holds the membership for reading until the returned func.
func (r *Repo) member() func() {
	r.members.RLock()
	return r.members.RUnlock
}

// Members returns the repository's replicas, mode and quorum now.
func (r *Repo) Members() (replicas []*Replica, mirror bool, quorum int) {
	defer r.member()()
	return append([]*Replica(nil), r.Replicas...), r.Mirror, r.Quorum
}

// SetReplicas changes the deals behind the repository (the autopilot adds
// a deal, then removes the one it replaces). It waits for the requests in
// progress and the writes still going after their acknowledgement, so the
// change falls between writes: every write is recorded against the members
// it went to. A new replica has no record of holding anything: mark what it
// must get with SeedPending, and repair does the copying.
func (r *Repo) SetReplicas(replicas []*Replica, mirror bool, quorum int) error {
	if len(replicas) == 0 || quorum < 1 || quorum > len(replicas) {
		return fmt.Errorf("repository %s: quorum %d of %d deals", r.Name, quorum, len(replicas))
	}
	r.members.Lock()
	defer r.members.Unlock()
	r.background.Wait()
	for _, rep := range replicas {
		if rep.Stats == nil {
			rep.Stats = NewStats(3)
		}
		rep.Stats.cameBack = r.TriggerRepair
	}
	r.Replicas, r.Mirror, r.Quorum = replicas, mirror, quorum
	r.logger.Info("the repository's deals changed", "deals", dealsOfReplicas(replicas), "mirror", mirror, "quorum", quorum)
	return nil
}

func dealsOfReplicas(reps []*Replica) []uint64 {
	out := make([]uint64, 0, len(reps))
	for _, rep := range reps {
		out = append(out, rep.Deal)
	}
	return out
}

// HasPending reports whether deal has missed writes in the repository.
func (r *Repo) HasPending(deal uint64) (bool, error) { return r.db.HasPending(r.Name, deal) }

// SeedPending records, in one transaction, every object of the repository
// that deal does not hold as a write it missed, so that repair copies it
// there. It returns how many.
func (d *DB) SeedPending(repo string, deal uint64) (int, error) {
	n := 0
	err := d.db.Update(func(tx *bolt.Tx) error {
		objs, err := sub(tx, bktObjects, repo, true)
		if err != nil {
			return err
		}
		p, err := sub(tx, bktPending, repo, true)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(Pending{Since: time.Now().UTC()})
		return objs.ForEach(func(k, v []byte) error {
			var obj Object
			if err := json.Unmarshal(v, &obj); err != nil {
				return err
			}
			if obj.Has(deal) {
				return nil
			}
			n++
			return p.Put(pendingKey(deal, string(k)), raw)
		})
	})
	return n, err
}

// ForgetDeal removes deal from the repository's record: from the holders
// of every object, and its missed writes (it has left the repository).
func (d *DB) ForgetDeal(repo string, deal uint64) error {
	return d.db.Update(func(tx *bolt.Tx) error {
		objs, err := sub(tx, bktObjects, repo, true)
		if err != nil {
			return err
		}
		type change struct {
			key []byte
			raw []byte
		}
		var changes []change
		err = objs.ForEach(func(k, v []byte) error {
			var obj Object
			if err := json.Unmarshal(v, &obj); err != nil {
				return err
			}
			if !obj.Has(deal) {
				return nil
			}
			delete(obj.Replicas, deal)
			raw, err := json.Marshal(obj)
			if err != nil {
				return err
			}
			changes = append(changes, change{append([]byte(nil), k...), raw})
			return nil
		})
		if err != nil {
			return err
		}
		for _, c := range changes {
			if err := objs.Put(c.key, c.raw); err != nil {
				return err
			}
		}
		p, err := sub(tx, bktPending, repo, true)
		if err != nil {
			return err
		}
		prefix := pendingKey(deal, "")
		var del [][]byte
		c := p.Cursor()
		for k, _ := c.Seek(prefix); len(k) >= 8 && string(k[:8]) == string(prefix); k, _ = c.Next() {
			del = append(del, append([]byte(nil), k...))
		}
		for _, k := range del {
			if err := p.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}
