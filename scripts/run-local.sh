#!/usr/bin/env bash
# `make run`: starts every ChatPanel process on local sockets with SQLite files under run/,
# loads the demo data once, prints a composed panel, and serves until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/debug
state=run/state
logs=run/logs
mkdir -p "$state" "$logs"
chmod 0750 run "$state"

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "stopping ChatPanel…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped; data kept in $state (delete run/ to start afresh)"
}
trap stop INT TERM EXIT

start() {
  local name=$1; shift
  "$bin/chatpaneld" "$name" --state-dir "$state" --socket "$state/$name.sock" "$@" >"$logs/$name.log" 2>&1 &
  pids+=($!)
}

start clients
start tasks
start orders
start insights
start gateway --clients-socket "$state/clients.sock" --tasks-socket "$state/tasks.sock" --orders-socket "$state/orders.sock" \
  --insights-socket "$state/insights.sock"

for name in clients tasks orders insights gateway; do
  for _ in $(seq 1 100); do
    "$bin/chatpanelctl" health --socket "$state/$name.sock" >/dev/null 2>&1 && break
    sleep 0.1
  done
  "$bin/chatpanelctl" health --socket "$state/$name.sock" || { echo "$name did not start; see $logs/$name.log"; exit 1; }
done

if [ ! -f "$state/demo-loaded" ]; then
  "$bin/chatpanelctl" demo --state-dir "$state"
  touch "$state/demo-loaded"
fi

dialog=$(cat "$state/demo-dialog")
echo
echo "=== the panel of manager 1 for dialog $dialog ==="
"$bin/chatpanelctl" panel --socket "$state/gateway.sock" --manager 1 --dialog "$dialog"
cat <<HINT

ChatPanel is serving (logs in $logs). Try, in another terminal:
  $bin/chatpanelctl panel  --socket $state/gateway.sock --manager 1 --dialog $dialog [--json] [--watch]
  $bin/chatpanelctl layout show --socket $state/gateway.sock --manager 1
  $bin/chatpanelctl clients --help
  $bin/chatpanelctl tasks list --socket $state/tasks.sock --client <id>
  $bin/chatpanelctl catalog search --socket $state/orders.sock "кофеварки" [--sort price-asc] [--in-stock]
  $bin/chatpanelctl products list --socket $state/orders.sock --client <id>
  $bin/chatpanelctl cart show --socket $state/orders.sock --client <id>
  $bin/chatpanelctl orders list --socket $state/orders.sock --client <id>
  $bin/chatpanelctl orders show --socket $state/orders.sock <order id>
  $bin/chatpanelctl insights summary --socket $state/insights.sock --dialog $dialog [--copy]
  $bin/chatpanelctl insights visit --socket $state/insights.sock --client <id>
  $bin/chatpanelctl health --socket $state/gateway.sock
  $bin/chatpanelctl list --socket $state/tasks.sock        # any method: describe METHOD, call --socket S METHOD '{json}'
  $bin/chatpanelctl metrics --socket $state/gateway.sock
Press Ctrl-C to stop every process.
HINT
wait
