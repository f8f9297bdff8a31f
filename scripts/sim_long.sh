#!/usr/bin/env bash
# sim_long.sh SEEDS BLOCKS BLOCK_SIZE LOG: the long simulation, each seed in a
# process of its own. One process for every seed let the heap grow from seed to
# seed (13.5 GB after a dozen seeds, the GC busy most of the time), so a long run
# slowed down as it went; a process per seed bounds memory to one seed's state.
# The test binary is built once; every completed seed's output is appended to
# LOG, which scripts/sim_report.sh sums up. A seed whose random genesis has no
# validators is skipped by the SDK's simulator before its first block: it is
# listed as skipped and the run goes on. Any other failure stops the run.
set -euo pipefail
seeds=${1:?seeds} blocks=${2:?blocks} size=${3:?block size} log=${4:?log}
go=${GO:-go}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$go" test -c -tags sims -o "$dir/app.test" ./app
: >"$log"
for seed in ${seeds//,/ }; do
	start=$(date +%s)
	if (cd app && "$dir/app.test" -test.count=1 -test.timeout 24h -test.run '^TestFullAppSimulation$' -test.v \
		-Seeds="$seed" -NumBlocks="$blocks" -BlockSize="$size" -FauxMerkle) >"$dir/seed.log" 2>&1; then
		cat "$dir/seed.log" >>"$log"
		ops=$(sed 's/\x1b\[[0-9;]*m//g' "$dir/seed.log" | grep -o 'opsCount=[0-9]*' | tail -1 | cut -d= -f2)
		echo "seed $seed done in $(($(date +%s) - start)) s, ${ops:-?} operations"
	elif grep -q 'skipping: empty validator set' "$dir/seed.log"; then
		echo "FLASHBACK-SIM-SKIPPED seed=$seed reason=no validators at genesis" | tee -a "$log"
	else
		cat "$dir/seed.log" >>"$log"
		echo "seed $seed FAILED (log: $log)"
		exit 1
	fi
done
