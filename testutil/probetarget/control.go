package probetarget

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ControlPath is where HandlerWithControl serves the control endpoint.
const ControlPath = "/_control"

// maxControlBody bounds a control request body; a behaviour is a few dozen
// bytes of JSON.
const maxControlBody = 4096

// maxControlLatency keeps a typo (latency_ms in the billions) from parking
// every request for years.
const maxControlLatency = 10 * time.Minute

// BehaviourJSON is the wire form of Behaviour on the control endpoint.
// ThroughputKBps keeps the Behaviour field's unit: kilobytes (1000 bytes)
// per second.
type BehaviourJSON struct {
	LatencyMs      int64  `json:"latency_ms"`
	ThroughputKBps int64  `json:"throughput_kbps"`
	FailureBps     uint32 `json:"failure_bps"`
	Down           bool   `json:"down"`
}

// behaviourPatch is a POST body: absent fields keep their current value, so
// `{"down":true}` takes a target down without resetting its latency.
type behaviourPatch struct {
	LatencyMs      *int64  `json:"latency_ms"`
	ThroughputKBps *int64  `json:"throughput_kbps"`
	FailureBps     *uint32 `json:"failure_bps"`
	Down           *bool   `json:"down"`
}

// ToJSON converts b to its wire form.
func (b Behaviour) ToJSON() BehaviourJSON {
	return BehaviourJSON{
		LatencyMs:      b.Latency.Milliseconds(),
		ThroughputKBps: b.ThroughputKBps,
		FailureBps:     b.FailureRate,
		Down:           b.Down,
	}
}

// apply validates the patch and returns b with the present fields replaced.
func (p behaviourPatch) apply(b Behaviour) (Behaviour, error) {
	if p.LatencyMs != nil {
		if *p.LatencyMs < 0 || *p.LatencyMs > maxControlLatency.Milliseconds() {
			return b, fmt.Errorf("latency_ms must be in [0, %d], got %d", maxControlLatency.Milliseconds(), *p.LatencyMs)
		}
		b.Latency = time.Duration(*p.LatencyMs) * time.Millisecond
	}
	if p.ThroughputKBps != nil {
		if *p.ThroughputKBps < 0 {
			return b, fmt.Errorf("throughput_kbps must be >= 0 (0 = unthrottled), got %d", *p.ThroughputKBps)
		}
		b.ThroughputKBps = *p.ThroughputKBps
	}
	if p.FailureBps != nil {
		if *p.FailureBps > maxFailureRate {
			return b, fmt.Errorf("failure_bps must be in [0, %d], got %d", maxFailureRate, *p.FailureBps)
		}
		b.FailureRate = *p.FailureBps
	}
	if p.Down != nil {
		b.Down = *p.Down
	}
	return b, nil
}

// ControlHandler serves the control endpoint wherever it is mounted:
// GET returns the current behaviour as JSON; POST merges a JSON behaviour
// (fields latency_ms, throughput_kbps, failure_bps, down; absent fields are
// unchanged) and returns the resulting behaviour. It is not subject to the
// behaviour itself, so a "down" target can still be brought back up.
func (s *Server) ControlHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			writeBehaviour(w, s.Behaviour())
		case http.MethodPost:
			var patch behaviourPatch
			dec := json.NewDecoder(io.LimitReader(r.Body, maxControlBody))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&patch); err != nil {
				http.Error(w, "invalid behaviour JSON: "+err.Error(), http.StatusBadRequest)
				return
			}
			// Read-modify-write under the server's lock would need a second
			// API; control requests come from one script at a time, so a
			// plain get-then-set is enough for a test tool.
			b, err := patch.apply(s.Behaviour())
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			s.SetBehaviour(b)
			writeBehaviour(w, s.Behaviour())
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

// HandlerWithControl serves ControlPath with ControlHandler and everything
// else with the probe protocol.
func (s *Server) HandlerWithControl() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(ControlPath, s.ControlHandler())
	mux.Handle("/", s)
	return mux
}

func writeBehaviour(w http.ResponseWriter, b Behaviour) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(b.ToJSON())
}
