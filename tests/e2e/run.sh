#!/usr/bin/env bash
# End-to-end tests of `dermls serve` through pytest-lsp: creates a virtual
# environment in target/e2e-venv, installs the pinned requirements, and runs
# the tests against the release binary (built first if it is missing).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
venv="$root/target/e2e-venv"

if [ ! -x target/release/dermls ]; then
    cargo build --release --locked
fi
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r tests/e2e/requirements.txt

cd tests/e2e
DERMLS_BIN="$root/target/release/dermls" \
    exec "$venv/bin/python" -m pytest -p no:cacheprovider -q "$@"
