# flashbackd — build, test, proto generation and local networks.

BINARY      := flashbackd
BUILD_DIR   := $(CURDIR)/build
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT      ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BUILD_TAGS  ?=
GO          ?= go

ldflags := -X github.com/cosmos/cosmos-sdk/version.Name=flashback \
	-X github.com/cosmos/cosmos-sdk/version.AppName=$(BINARY) \
	-X github.com/cosmos/cosmos-sdk/version.Version=$(VERSION) \
	-X github.com/cosmos/cosmos-sdk/version.Commit=$(COMMIT) \
	-X "github.com/cosmos/cosmos-sdk/version.BuildTags=$(BUILD_TAGS)"

# Same compile flags as `go test`, so that builds and tests share the build cache.
BUILD_FLAGS := -tags "$(BUILD_TAGS)" -ldflags '$(ldflags)'

.PHONY: all build build-v1 install test test-unit test-e2e test-upgrade test-ts test-all lint lint-golangci lint-install proto-gen wallet-gen localnet localnet-stop localnet-status demo demo-storage clean

all: build

## build: compile build/flashbackd with version and commit information
build:
	@mkdir -p $(BUILD_DIR)
	$(GO) build $(BUILD_FLAGS) -o $(BUILD_DIR)/$(BINARY) ./cmd/flashbackd

## install: install flashbackd into GOBIN
install:
	$(GO) install $(BUILD_FLAGS) ./cmd/flashbackd

## test: unit, keeper, fuzz-seed and in-process network tests (the CI test command)
test:
	$(GO) test -count=1 -timeout 20m ./...

## build-faultinject: build/flashbackd-faultinject, the test-only build whose validators can be made
##                    Byzantine through FLASHBACKD_UNSAFE_ORACLE_FAULT (docs/FAULTS.md); never run it for real
.PHONY: build-faultinject test-faults-long
build-faultinject:
	@mkdir -p $(BUILD_DIR)
	$(GO) build -tags "$(BUILD_TAGS) faultinject" -ldflags '$(ldflags)' -o $(BUILD_DIR)/$(BINARY)-faultinject ./cmd/flashbackd

## test-e2e: multi-process tests against scripts/localnet.sh (4 validators), the short fault tests included,
##           and the aws CLI and rclone against the bridge over three provider nodes (TestBridgeClients)
test-e2e: build build-faultinject
	FLASHBACKD_BIN=$(BUILD_DIR)/$(BINARY) FLASHBACKD_FAULT_BIN=$(BUILD_DIR)/$(BINARY)-faultinject \
		$(GO) test -count=1 -tags e2e -timeout 25m -p 1 ./testutil/e2e/...
	$(GO) test -count=1 -tags e2e -timeout 10m -run TestBridgeClients ./api/bridge/server/

## test-faults-long: the kill/restart and state-sync fault test at length (not in CI): FAULTS_KILLS
##                   SIGKILL/restart cycles (default 30) under FAULTS_RATE tx/s (60) for FAULTS_LOAD_DURATION (10m)
FAULTS_KILLS ?= 30
FAULTS_RATE ?= 60
FAULTS_LOAD_DURATION ?= 10m
test-faults-long: build
	FLASHBACKD_BIN=$(BUILD_DIR)/$(BINARY) FAULTS_KILLS=$(FAULTS_KILLS) FAULTS_RATE=$(FAULTS_RATE) \
		FAULTS_LOAD_DURATION=$(FAULTS_LOAD_DURATION) \
		$(GO) test -count=1 -tags e2e -timeout 60m -v -run 'TestFaultsKillUnderLoadAndStateSync' ./testutil/e2e/

## build-v1: build the release the v2 upgrade starts from (the commit in testutil/upgradetest/v1.commit)
##           into build/flashbackd-v1 (kept while that commit is unchanged)
build-v1:
	bash scripts/build-at-commit.sh $$(cat testutil/upgradetest/v1.commit) $(BUILD_DIR)/$(BINARY)-v1

## test-upgrade: the v2 software upgrade on a 4-validator localnet: v1 → gov proposal → halt → restart on
##               build/flashbackd (ports 30000-30599; ~2 min plus the v1 build the first time)
test-upgrade: build build-v1
	FLASHBACKD_BIN=$(BUILD_DIR)/$(BINARY) FLASHBACKD_V1_BIN=$(BUILD_DIR)/$(BINARY)-v1 \
		$(GO) test -count=1 -tags e2e -timeout 10m -v -run TestUpgrade ./testutil/upgradetest/

## test-ts: the TypeScript client (ts/): npm ci, build, unit tests, then CosmJS end to end on a fresh localnet
test-ts: build
	cd ts && npm ci --no-audit --no-fund --loglevel=error && npm run build && node --test dist/test/unit/
	FLASHBACKD_BIN=$(BUILD_DIR)/$(BINARY) bash ts/scripts/e2e.sh

