#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), starting from the
# corpus kept in fuzz/corpus/TARGET, with a fixed seed so that a run can be
# repeated. A crash fails the script and leaves the input in
# fuzz/artifacts/TARGET/; turn it into a regression test (see CONTRIBUTING).
# Needs a nightly toolchain and cargo-fuzz (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz/run.sh: no nightly toolchain (rustup toolchain install nightly)" >&2
  exit 1
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --quiet
fi
cargo +nightly fuzz build
for target in parse analyze edits document; do
  echo "== fuzz $target for ${seconds}s"
  log="target/fuzz-$target.log"
  mkdir -p target
  status=0
  cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -seed=1 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb)|ERROR|SUMMARY|panicked" "$log" || true
  if [ "$status" -ne 0 ]; then
    echo "fuzz/run.sh: $target failed (exit $status); see fuzz/$log and fuzz/artifacts/$target/" >&2
    exit "$status"
  fi
done
