#!/usr/bin/env bash
# dermls against what a user would otherwise reach for, on the same notes:
# medspaCy (PyPI; offline, spacy.blank("en"), target rules for the same
# lesion, site and technique terms) in notes per second, and one `grep -c`
# pass over the same bytes as a floor. Not run in CI (it installs spaCy);
# README "Performance" records its output.
#
# usage: benches/peers/compare.sh [BYTES]   (default 2000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
bytes=${1:-2000000}
venv=target/peers-venv
corpus=target/peers-corpus.derm

cargo build --release --quiet
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r benches/peers/requirements.txt
fi
./target/release/dermls corpus --seed 1 --bytes "$bytes" --out "$corpus"
notes=$(grep -c '^# Encounter' "$corpus")

# Best of ten wall-clock runs of a command, in seconds (a run of dermls
# takes tens of milliseconds, where one slow run in three is common).
best() {
  python3 - "$@" <<'PY'
import subprocess, sys, tempfile, time
runs = []
for _ in range(10):
    # Output to a file, not /dev/null: GNU grep stops at the first match
    # when its output is /dev/null, which would time no pass at all.
    out = tempfile.TemporaryFile()
    t = time.perf_counter()
    r = subprocess.run(sys.argv[1:], stdout=out)
    assert r.returncode in (0, 1), r  # check exits 1 when it finds an error
    runs.append(time.perf_counter() - t)
    out.close()
print(f"{min(runs):.4f}")
PY
}

dermls_s=$(best ./target/release/dermls claim --format json "$corpus")
check_s=$(best ./target/release/dermls check --format json "$corpus")
grep_s=$(best grep -c Site "$corpus")
minimal=$("$venv/bin/python" benches/peers/medspacy_extract.py minimal grammar/vocabulary.json "$corpus")
default=$("$venv/bin/python" benches/peers/medspacy_extract.py default grammar/vocabulary.json "$corpus")

python3 - "$bytes" "$notes" "$dermls_s" "$check_s" "$grep_s" "$minimal" "$default" <<'PY'
import json, sys
size, notes = int(sys.argv[1]), int(sys.argv[2])
claim_s, check_s, grep_s = map(float, sys.argv[3:6])
minimal, default = json.loads(sys.argv[6]), json.loads(sys.argv[7])
rate = lambda s: notes / s
print(f"corpus: {notes} notes, {size / 1e6:.1f} MB (dermls corpus --seed 1)")
print("| tool | seconds | notes/s | MB/s | dermls claim is |")
print("|---|---|---|---|---|")
rows = [
    ("dermls claim --format json", claim_s),
    ("dermls check --format json", check_s),
    (default["tool"], default["seconds"]),
    (minimal["tool"], minimal["seconds"]),
    ("grep -c Site (floor)", grep_s),
]
for name, s in rows:
    print(f"| {name} | {s:.3f} | {rate(s):,.0f} | {size / 1e6 / s:.1f} | {s / claim_s:,.1f}x faster |" if name.startswith(("medspacy",)) else
          f"| {name} | {s:.3f} | {rate(s):,.0f} | {size / 1e6 / s:.1f} | {s / claim_s:,.2f}x its time |")
PY
