package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/flashbacknetwork/flashbackd/api/bridge/repo"
)

// Status is what GET /status answers and flashbackd bridge status prints.
type Status struct {
	Consumer     string        `json:"consumer"`
	ChainID      string        `json:"chain_id"`
	ChainError   string        `json:"chain_error,omitempty"` // the last failure to read the chain ("at start: …": deals as last resolved)
	S3Endpoint   string        `json:"s3_endpoint"`
	StartedAt    time.Time     `json:"started_at"`
	Keys         []KeyStatus   `json:"keys"`
	Repositories []repo.Status `json:"repositories"`
	// QoS is every deal's QoS self-reports (absent when the bridge files
	// none).
	QoS []QoSStatus `json:"qos,omitempty"`
	// Autopilot: its budget, what it spent and its last decisions.
	Autopilot *AutopilotStatus `json:"autopilot,omitempty"`
}

// KeyStatus is one of the bridge's keys (never its secret).
type KeyStatus struct {
	Name        string `json:"name"`
	AccessKeyID string `json:"access_key_id"`
	ReadOnly    bool   `json:"read_only"`
}

// Status reports the bridge's repositories, deals and their health.
func (b *Bridge) Status() Status {
	b.mu.Lock()
	chainErr := b.chainErr
	states := make(map[uint64]string, len(b.states))
	for k, v := range b.states {
		states[k] = v
	}
	b.mu.Unlock()
	st := Status{Consumer: b.opts.Consumer, ChainID: b.chainID, ChainError: chainErr, S3Endpoint: "http://" + b.Addr(), StartedAt: b.started}
	for _, k := range b.cfg.Keys {
		st.Keys = append(st.Keys, KeyStatus{Name: k.Name, AccessKeyID: k.AccessKeyID, ReadOnly: k.ReadOnly})
	}
	for _, r := range b.cfg.Repositories {
		if rp := b.repos[r.Name]; rp != nil {
			rs := rp.Status()
			for i := range rs.Deals {
				rs.Deals[i].ChainState = states[rs.Deals[i].Deal]
			}
			st.Repositories = append(st.Repositories, rs)
		}
	}
	if b.qos != nil {
		st.QoS = b.qos.Status()
	}
	st.Autopilot = b.autopilotStatus()
	return st
}

func (b *Bridge) statusHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(b.Status())
	})
	return mux
}
