package autopilot

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	sdkmath "cosmossdk.io/math"
)

// LedgerFile is the autopilot's file in the bridge's data directory. It is
// apart from bridge.db, which `bridge serve` holds open: `bridge reserve`
// and the serving bridge both write here, each opening it only for the
// moment of a write.
const LedgerFile = "autopilot.db"

// Decision is one thing the autopilot did or decided not to do.
type Decision struct {
	Seq        uint64    `json:"seq"`
	Time       time.Time `json:"time"`
	Action     string    `json:"action"` // see the Action* constants
	Repository string    `json:"repository,omitempty"`
	Deal       uint64    `json:"deal,omitempty"`
	Unit       uint64    `json:"unit,omitempty"`
	NewDeal    uint64    `json:"new_deal,omitempty"`
	Amount     string    `json:"amount,omitempty"` // uflash spent (or refused)
	Reason     string    `json:"reason"`
}

// Actions of decisions.
const (
	ActionReserved  = "reserved" // a deal was requested, accepted and added
	ActionDeclined  = "declined" // a request was declined, expired or cancelled; the next unit is tried
	ActionTopUp     = "top-up"   // escrow added to a deal
	ActionReplace   = "replace"  // a deal is being replaced (why: ending, CRITICAL)
	ActionReplaced  = "replaced" // its objects are on the new deal; the old one left the repository and was closed
	ActionBudget    = "budget"   // an action was not taken: the budget would be exceeded
	ActionRollback  = "rollback" // a reservation failed half-way: the deals it had were closed
	ActionFailed    = "failed"   // an action failed (retried next round)
	ActionCandidate = "no-candidates"
)

// ErrBudget is an action refused because it would exceed the budget.
var ErrBudget = errors.New("the autopilot's budget is exhausted")

// Ledger is the autopilot's record: what it has spent and its last
// decisions (at most History), in LedgerFile.
type Ledger struct {
	Path    string
	History int
}

var (
	bktState     = []byte("state")
	bktDecisions = []byte("decisions")
	keySpent     = []byte("spent")
	keyStatus    = []byte("status")
)

// OpenLedger is the ledger in dataDir.
func OpenLedger(dataDir string, history int) *Ledger {
	if history <= 0 {
		history = 200
	}
	return &Ledger{Path: filepath.Join(dataDir, LedgerFile), History: history}
}

func (l *Ledger) update(f func(tx *bolt.Tx) error) error {
	if err := os.MkdirAll(filepath.Dir(l.Path), 0o700); err != nil {
		return err
	}
	db, err := bolt.Open(l.Path, 0o600, &bolt.Options{Timeout: 10 * time.Second})
	if err != nil {
		return fmt.Errorf("the autopilot's ledger %s: %w", l.Path, err)
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bktState, bktDecisions} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return f(tx)
	})
}

func spentIn(tx *bolt.Tx) sdkmath.Int {
	raw := tx.Bucket(bktState).Get(keySpent)
	if v, ok := sdkmath.NewIntFromString(string(raw)); ok {
		return v
	}
	return sdkmath.ZeroInt()
}

// Spend records amount as spent if spent + amount stays within budget;
// otherwise it changes nothing but the status and returns ErrBudget.
func (l *Ledger) Spend(budget, amount sdkmath.Int) error {
	var refused error
	err := l.update(func(tx *bolt.Tx) error {
		spent := spentIn(tx)
		if spent.Add(amount).GT(budget) {
			refused = fmt.Errorf("%w: %s uflash needed, %s of the budget of %s left (raise autopilot.budget_uflash)",
				ErrBudget, amount, budget.Sub(spent), budget)
			return tx.Bucket(bktState).Put(keyStatus, []byte(refused.Error()))
		}
		if err := tx.Bucket(bktState).Put(keySpent, []byte(spent.Add(amount).String())); err != nil {
			return err
		}
		return tx.Bucket(bktState).Delete(keyStatus)
	})
	if err != nil {
		return err
	}
	return refused
}

// Refund gives back to the budget what was spent and returned (a declined
// request's deposit).
func (l *Ledger) Refund(amount sdkmath.Int) error {
	return l.update(func(tx *bolt.Tx) error {
		left := spentIn(tx).Sub(amount)
		if left.IsNegative() {
			left = sdkmath.ZeroInt()
		}
		return tx.Bucket(bktState).Put(keySpent, []byte(left.String()))
	})
}

// Record appends a decision, dropping the oldest beyond History.
func (l *Ledger) Record(d Decision) (Decision, error) {
	err := l.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktDecisions)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		d.Seq = seq
		if d.Time.IsZero() {
			d.Time = time.Now().UTC()
		}
		raw, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if err := b.Put(seqKey(seq), raw); err != nil {
			return err
		}
		// Drop what is beyond the history (oldest first: keys are sequences).
		for n := b.Stats().KeyN + 1 - l.History; n > 0; n-- {
			k, _ := b.Cursor().First()
			if k == nil {
				break
			}
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	return d, err
}

func seqKey(seq uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, seq)
	return k
}

// Summary is the ledger as bridge status shows it.
type Summary struct {
	Budget    string     `json:"budget"`
	Spent     string     `json:"spent"`
	Left      string     `json:"left"`
	Exhausted string     `json:"exhausted,omitempty"` // the last refusal, until something is spent again
	Decisions []Decision `json:"decisions"`           // newest last
}

// Read returns the ledger's summary with its last n decisions (all: n<=0).
func (l *Ledger) Read(budget sdkmath.Int, n int) (Summary, error) {
	s := Summary{Budget: budget.String(), Spent: "0", Left: budget.String(), Decisions: []Decision{}}
	if _, err := os.Stat(l.Path); errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	err := l.update(func(tx *bolt.Tx) error {
		spent := spentIn(tx)
		s.Spent, s.Left = spent.String(), budget.Sub(spent).String()
		if budget.LT(spent) {
			s.Left = "0"
		}
		s.Exhausted = string(tx.Bucket(bktState).Get(keyStatus))
		c := tx.Bucket(bktDecisions).Cursor()
		for k, v := c.Last(); k != nil && (n <= 0 || len(s.Decisions) < n); k, v = c.Prev() {
			var d Decision
			if err := json.Unmarshal(v, &d); err != nil {
				return err
			}
			s.Decisions = append([]Decision{d}, s.Decisions...)
		}
		return nil
	})
	return s, err
}

// Refuse records why an action was refused for lack of budget (shown by
// bridge status until something is spent again).
func (l *Ledger) Refuse(why string) error {
	return l.update(func(tx *bolt.Tx) error { return tx.Bucket(bktState).Put(keyStatus, []byte(why)) })
}
