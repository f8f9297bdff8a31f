package config

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseRepositorySpec reads init's --repository forms:
// NAME=normal:DEAL and NAME=mirror:DEAL,DEAL,…[/QUORUM].
func ParseRepositorySpec(spec string) (Repository, error) {
	usage := fmt.Errorf("--repository %q: use NAME=normal:DEAL or NAME=mirror:DEAL,DEAL[,…][/QUORUM]", spec)
	name, rest, ok := strings.Cut(spec, "=")
	if !ok {
		return Repository{}, usage
	}
	mode, deals, ok := strings.Cut(rest, ":")
	if !ok || (mode != ModeNormal && mode != ModeMirror) {
		return Repository{}, usage
	}
	r := Repository{Name: name, Mode: mode}
	if q, found := strings.CutPrefix(deals[strings.LastIndex(deals, "/")+1:], ""); strings.Contains(deals, "/") && found {
		n, err := strconv.Atoi(q)
		if err != nil || mode != ModeMirror {
			return Repository{}, usage
		}
		r.WriteQuorum = n
		deals = deals[:strings.LastIndex(deals, "/")]
	}
	for _, d := range strings.Split(deals, ",") {
		id, err := strconv.ParseUint(strings.TrimSpace(d), 10, 64)
		if err != nil {
			return Repository{}, usage
		}
		r.Deals = append(r.Deals, id)
	}
	return r, nil
}