## test-all: everything CI runs
test-all: test test-e2e test-upgrade test-ts

## lint: formatting, vet and golangci-lint (install it once with make lint-install)
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	@$(MAKE) --no-print-directory lint-golangci

## lint-golangci: golangci-lint with .golangci.yml (which linters and why); part of `make lint`
GOLANGCI_LINT_VERSION ?= v2.15.0
GOLANGCI_LINT_BIN     ?= $(shell $(GO) env GOPATH)/bin
GOLANGCI_LINT         ?= $(GOLANGCI_LINT_BIN)/golangci-lint
# Succeeds when the pinned version is the one installed.
golangci_lint_pinned = $(GOLANGCI_LINT) version 2>/dev/null | grep -q "version $(GOLANGCI_LINT_VERSION:v%=%) "
lint-golangci:
	@$(golangci_lint_pinned) || \
		(echo "golangci-lint $(GOLANGCI_LINT_VERSION) is not installed: run make lint-install"; exit 1)
	$(GOLANGCI_LINT) run ./...

## lint-install: install the pinned golangci-lint (built from source through the Go module proxy);
##               nothing to do when that version is already installed
lint-install:
	@if $(golangci_lint_pinned); then echo "golangci-lint $(GOLANGCI_LINT_VERSION) is installed"; \
	else GOBIN=$(GOLANGCI_LINT_BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION); fi

## proto-gen: regenerate Go code and the OpenAPI spec from proto/ (offline), and the TypeScript types when ts/node_modules exists
proto-gen:
	bash scripts/protocgen.sh
	if [ -d ts/node_modules ]; then bash ts/scripts/generate.sh; fi

## wallet-gen: regenerate the chain-registry files, Keplr chain info and the TypeScript client's tables (walletgen)
wallet-gen:
	$(GO) run ./walletgen/gen

## localnet: build and start a local network (N=1 by default, N=4 for four validators) and a provider
##           node for its provider account (PROVIDER_NODE=0: without)
localnet: build
	FLASHBACKD_BIN=$(BUILD_DIR)/$(BINARY) bash scripts/localnet.sh start

## demo: run the end-to-end demo on a throwaway localnet (~4 min; needs jq and curl)
demo: build
	FLASHBACKD_BIN=$(BUILD_DIR)/$(BINARY) bash scripts/demo.sh

## demo-storage: a deal becomes an S3 bucket: provider node, aws CLI upload and download, decline, withdrawal,
##               read-only after close, then deleted (~2 min; needs jq and the aws CLI)
demo-storage: build
	FLASHBACKD_BIN=$(BUILD_DIR)/$(BINARY) bash scripts/demo-storage.sh

## localnet-stop: stop the local network started by `make localnet`
localnet-stop:
	bash scripts/localnet.sh stop

## localnet-status: show the local network's nodes and heights
localnet-status:
	FLASHBACKD_BIN=$(BUILD_DIR)/$(BINARY) bash scripts/localnet.sh status

## bench: the whole performance harness (throughput, scaling, network) as one table and bench/results.json
##        (docs/PERFORMANCE.md; SMOKE=1 for a quick check; see scripts/bench.sh for the variables)
.PHONY: bench bench-throughput bench-scaling bench-network
bench:
	bash scripts/bench.sh all

## bench-throughput: in-process FinalizeBlock+Commit throughput per message type (goleveldb)
bench-throughput:
	bash scripts/bench.sh throughput

## bench-storage: provider gateway vs direct access to the same storage (posix dir, upstream S3): PUT/GET
##                throughput for 4 KiB, 1 MiB, 64 MiB and 4 KiB GET latency, side by side; bench/storage.json
.PHONY: bench-storage
bench-storage:
	$(GO) run ./api/provider/gateway/benchstorage -rounds 5 -out bench/storage.json

## bench-bridge: the consumer bridge vs straight to one provider node, in one run on a live chain with three
##               provider nodes: PUT/GET throughput of 1 MiB and 64 MiB (normal), mirror writes with 2 and 3
##               replicas, failover time after the node serving reads is killed or hangs; bench/bridge.json
.PHONY: bench-bridge
bench-bridge:
	$(GO) test -count=1 -tags benchbridge -run TestBenchBridge -v -timeout 20m ./api/bridge/server/ 2>&1 | grep -v 'buffer.go'

## bench-overload: block interval idle vs at RATE (500) tx/s on a 4-validator localnet, RUNS (2) times each,
##                 accepted transactions left out, refusals and rechecks (docs/FAULTS.md; scripts/overload.sh)
.PHONY: bench-overload
bench-overload:
	bash scripts/overload.sh

