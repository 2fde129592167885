// Every snippet, expanded with its default values, is a note that dermls
// reads without a documentation finding: the snippets list every field an
// audit needs. Needs a dermls binary: $DERMLS_BIN, else the test is skipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Snippet {
  prefix: string | string[];
  body: string[];
  description: string;
}

const snippets: Record<string, Snippet> = JSON.parse(
  readFileSync(join(__dirname, "..", "..", "snippets", "dermnote.json"), "utf8"),
);

/** A snippet body with each placeholder's default (a choice's first item). */
export function expand(body: string[]): string {
  const vars: Record<string, string> = { CURRENT_YEAR: "2026", CURRENT_MONTH: "03", CURRENT_DATE: "14" };
  let text = body.join("\n");
  const defaults = new Map<string, string>();
  // Innermost first, until no placeholder is left.
  for (let i = 0; i < 10; i++) {
    const before = text;
    text = text
      .replace(/\$\{([A-Z_]+)\}/g, (_, v: string) => vars[v] ?? "")
      .replace(/\$\{(\d+)\|([^|}]*)\|\}/g, (_, n: string, choices: string) => {
        const v = choices.split(",")[0] ?? "";
        defaults.set(n, v);
        return v;
      })
      .replace(/\$\{(\d+):([^${}]*)\}/g, (_, n: string, v: string) => {
        defaults.set(n, v);
        return v;
      });
    if (text === before) break;
  }
  return text.replace(/\$(\d+)/g, (_, n: string) => defaults.get(n) ?? "");
}

test("snippet bodies expand to text without placeholders", () => {
  for (const [name, s] of Object.entries(snippets)) {
    const text = expand(s.body);
    assert.doesNotMatch(text, /\$/, name);
  }
});

test("there is a snippet for each procedure kind", () => {
  const names = Object.keys(snippets).map((n) => n.toLowerCase());
  for (const kind of ["biopsy", "shave removal", "excision", "destruction", "mohs", "phototherapy"]) {
    assert.ok(names.includes(kind), `no snippet for ${kind}`);
  }
});

const bin = process.env.DERMLS_BIN;

test("each procedure snippet documents every field an audit needs", { skip: bin && existsSync(bin) ? false : "DERMLS_BIN is not set to a dermls binary" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "dermls-snippets-"));
  try {
    const header = expand(snippets["Encounter"]!.body).replace(/^E\/M:.*\n/m, "");
    for (const [name, s] of Object.entries(snippets)) {
      if (name === "Encounter" || name === "Billing") continue;
      const file = join(dir, `${name.replace(/\W+/g, "-")}.derm`);
      writeFileSync(file, `${header}\n${expand(s.body)}\n`);
      const r = spawnSync(bin!, ["check", "--format", "json", file], { encoding: "utf8" });
      assert.ok(r.status === 0 || r.status === 1, `${name}: dermls check exited ${r.status}: ${r.stderr}`);
      const out = JSON.parse(r.stdout.trim().split("\n")[0]!) as { diagnostics: { code: string; message: string }[] };
      const doc = out.diagnostics.filter((d) => d.code.startsWith("doc/") && d.code !== "doc/pathology-pending");
      assert.deepEqual(doc.map((d) => `${d.code}: ${d.message}`), [], `${name}:\n${readFileSync(file, "utf8")}`);
      const claim = spawnSync(bin!, ["claim", "--format", "json", file], { encoding: "utf8" });
      const lines = JSON.parse(claim.stdout.trim()).encounters[0].lines as unknown[];
      assert.ok(lines.length > 0, `${name}: no claim line derived`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
