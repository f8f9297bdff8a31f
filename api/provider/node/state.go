package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// stateVersion is the state file's format.
const stateVersion = 1

// Phases of a tracked deal.
const (
	// phaseRunning: ACTIVE or OVERDRAWN on chain; served read-write.
	phaseRunning = "running"
	// phaseClosed: CLOSED on chain and within its retrieval period; served
	// read-only.
	phaseClosed = "closed"
	// phaseRemoved: retrieval period over, bucket and data deleted; kept
	// until its last earnings are withdrawn.
	phaseRemoved = "removed"
)

// trackedDeal is a deal the node serves or served. It holds what the node
// needs to go on serving it without the chain: after a restart while the
// chain is unreachable, running deals are served from this record.
type trackedDeal struct {
	ID         uint64 `json:"id"`
	UnitID     uint64 `json:"unit_id"`
	Consumer   string `json:"consumer"`
	CapacityGB uint64 `json:"capacity_gb"`
	// ConsumerKey is the consumer's published X25519 key as last read
	// (public; empty when it has none: the bucket is locked).
	ConsumerKey []byte     `json:"consumer_key,omitempty"`
	Phase       string     `json:"phase"`
	ChainState  string     `json:"chain_state"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	RemovedAt   *time.Time `json:"removed_at,omitempty"`
	// EndTime is the deal's term end on chain (running deals).
	EndTime *time.Time `json:"end_time,omitempty"`
	// Receipt is the latest usage receipt the consumer uploaded, checked;
	// Billed what the chain has billed of the deal's egress as last read.
	Receipt *heldReceipt `json:"receipt,omitempty"`
	Billed  billedEgress `json:"billed"`
}

// heldReceipt is a checked usage receipt waiting to be submitted.
type heldReceipt struct {
	BytesServed uint64    `json:"bytes_served"`
	Sequence    uint64    `json:"sequence"`
	Signature   []byte    `json:"signature"`
	ReceivedAt  time.Time `json:"received_at"`
}

// billedEgress is the deal's egress billing on chain.
type billedEgress struct {
	Bytes       uint64     `json:"bytes"`
	Sequence    uint64     `json:"sequence"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
}

// retrievalEnds is when a closed deal's bucket is deleted.
func (d *trackedDeal) retrievalEnds(period time.Duration) time.Time {
	if d.ClosedAt == nil {
		return time.Time{}
	}
	return d.ClosedAt.Add(period)
}

// withdrawal is the record of the last withdrawal transaction.
type withdrawal struct {
	Time   time.Time `json:"time"`
	Deals  []uint64  `json:"deals"`
	Net    string    `json:"net"`
	Fee    string    `json:"fee"`
	TxHash string    `json:"tx_hash"`
}

// nodeState is the state file: what the node must remember across
// restarts. It never holds a secret (credentials are derived again from
// the key file and the consumers' public keys).
type nodeState struct {
	Version  int    `json:"version"`
	ChainID  string `json:"chain_id"`
	Provider string `json:"provider"`
	// Deals by id.
	Deals          map[uint64]*trackedDeal `json:"-"`
	LastSync       *time.Time              `json:"last_sync,omitempty"`
	LastWithdrawal *withdrawal             `json:"last_withdrawal,omitempty"`
	// Rebuilt is set once the deals were read from the chain after the
	// state file was found missing (a new node, or a lost file).
	Rebuilt bool `json:"rebuilt"`
}

// stateJSON is nodeState on disk, with the deals as a sorted list.
type stateJSON struct {
	nodeState
	DealList []*trackedDeal `json:"deals"`
}

func newState(provider string) *nodeState {
	return &nodeState{Version: stateVersion, Provider: provider, Deals: map[uint64]*trackedDeal{}}
}

// loadState reads the state file; a missing file gives a fresh state that
// asks for a rebuild from the chain.
func loadState(path, provider string) (*nodeState, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return newState(provider), nil
	}
	if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	return parseState(raw, path, provider)
}

// parseState decodes a state file's content and refuses one the node could
// not have written: a deal that is null, has id 0, is listed twice or is in
// no known phase, or a closed deal without its closing time (its bucket
// would be deleted at once).
func parseState(raw []byte, path, provider string) (*nodeState, error) {
	var sj stateJSON
	if err := json.Unmarshal(raw, &sj); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	if sj.Version != stateVersion {
		return nil, fmt.Errorf("state file %s: version %d, this node reads version %d", path, sj.Version, stateVersion)
	}
	if sj.Provider != provider {
		return nil, fmt.Errorf("state file %s belongs to provider %s, but the configured key is %s's: "+
			"move the file away only if that provider's closed deals need no cleanup by this node", path, sj.Provider, provider)
	}
	st := sj.nodeState
	st.Deals = map[uint64]*trackedDeal{}
	for i, d := range sj.DealList {
		switch {
		case d == nil || d.ID == 0:
			return nil, fmt.Errorf("state file %s: deals[%d] is not a deal (null or id 0)", path, i)
		case st.Deals[d.ID] != nil:
			return nil, fmt.Errorf("state file %s: deal %d is listed twice", path, d.ID)
		case d.Phase != phaseRunning && d.Phase != phaseClosed && d.Phase != phaseRemoved:
			return nil, fmt.Errorf("state file %s: deal %d has phase %q, want %s, %s or %s", path, d.ID, d.Phase, phaseRunning, phaseClosed, phaseRemoved)
		case d.Phase == phaseClosed && d.ClosedAt == nil:
			return nil, fmt.Errorf("state file %s: closed deal %d has no closed_at", path, d.ID)
		}
		st.Deals[d.ID] = d
	}
	return &st, nil
}

// save writes the state atomically: a crash leaves the old file or the new
// one, never half of one.
func (s *nodeState) save(path string) error {
	sj := stateJSON{nodeState: *s}
	for _, d := range s.Deals {
		sj.DealList = append(sj.DealList, d)
	}
	sort.Slice(sj.DealList, func(i, j int) bool { return sj.DealList[i].ID < sj.DealList[j].ID })
	raw, err := json.MarshalIndent(sj, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing left to remove
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// sortedDeals returns the tracked deals in id order.
func (s *nodeState) sortedDeals() []*trackedDeal {
	out := make([]*trackedDeal, 0, len(s.Deals))
	for _, d := range s.Deals {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
