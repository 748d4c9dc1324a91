#!/usr/bin/env bash
# Runs libFuzzer targets on copies of their committed seed corpora.
# Usage: scripts/fuzz.sh BUILD_DIR LIMIT TARGET...   (LIMIT: -max_total_time=N or -runs=N)
# Prints the executions of each target; a finding fails the run and leaves the input under
# .build/fuzz-findings/ (reproduce: BUILD_DIR/TARGET FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
build="$1"; limit="$2"; shift 2
findings=.build/fuzz-findings
mkdir -p "$findings"
status=0
for target in "$@"; do
  work=$(mktemp -d)
  cp Fuzz/Corpus/"$target"/* "$work"/ 2>/dev/null || true
  log="$work.log"
  if "$build/$target" "$limit" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$findings/$target-" "$work" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "$target: $runs executions, nothing found"
  else
    echo "$target: FOUND A FAILING INPUT (see $findings/)"
    tail -40 "$log"
    status=1
  fi
  rm -rf "$work" "$log"
done
exit $status
