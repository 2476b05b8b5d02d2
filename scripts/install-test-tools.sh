#!/usr/bin/env bash
# Installs the test tools that come from PyPI into ~/.cache/mkt/tools (or $MKT_TOOLS_DIR):
# Schemathesis, pinned in test/contract/requirements.txt. Idempotent: a venv
# that already has the pinned versions is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${MKT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mkt/tools}/schemathesis"
requirements=test/contract/requirements.txt
stamp="$dir/.requirements"
if [ -x "$dir/bin/st" ] && cmp -s "$requirements" "$stamp"; then
  echo "test tools: $("$dir/bin/st" --version) in $dir"
  exit 0
fi
rm -rf "$dir"
python3 -m venv "$dir"
"$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
cp "$requirements" "$stamp"
echo "test tools: $("$dir/bin/st" --version) in $dir"
