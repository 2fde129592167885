#!/usr/bin/env bash
# CI for the editor integrations, from a clean clone:
#   1. the TextMate grammar's tests (grammar/: npm ci && npm test),
#   2. the VS Code extension: npm ci, npm run package (type-check, bundle,
#      .vsix), its unit tests, and a look inside the .vsix,
#   3. the real-editor test: headless Neovim 0.11 (PyPI) with editors/nvim,
#      talking to `dermls serve`.
# Needs node and npm (20+), python3, and a release build of dermls:
# $DERMLS_BIN, default target/release/dermls (.ci/run builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
bin=${DERMLS_BIN:-$repo/target/release/dermls}
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac
export DERMLS_BIN="$bin"
# --ignore-scripts: nothing here needs an install script (esbuild and TypeScript
# take their binaries from their platform packages), and it keeps npm 10
# (which runs them) and npm 11 (which asks first) alike.
npm_flags=(--ignore-scripts --no-audit --no-fund --loglevel=error)

echo "== node $(node --version), npm $(npm --version), dermls: $bin"
if [ ! -x "$bin" ]; then
  echo "editors/ci.sh: no dermls binary at $bin (cargo build --release, or set DERMLS_BIN)" >&2
  exit 1
fi

echo "== grammar: npm ci && npm test"
(cd grammar && npm ci "${npm_flags[@]}" && npm test)

echo "== editors/vscode: npm ci && npm run package"
(
  cd editors/vscode
  rm -f ./*.vsix
  npm ci "${npm_flags[@]}"
  npm run package
  npm test
)

echo "== editors/vscode: what the .vsix holds"
shopt -s nullglob
vsix=(editors/vscode/dermls-*.vsix)
if [ "${#vsix[@]}" -ne 1 ]; then
  echo "editors/ci.sh: expected one editors/vscode/dermls-*.vsix, found ${#vsix[@]}" >&2
  exit 1
fi
if command -v unzip >/dev/null; then unzip -l "${vsix[0]}"; fi
python3 - "${vsix[0]}" <<'EOF'
import json, sys, zipfile
vsix = zipfile.ZipFile(sys.argv[1])
names = set(vsix.namelist())
need = [
    "extension/package.json",
    "extension/dist/extension.js",
    "extension/syntaxes/dermnote.tmLanguage.json",
    "extension/language-configuration.json",
    "extension/snippets/dermnote.json",
    "extension/LICENSE.txt",
    "extension/ThirdPartyNotices.txt",
    "extension/readme.md",
]
missing = [n for n in need if n not in names]
if missing:
    sys.exit(f"the .vsix lacks {missing}")
extra = sorted(n for n in names if "node_modules" in n or n.endswith(".ts") or "/test/" in n)
if extra:
    sys.exit(f"the .vsix holds files it should not: {extra}")
pkg = json.loads(vsix.read("extension/package.json"))
contributes = pkg["contributes"]
grammar = json.loads(vsix.read("extension/syntaxes/dermnote.tmLanguage.json"))
with open("grammar/dermnote.tmLanguage.json", encoding="utf-8") as f:
    if json.load(f) != grammar:
        sys.exit("the packaged grammar differs from grammar/dermnote.tmLanguage.json")
assert contributes["grammars"][0]["scopeName"] == grammar["scopeName"] == "text.dermnote"
assert contributes["languages"][0]["extensions"] == [".derm"]
assert contributes["languages"][0]["configuration"] == "./language-configuration.json"
lc = json.loads(vsix.read("extension/language-configuration.json"))
assert lc["comments"]["blockComment"] == ["<!--", "-->"]
settings = contributes["configuration"]["properties"]
for key in ["serverPath", "defaultPayer", "distinctSiteModifier", "conversionFactor", "disabledRules",
            "cmsRvuFile", "ncciFile", "mueFile", "payerRulesFile", "trace.server"]:
    assert f"dermls.{key}" in settings, f"no setting dermls.{key}"
commands = {c["command"] for c in contributes["commands"]}
assert commands == {"dermls.restartServer", "dermls.insertBillingCodes", "dermls.showClaim"}, commands
assert pkg["license"] == "MIT OR Apache-2.0" and pkg["engines"]["vscode"] == "^1.91.0"
print(f"{sys.argv[1]}: {len(names)} files; extension, grammar, language configuration, snippets, licence: ok")
EOF

echo "== editors/nvim: headless Neovim test"
bash editors/nvim/test/run.sh
