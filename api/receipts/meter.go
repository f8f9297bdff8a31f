package receipts

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"

	orchestratortypes "github.com/flashbacknetwork/flashbackd/x/orchestrator/types"
)

// SendFunc delivers an encoded receipt to deal dealID's provider node (an S3
// PUT of layout.ReceiptKey in the deal's bucket).
type SendFunc func(ctx context.Context, dealID uint64, body []byte) error

// Meter is the consumer side of egress billing: it counts the object bytes
// each deal's provider delivered and, on Flush, signs and sends one receipt
// per deal whose count grew. Safe for concurrent use.
//
// A Meter keeps no state of its own across restarts: Seed it with what the
// chain has billed (the deal's egress_billed_bytes and receipt_sequence) and
// it goes on from there. Sequences are the signing time in milliseconds
// (at least one above the last), so they grow across restarts too.
type Meter struct {
	kr      keyring.Keyring
	keyName string
	chainID string
	send    SendFunc
	now     func() time.Time

	mu    sync.Mutex
	deals map[uint64]*metered
}

type metered struct {
	served    uint64 // cumulative bytes delivered
	receipted uint64 // bytes of the last receipt delivered
	sequence  uint64 // sequence of the last receipt signed
}

// NewMeter signs with the keyring key keyName (the consumer's account key).
func NewMeter(kr keyring.Keyring, keyName, chainID string, send SendFunc) *Meter {
	return &Meter{kr: kr, keyName: keyName, chainID: chainID, send: send, now: time.Now, deals: map[uint64]*metered{}}
}

// Seed starts counting deal dealID from what the chain has billed. Seeding
// a deal already counted only raises its counts.
func (m *Meter) Seed(dealID, billedBytes, billedSequence uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.deal(dealID)
	d.served = max(d.served, billedBytes)
	d.receipted = max(d.receipted, billedBytes)
	d.sequence = max(d.sequence, billedSequence)
}

// Add counts n bytes delivered by deal dealID's provider.
func (m *Meter) Add(dealID uint64, n int64) {
	if n <= 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deal(dealID).served += uint64(n)
}

// Served is the cumulative bytes counted for deal dealID.
func (m *Meter) Served(dealID uint64) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d, ok := m.deals[dealID]; ok {
		return d.served
	}
	return 0
}

func (m *Meter) deal(id uint64) *metered {
	d, ok := m.deals[id]
	if !ok {
		d = &metered{}
		m.deals[id] = d
	}
	return d
}

// Flush signs and sends a receipt for every deal whose count grew since
// its last delivered receipt, in deal order. A failed delivery is retried
// at the next Flush (with a new, cumulative receipt); the errors are
// joined.
func (m *Meter) Flush(ctx context.Context) error {
	type pending struct {
		id uint64
		r  orchestratortypes.UsageReceipt
	}
	var todo []pending
	m.mu.Lock()
	for id, d := range m.deals {
		if d.served <= d.receipted {
			continue
		}
		seq := max(d.sequence+1, uint64(m.now().UnixMilli()))
		d.sequence = seq
		todo = append(todo, pending{id, orchestratortypes.UsageReceipt{ChainId: m.chainID, DealId: id, BytesServed: d.served, Sequence: seq}})
	}
	m.mu.Unlock()
	sort.Slice(todo, func(i, j int) bool { return todo[i].id < todo[j].id })

	var errs []error
	for _, p := range todo {
		s, err := Sign(m.kr, m.keyName, p.r)
		if err == nil {
			err = m.send(ctx, p.id, Encode(s))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("deal %d: %w", p.id, err))
			continue
		}
		m.mu.Lock()
		d := m.deal(p.id)
		d.receipted = max(d.receipted, p.r.BytesServed)
		m.mu.Unlock()
	}
	return errors.Join(errs...)
}
