#!/usr/bin/env bash
# Installs the test tools into ~/.cache/mkt/tools (or $MKT_TOOLS_DIR). Idempotent.
#  - Schemathesis (PyPI, pinned in test/contract/requirements.txt): the gateway's contract fuzzing.
#  - compose-config (scripts/compose-config, Go, on compose-go from the Go module proxy): loads
#    compose/docker-compose.yml as `docker compose config` does, for the compose tests (no Docker engine here).
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${MKT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mkt/tools}"

dir="$tools/schemathesis"
requirements=test/contract/requirements.txt
if [ -x "$dir/bin/st" ] && cmp -s "$requirements" "$dir/.requirements"; then
  echo "test tools: $("$dir/bin/st" --version) in $dir"
else
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$dir/.requirements"
  echo "test tools: $("$dir/bin/st" --version) in $dir"
fi

if ! command -v go >/dev/null 2>&1; then
  echo "test tools: Go 1.24+ is needed to build scripts/compose-config (the compose tests); install it and run this again" >&2
  exit 1
fi
bin="$tools/compose-config/compose-config"
stamp="$tools/compose-config/.source"
source_hash=$(cat scripts/compose-config/go.mod scripts/compose-config/go.sum scripts/compose-config/main.go | sha256sum | cut -d' ' -f1)
if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$source_hash" ]; then
  echo "test tools: compose-config in $bin"
else
  mkdir -p "$(dirname "$bin")"
  (cd scripts/compose-config && go build -trimpath -o "$bin" .)
  echo "$source_hash" > "$stamp"
  echo "test tools: compose-config built in $bin"
fi
