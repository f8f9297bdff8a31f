package repo

// Status is a repository's part of the bridge's status report.
type Status struct {
	Name        string       `json:"name"`
	Mode        string       `json:"mode"`
	WriteQuorum int          `json:"write_quorum"`
	Objects     int          `json:"objects"`
	Pending     int          `json:"pending_repairs"`
	Uploads     int          `json:"open_uploads"`
	Deals       []DealStatus `json:"deals"`
}

// DealStatus is one deal of a repository.
type DealStatus struct {
	Deal       uint64 `json:"deal"`
	ChainState string `json:"chain_state,omitempty"` // filled by the server from the chain
	Endpoint   string `json:"endpoint"`
	Bucket     string `json:"bucket"`
	Pending    int    `json:"pending_repairs"`
	Snapshot
}

// Status reports the repository, its deals' health and its missed writes.
func (r *Repo) Status() Status {
	defer r.member()()
	mode := "normal"
	if r.Mirror {
		mode = "mirror"
	}
	st := Status{Name: r.Name, Mode: mode, WriteQuorum: r.Quorum}
	counts, err := r.db.Count(r.Name)
	if err == nil {
		st.Objects = counts.Objects
	}
	if ups, err := r.db.ListUploads(r.Name); err == nil {
		st.Uploads = len(ups)
	}
	for _, rep := range r.Replicas {
		n := counts.Pending[rep.Deal]
		st.Pending += n
		st.Deals = append(st.Deals, DealStatus{Deal: rep.Deal, Endpoint: rep.Endpoint, Bucket: rep.Bucket, Pending: n, Snapshot: rep.Stats.Snapshot()})
	}
	return st
}
