#!/usr/bin/env bash
# Every benchmark of the README's Performance section in one run, each
# printing its figures:
#
#   bash benches/run.sh            # full sizes, about five minutes
#   bash benches/run.sh --small    # each once at a small size (what CI runs)
#   bash benches/run.sh --peers    # full sizes, then the medspaCy comparison
#                                  # (installs it into target/peers-venv)
#
# 1. `cargo bench --bench throughput`: parse, extract, derive and check in
#    MB/s on 10 KB, 1 MB and 20 MB of generated notes.
# 2. `cargo bench --bench keystroke`: one keystroke's work in process, on a
#    300-line note and a 2 MB document.
# 3. `benches/cli.sh`: `dermls check` on 20 MB as a user runs it, against
#    one `grep -c` pass, and its peak RSS.
# 4. `benches/server.py all`: the server over stdio, as an editor sees it:
#    start-up, keystroke to diagnostics, peak memory with a 2 MB document
#    and holding 1,000 notes, each against its target.
#
# No timing is checked: the machine is shared, and the README's recorded
# figures are the reference.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case "$mode" in
"" | --peers) ;;
--small)
    export DERMLS_BENCH_SMALL=1 BYTES=1000000 RUNS=1 KEYSTROKES=50 NOTES=50 STARTS=3
    ;;
*)
    echo "usage: benches/run.sh [--small | --peers]" >&2
    exit 2
    ;;
esac

echo "== throughput: parse, extract, derive, check (MB/s)"
cargo bench --locked --bench throughput
echo "== one keystroke's work, in process"
cargo bench --locked --bench keystroke
echo "== dermls check against grep, as a user runs it"
bash benches/cli.sh
echo "== the language server over stdio"
cargo build --release --locked --quiet
python3 benches/server.py all
if [ "$mode" = --peers ]; then
    echo "== against medspaCy and grep, on the same notes"
    bash benches/peers/compare.sh
fi
