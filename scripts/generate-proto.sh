#!/usr/bin/env bash
# Regenerates the committed code from proto/: protoc-c's C output into Sources/CChatPanelProto,
# and the Swift side (chatpanel-protogen) into Sources/ChatPanelProto/Generated.
# With an argument, writes into that folder instead (used by `make proto-check`).
set -euo pipefail
cd "$(dirname "$0")/.."
out_root="${1:-$PWD}"
case "$out_root" in /*) ;; *) out_root="$PWD/$out_root" ;; esac
c_dir="$out_root/Sources/CChatPanelProto"
swift_dir="$out_root/Sources/ChatPanelProto/Generated"
protos=$(cd proto && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)

rm -rf "$c_dir/chatpanel" "$c_dir/include/chatpanel" "$swift_dir"
mkdir -p "$c_dir/include" "$swift_dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd proto && protoc-c --c_out="$tmp" $protos)
# protoc-c writes x.pb-c.c and x.pb-c.h side by side: sources stay, headers go to include/.
(cd "$tmp" && find . -name '*.pb-c.c' | while read -r f; do mkdir -p "$c_dir/$(dirname "$f")"; cp "$f" "$c_dir/$f"; done)
(cd "$tmp" && find . -name '*.pb-c.h' | while read -r f; do mkdir -p "$c_dir/include/$(dirname "$f")"; cp "$f" "$c_dir/include/$f"; done)

(cd proto && protoc --include_source_info --descriptor_set_out="$tmp/set.pb" $protos)
protogen="${PROTOGEN:-.build/debug/chatpanel-protogen}"
"$protogen" "$tmp/set.pb" "$swift_dir" "$c_dir/include"
