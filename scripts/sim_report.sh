#!/usr/bin/env bash
# Sums up a simulation log (make sim-long): seeds, blocks, operations (all
# modules, and the Flashback modules' delivered and skipped), invariant
# checks and oracle records checked, and any failure.
set -euo pipefail
log=${1:?usage: sim_report.sh LOG}
clean() { sed 's/\x1b\[[0-9;]*m//g' "$log"; }
seeds=$(clean | grep -c '^FLASHBACK-SIM seed=' || true)
ops=$(clean | grep -o 'opsCount=[0-9]*' | cut -d= -f2 | paste -sd+ - | bc 2>/dev/null || echo 0)
blocks=$(clean | grep '^FLASHBACK-SIM seed=' | grep -o ' blocks=[0-9]*' | cut -d= -f2 | paste -sd+ - | bc 2>/dev/null || echo 0)
checks=$(clean | grep '^FLASHBACK-SIM seed=' | grep -o 'invariant_checks=[0-9]*' | cut -d= -f2 | paste -sd+ - | bc 2>/dev/null || echo 0)
records=$(clean | grep '^FLASHBACK-SIM seed=' | grep -o 'qos_records_checked=[0-9]*' | cut -d= -f2 | paste -sd+ - | bc 2>/dev/null || echo 0)
sum() { clean | grep -E "^$1: [0-9]+" | awk '{s+=$2} END {print s+0}'; }
fb_done=$(( $(sum orchestrator_completed) + $(sum reputation_completed) + $(sum oracle_completed) ))
fb_skip=$(( $(sum orchestrator_skipped) + $(sum reputation_skipped) + $(sum oracle_skipped) ))
echo "seeds completed:            $seeds (skipped, no validators at genesis: $(clean | grep -c "^FLASHBACK-SIM-SKIPPED" || true))"
echo "blocks:                     $blocks"
echo "operations (all modules):   $ops"
echo "flashback msgs delivered:   $fb_done (skipped by their factories: $fb_skip)"
echo "invariant checks:           $checks"
echo "oracle records checked:     $records"
if clean | grep -q -- '--- FAIL\|^FAIL'; then
  echo "FAILURES:"; clean | grep -B2 -A20 -- '--- FAIL' | head -80
  exit 1
fi
