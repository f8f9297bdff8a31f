#!/usr/bin/env bash
# Runs every Go fuzz target of the repository (func FuzzXxx(f *testing.F)
# in a *_test.go file) for FUZZTIME each, one after another, and prints the
# execs of each. A target that fails leaves its input under the package's
# testdata/fuzz/<target>/: that file is the regression (go test runs it).
#
# FUZZ_MINIMIZETIME bounds how long the fuzzer minimizes each input it keeps
# (go's default is 60 s). The fuzzer minimizes every new coverage-expanding
# input, not only failing ones, and counts no execs meanwhile: with inputs of
# kilobytes that are slow to run (provider.toml, the node's state file, a
# genesis, a proposal to a real app) each minimization took the full minute,
# so a 30 s run did a few execs and then "stalled" on the first new input.
# A failing input is still written when its minimization is cut short.
# Usage: FUZZTIME=30s FUZZ_PARALLEL=1 FUZZ_NICE=10 FUZZ_MINIMIZETIME=2s [FUZZ_TARGETS=regex] scripts/fuzz.sh [REPORT]
set -uo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-30s}
parallel=${FUZZ_PARALLEL:-1}
minimizetime=${FUZZ_MINIMIZETIME:-2s}
filter=${FUZZ_TARGETS:-.}
report=${1:-build/fuzz-report.txt}
mkdir -p "$(dirname "$report")" build/fuzz-logs

# package directory and target name of every fuzz target, sorted.
targets=$(git ls-files '*_test.go' | grep -v '^ts/' | xargs grep -H -o '^func Fuzz[A-Za-z0-9_]*(f \*testing\.F)' \
  | sed -E 's#^(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' | sort -u | grep -E "$filter")
[ -n "$targets" ] || { echo "no fuzz target matches $filter"; exit 1; }

failed=0 total=0
{
  printf '# go test -fuzz, %s per target, -parallel=%s, -fuzzminimizetime=%s, %s, %s\n' "$fuzztime" "$parallel" "$minimizetime" "$(date -u +%Y-%m-%dT%H:%MZ)" "$(go env GOVERSION)"
  printf '%-28s %-26s %14s %10s %8s  %s\n' package target execs execs/s new result
} | tee "$report"
while read -r dir name; do
  log="build/fuzz-logs/${dir//\//_}.$name.log"
  nice -n "${FUZZ_NICE:-10}" go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimizetime" -parallel "$parallel" "./$dir" >"$log" 2>&1
  rc=$?
  # The last progress line: "fuzz: elapsed: 30s, execs: 123456 (4115/sec), new interesting: 5 (total: 12)".
  last=$(grep -E '^fuzz: elapsed: .*execs: [0-9]+' "$log" | tail -1)
  execs=$(sed -E 's/.*execs: ([0-9]+).*/\1/' <<<"$last")
  elapsed=$(sed -E 's/^fuzz: elapsed: ([0-9]+)s.*/\1/' <<<"$last")
  fresh=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
  rate=0
  [ -n "$execs" ] && [ "${elapsed:-0}" -gt 0 ] && rate=$((execs / elapsed))
  result=ok
  if [ $rc -ne 0 ]; then
    result="FAIL: $(grep -m1 -E 'Failing input written to|panic:|--- FAIL' "$log" | sed 's/^ *//')"
    failed=$((failed + 1))
  fi
  total=$((total + ${execs:-0}))
  printf '%-28s %-26s %14s %10s %8s  %s\n' "$dir" "$name" "${execs:-0}" "$rate" "${fresh:-0}" "$result" | tee -a "$report"
done <<<"$targets"
printf 'targets: %d, execs in total: %d, failed: %d (logs in build/fuzz-logs)\n' "$(wc -l <<<"$targets")" "$total" "$failed" | tee -a "$report"
[ $failed -eq 0 ]
