#!/usr/bin/env bash
# Installs ChatPanel under systemd: binaries, units, the chatpanel system user.
# Usage: deploy/install.sh [PREFIX=/usr/local] [UNIT_DIR=/etc/systemd/system]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-/usr/local}"
unit_dir="${2:-/etc/systemd/system}"

if ! getent group chatpanel >/dev/null; then groupadd --system chatpanel; fi
if ! getent passwd chatpanel >/dev/null; then
  useradd --system --gid chatpanel --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin chatpanel
fi
# The gateway runs as its own user: the services allow it the panel's methods, not admin or feeds.
if ! getent passwd chatpanel-gateway >/dev/null; then
  useradd --system --gid chatpanel --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin chatpanel-gateway
fi

install -d "$prefix/bin" "$prefix/share/doc/chatpanel"
install -m 0755 .build/release/chatpaneld .build/release/chatpanelctl "$prefix/bin/"
install -m 0644 README.md "$prefix/share/doc/chatpanel/README.md"
install -d "$prefix/share/chatpanel"
install -m 0644 deploy/prometheus/chatpanel-alerts.yml "$prefix/share/chatpanel/chatpanel-alerts.yml"
for unit in deploy/*.socket deploy/*.service deploy/*.target; do
  sed "s|/usr/local/bin/|$prefix/bin/|g" "$unit" > "$unit_dir/$(basename "$unit")"
  chmod 0644 "$unit_dir/$(basename "$unit")"
done
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now chatpanel.target
  echo "ChatPanel is running: chatpanelctl health --socket /run/chatpanel/gateway.sock"
else
  echo "units installed in $unit_dir; systemd is not running here, start them with: systemctl enable --now chatpanel.target"
fi
