import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { findExecutable, resolveServer } from "../src/serverBinary";

test("a missing binary gives one message that says how to install it", () => {
  const r = resolveServer("/nonexistent/dermls");
  assert.equal(r.kind, "missing");
  if (r.kind === "missing") {
    assert.match(r.message, /not found at \/nonexistent\/dermls/);
    assert.match(r.message, /cargo install --locked --path \./);
    assert.doesNotMatch(r.message, /\n/);
  }
});

test("PATH lookup finds an executable and skips a plain file", { skip: process.platform === "win32" }, () => {
  const a = mkdtempSync(join(tmpdir(), "dermls-a-"));
  const b = mkdtempSync(join(tmpdir(), "dermls-b-"));
  try {
    writeFileSync(join(a, "dermls"), "not executable");
    writeFileSync(join(b, "dermls"), "#!/bin/sh\nexit 0\n");
    chmodSync(join(b, "dermls"), 0o755);
    assert.equal(findExecutable("dermls", { PATH: [a, b].join(delimiter) }), join(b, "dermls"));
    assert.equal(findExecutable("dermls", { PATH: a }), undefined);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test("a binary without `serve` is reported as outdated", { skip: process.platform === "win32" }, () => {
  const d = mkdtempSync(join(tmpdir(), "dermls-old-"));
  try {
    const old = join(d, "dermls");
    writeFileSync(old, "#!/bin/sh\necho \"error: unrecognized subcommand 'serve'\" >&2\nexit 2\n");
    chmodSync(old, 0o755);
    const r = resolveServer(old);
    assert.equal(r.kind, "no-serve");
    if (r.kind === "no-serve") assert.match(r.message, /has no language server/);
    const ok = join(d, "dermls-new");
    writeFileSync(ok, "#!/bin/sh\nexit 0\n");
    chmodSync(ok, 0o755);
    assert.deepEqual(resolveServer(ok), { kind: "found", path: ok });
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
