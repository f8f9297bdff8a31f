package node

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Status is what GET /status returns and `flashbackd provider status`
// prints.
type Status struct {
	Provider  string `json:"provider"`
	ChainID   string `json:"chain_id"`
	PublicURL string `json:"public_url"`
	// AccessKey is the node's public X25519 key (hex); AccessKeyPublished
	// whether the chain has it as the provider's.
	AccessKey          string `json:"access_key"`
	AccessKeyPublished bool   `json:"access_key_published"`
	// ProviderRegistered is false until the provider's record is on chain.
	ProviderRegistered bool         `json:"provider_registered"`
	Chain              ChainStatus  `json:"chain"`
	Units              []UnitStatus `json:"units"`
	Deals              []DealStatus `json:"deals"`
	// Decisions are the latest policy decisions, newest last.
	Decisions      []DecisionStatus `json:"decisions"`
	LastWithdrawal *WithdrawalInfo  `json:"last_withdrawal,omitempty"`
}

// ChainStatus is how the node follows the chain.
type ChainStatus struct {
	LastSync *time.Time `json:"last_sync,omitempty"`
	// SyncAgeSeconds is the time since LastSync (-1 before the first).
	SyncAgeSeconds float64 `json:"sync_age_seconds"`
	// Reachable is false while reads of the chain fail; LastError says why.
	Reachable bool   `json:"reachable"`
	LastError string `json:"last_error,omitempty"`
}

// UnitStatus is a configured unit as the chain has it.
type UnitStatus struct {
	ID       uint64 `json:"id"`
	Backend  string `json:"backend"`
	Endpoint string `json:"endpoint"` // what the unit must register
	// OnChain is the unit's state on chain ("" until read); Problem is why
	// the node does not take new deals on it (not found, another
	// provider's, another endpoint), empty when it does.
	OnChain string `json:"on_chain,omitempty"`
	Problem string `json:"problem,omitempty"`
}

// DealStatus is a deal the node serves or tracks.
type DealStatus struct {
	ID         uint64 `json:"id"`
	UnitID     uint64 `json:"unit_id"`
	Consumer   string `json:"consumer"`
	ChainState string `json:"chain_state"`
	// Access is read-write, read-only, locked (no consumer key) or removed.
	Access        string     `json:"access"`
	QuotaBytes    uint64     `json:"quota_bytes"`
	StoredBytes   uint64     `json:"stored_bytes"`
	IngressBytes  uint64     `json:"ingress_bytes"`
	EgressBytes   uint64     `json:"egress_bytes"`
	Requests      uint64     `json:"requests"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	RetrievalEnds *time.Time `json:"retrieval_ends,omitempty"`
}

// DecisionStatus is one policy decision.
type DecisionStatus struct {
	Time     time.Time `json:"time"`
	DealID   uint64    `json:"deal_id"`
	UnitID   uint64    `json:"unit_id"`
	Consumer string    `json:"consumer"`
	Accept   bool      `json:"accept"`
	Rule     string    `json:"rule"`
	Reason   string    `json:"reason"`
	TxHash   string    `json:"tx_hash,omitempty"`
	// Error is set when the transaction failed (the request stays pending
	// and is decided again).
	Error string `json:"error,omitempty"`
}

// WithdrawalInfo is the last withdrawal.
type WithdrawalInfo struct {
	Time   time.Time `json:"time"`
	Deals  []uint64  `json:"deals"`
	Net    string    `json:"net"`
	Fee    string    `json:"fee"`
	TxHash string    `json:"tx_hash"`
}

// statusHandler serves /status and /metrics.
func (n *Node) statusHandler(gatherers prometheus.Gatherers) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(n.Status()); err != nil {
			n.logger.Debug("writing /status", "err", err)
		}
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherers, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	return mux
}