## bench-scaling: per-block and query benchmarks at 1k/10k/100k deals and units, 4–150 validators
bench-scaling:
	bash scripts/bench.sh scaling

## bench-network: load generator against a 4-validator localnet (RATE=250 DURATION=60s)
bench-network:
	bash scripts/bench.sh network

## Simulation (app/sim_test.go, build tag sims): the SDK's simulator over every
## module with the three Flashback modules' operations, invariants after every
## block. SIM_SEEDS, SIM_BLOCKS and SIM_BLOCK_SIZE shape the runs; seeds run two
## at a time. docs/RELIABILITY.md has the figures.
.PHONY: sim-short sim-determinism sim-import-export sim-long fuzz
SIM_SEEDS      ?= 1,2,4
SIM_BLOCKS     ?= 150
SIM_BLOCK_SIZE ?= 40
SIM_FLAGS       = -Seeds=$(SIM_SEEDS) -NumBlocks=$(SIM_BLOCKS) -BlockSize=$(SIM_BLOCK_SIZE)

## sim-short: a few seeds, a few hundred blocks (CI: .ci/run); also checks the genesis time is pinned
sim-short:
	$(GO) test -count=1 -tags sims -timeout 30m -run '^(TestFullAppSimulation|TestSimGenesisTimePinned)$$' ./app $(SIM_FLAGS)

## sim-determinism: each seed twice from scratch in one process, the app hash matching at every
##                  commit; then each seed in two separate processes, the final app hash matching
sim-determinism:
	$(GO) test -count=1 -tags sims -timeout 30m -run '^(TestAppStateDeterminism|TestSimGenesisTimePinned)$$' ./app -Seeds=$(SIM_SEEDS) -NumBlocks=50 -BlockSize=$(SIM_BLOCK_SIZE)
	GO=$(GO) bash scripts/sim_cross_process.sh $(SIM_SEEDS) 50 $(SIM_BLOCK_SIZE)

## sim-import-export: run, export, import into a fresh app, compare every store key by key
sim-import-export:
	$(GO) test -count=1 -tags sims -timeout 30m -run '^TestAppImportExport$$' ./app $(SIM_FLAGS)

## sim-long: not in CI; SIM_LONG_SEEDS × SIM_LONG_BLOCKS blocks of SIM_LONG_BLOCK_SIZE
##           operations, each seed in its own process (scripts/sim_long.sh: one process for all
##           seeds let the heap grow from seed to seed), niced (SIM_LONG_NICE), with the SDK's
##           -FauxMerkle (plain KV stores for IAVL: the same state machine without the trees, whose
##           versions and node caches held 5 GB per seed; sim-determinism and sim-import-export keep
##           IAVL), logged to build/sim-long.log and summed up by scripts/sim_report.sh
SIM_LONG_SEEDS      ?= 11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60
SIM_LONG_BLOCKS     ?= 150
SIM_LONG_BLOCK_SIZE ?= 300
SIM_LONG_NICE       ?= 15
SIM_LONG_MEMLIMIT   ?= 7GiB
sim-long:
	@mkdir -p $(BUILD_DIR)
	GO=$(GO) GOMEMLIMIT=$(SIM_LONG_MEMLIMIT) nice -n $(SIM_LONG_NICE) bash scripts/sim_long.sh \
		$(SIM_LONG_SEEDS) $(SIM_LONG_BLOCKS) $(SIM_LONG_BLOCK_SIZE) $(BUILD_DIR)/sim-long.log
	bash scripts/sim_report.sh $(BUILD_DIR)/sim-long.log

## fuzz: every Go fuzz target (func FuzzXxx) for FUZZTIME each, one after another; execs per
##       target in build/fuzz-report.txt. FUZZ_TARGETS=regex picks targets ("path/pkg FuzzName").
##       A failing input is left in the package's testdata/fuzz/ (the regression go test runs).
##       FUZZ_MINIMIZETIME bounds the minimization of each new input (go's default, 60 s, stalled
##       the targets whose inputs are large or slow: docs/RELIABILITY.md).
FUZZTIME          ?= 30s
FUZZ_PARALLEL     ?= 1
FUZZ_TARGETS      ?= .
FUZZ_NICE         ?= 10
FUZZ_MINIMIZETIME ?= 2s
fuzz:
	FUZZTIME=$(FUZZTIME) FUZZ_PARALLEL=$(FUZZ_PARALLEL) FUZZ_NICE=$(FUZZ_NICE) FUZZ_TARGETS='$(FUZZ_TARGETS)' \
		FUZZ_MINIMIZETIME=$(FUZZ_MINIMIZETIME) bash scripts/fuzz.sh build/fuzz-report.txt

clean:
	rm -rf $(BUILD_DIR) .localnet
