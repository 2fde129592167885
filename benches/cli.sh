#!/usr/bin/env bash
# Times `dermls check` as a user runs it, on a generated corpus (20 MB by
# default), against one `grep -c` pass over the same file as a floor, and
# prints the throughput in MB/s, the ratio to grep and the peak RSS.
#
#   bash benches/cli.sh               # 20 MB, 5 runs each
#   BYTES=1000000 RUNS=3 bash benches/cli.sh
#
# It uses hyperfine when it is installed (`apt-get install hyperfine`) and a
# median of wall-clock runs otherwise; peak RSS comes from GNU time.
#
# Output goes to a file (a pipe under hyperfine), never to /dev/null: GNU
# grep notices /dev/null and stops at the first match as `grep -q` would,
# which timed a floor about 7x too fast until this script was mended.
set -euo pipefail
cd "$(dirname "$0")/.."

BYTES=${BYTES:-20000000}
RUNS=${RUNS:-5}
cargo build --release --quiet
bin=$PWD/target/release/dermls
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
corpus=$dir/corpus.derm
"$bin" corpus --seed 1 --bytes "$BYTES" --out "$corpus"
size=$(stat -c %s "$corpus")

# The median wall-clock seconds of a command, its output thrown away.
median_seconds() {
    if command -v hyperfine >/dev/null; then
        hyperfine --style none --warmup 1 --runs "$RUNS" -i --output=pipe \
            --export-json "$dir/h.json" "$*" >/dev/null
        python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$dir/h.json"
        return
    fi
    "$@" >"$dir/out" 2>&1 || true
    for _ in $(seq "$RUNS"); do
        local t0 t1
        t0=$(date +%s%N)
        "$@" >"$dir/out" 2>&1 || true
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000))
    done | sort -n | awk '{a[NR] = $1} END {printf "%.6f\n", a[int((NR + 1) / 2)] / 1e6}'
}

check=$(median_seconds "$bin" check "$corpus")
grep=$(median_seconds grep -c Site "$corpus")
# What a coder might type to find procedures: case-folded alternation, for
# context (the ratio is to the plain pass above, the stricter floor).
terms=$(median_seconds grep -ciE 'biopsy|excision|destruction|shave|repair' "$corpus")
/usr/bin/time -f '%M' -o "$dir/rss" "$bin" check "$corpus" >/dev/null 2>&1 || true
rss=$(tail -1 "$dir/rss")
cores=$(nproc)

awk -v size="$size" -v check="$check" -v grep="$grep" -v terms="$terms" -v rss="$rss" -v cores="$cores" 'BEGIN {
    printf "corpus            %.1f MB (dermls corpus --seed 1), %d cores\n", size / 1e6, cores
    printf "dermls check      %.3f s  %.1f MB/s  peak RSS %.1f MB\n", check, size / 1e6 / check, rss / 1024
    printf "grep -c Site      %.3f s  %.1f MB/s\n", grep, size / 1e6 / grep
    printf "grep -ciE terms   %.3f s  %.1f MB/s\n", terms, size / 1e6 / terms
    printf "check / grep      %.1fx\n", check / grep
}'
