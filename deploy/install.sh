#!/usr/bin/env bash
# Installs ChatPanel under systemd: binaries, units, the chatpanel system user.
# Usage: deploy/install.sh [PREFIX=/usr/local] [UNIT_DIR=/etc/systemd/system] [TMPFILES_DIR=/etc/tmpfiles.d]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-/usr/local}"
unit_dir="${2:-/etc/systemd/system}"
tmpfiles_dir="${3:-/etc/tmpfiles.d}"

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
# /run/chatpanel, the sockets' folder, root:chatpanel 0750: made at every boot, and now (set
# right if a socket unit made it root:root before).
install -d "$tmpfiles_dir"
install -m 0644 deploy/tmpfiles.d/chatpanel.conf "$tmpfiles_dir/chatpanel.conf"
if command -v systemd-tmpfiles >/dev/null; then systemd-tmpfiles --create "$tmpfiles_dir/chatpanel.conf"; fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now chatpanel.target
  echo "ChatPanel is running: chatpanelctl health --socket /run/chatpanel/gateway.sock"
else
  echo "units installed in $unit_dir; systemd is not running here, start them with: systemctl enable --now chatpanel.target"
fi
