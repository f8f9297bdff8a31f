// Command gen finishes the OpenAPI spec that protoc-gen-openapiv2 merged
// from flashbackd's and the SDK's protos (scripts/protocgen.sh runs it):
// a real title and description, a version the node fills in when it serves
// the spec, and operation ids that are unique across packages (the
// generator names every params query "Query_Params").
//
//	go run ./docs/openapi/gen IN.json OUT.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// VersionPlaceholder is replaced by the binary's version when served.
const VersionPlaceholder = "source"

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen IN.json OUT.json")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "openapi gen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		return err
	}
	spec["info"] = map[string]any{
		"title": "flashbackd REST API",
		"description": "The REST (grpc-gateway) API of a flashbackd node: the Flashback storage marketplace " +
			"(x/orchestrator, x/reputation, x/oracle) and the Cosmos SDK services the node serves " +
			"(auth, bank, staking, distribution, gov, tx, …). Amounts are in uflash (1 FLASH = 1,000,000 uflash); " +
			"enum query parameters take the names listed here.",
		"version": VersionPlaceholder,
	}
	if err := renameOperations(spec); err != nil {
		return err
	}
	dropEmptyTags(spec)
	bz, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(bz, '\n'), 0o644)
}

type op struct {
	method map[string]any
	pkg    string // e.g. cosmos.bank.v1beta1
	name   string // the RPC, e.g. Balance
}

// renameOperations names each operation <Module><Rpc> (BankBalance,
// OrchestratorDataUnits), adding the package version where two packages of
// one module would clash (GovV1Proposal, GovV1beta1Proposal).
func renameOperations(spec map[string]any) error {
	paths, _ := spec["paths"].(map[string]any)
	var ops []op
	for _, p := range sortedKeys(paths) {
		methods := paths[p].(map[string]any)
		for _, m := range sortedKeys(methods) {
			o := methods[m].(map[string]any)
			tags, _ := o["tags"].([]any)
			id, _ := o["operationId"].(string)
			if len(tags) == 0 || !strings.Contains(id, "_") {
				return fmt.Errorf("%s %s: no package tag or operation id", m, p)
			}
			tag := tags[0].(string) // package.Service
			ops = append(ops, op{method: o, pkg: tag[:strings.LastIndex(tag, ".")], name: id[strings.LastIndex(id, "_")+1:]})
		}
	}
	count := map[string]int{}
	for _, o := range ops {
		count[short(o.pkg, false)+o.name]++
	}
	seen := map[string]bool{}
	for _, o := range ops {
		id := short(o.pkg, false) + o.name
		if count[id] > 1 {
			id = short(o.pkg, true) + o.name
		}
		if seen[id] {
			return fmt.Errorf("operation id %s is not unique", id)
		}
		seen[id] = true
		o.method["operationId"] = id
	}
	return nil
}

// short turns cosmos.base.tendermint.v1beta1 into BaseTendermint (with the
// version: BaseTendermintV1beta1).
func short(pkg string, withVersion bool) string {
	parts := strings.Split(pkg, ".")[1:]
	var b strings.Builder
	for i, p := range parts {
		if i == len(parts)-1 && strings.HasPrefix(p, "v") && !withVersion {
			break
		}
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	return b.String()
}

// dropEmptyTags removes the tags of services without REST routes (the Msg
// services), which Swagger UI would show as empty sections.
func dropEmptyTags(spec map[string]any) {
	used := map[string]bool{}
	for _, methods := range spec["paths"].(map[string]any) {
		for _, o := range methods.(map[string]any) {
			for _, t := range o.(map[string]any)["tags"].([]any) {
				used[t.(string)] = true
			}
		}
	}
	var kept []any
	for _, t := range spec["tags"].([]any) {
		if used[t.(map[string]any)["name"].(string)] {
			kept = append(kept, t)
		}
	}
	spec["tags"] = kept
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
