#!/usr/bin/env bash
# sim_cross_process.sh SEEDS BLOCKS BLOCK_SIZE: runs TestFullAppSimulation for
# each seed in two separate processes, at least a second apart, and requires
# the same final app hash. Catches what TestAppStateDeterminism (two runs in
# one process) cannot: inputs fixed once per process, such as the SDK's
# -GenesisTime flag, which defaults to the clock at process start.
set -euo pipefail
seeds=${1:?seeds} blocks=${2:?blocks} size=${3:?block size}
go=${GO:-go}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$go" test -c -tags sims -o "$dir/app.test" ./app
status=0
for seed in ${seeds//,/ }; do
	for i in 1 2; do
		(cd app && "$dir/app.test" -test.count=1 -test.run '^TestFullAppSimulation$' -test.v \
			-Seeds="$seed" -NumBlocks="$blocks" -BlockSize="$size" -FauxMerkle) >"$dir/run$i.log" 2>&1 ||
			{ tail -30 "$dir/run$i.log"; exit 1; }
		sleep 1.1 # the next process starts in another second of the clock
	done
	h1=$(grep -o 'app_hash=[0-9A-F]*' "$dir/run1.log") h2=$(grep -o 'app_hash=[0-9A-F]*' "$dir/run2.log")
	if [ -z "$h1" ] || [ "$h1" != "$h2" ]; then
		echo "FLASHBACK-SIM cross-process seed=$seed DIFFERENT: ${h1:-none} vs ${h2:-none}"
		status=1
	else
		echo "FLASHBACK-SIM cross-process seed=$seed identical $h1"
	fi
done
exit $status
