// The language configuration's word pattern keeps codes whole, the way VS Code
// picks the word at the cursor (for double-click, hover and completion).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const config = JSON.parse(readFileSync(join(__dirname, "..", "..", "language-configuration.json"), "utf8"));
const pattern = new RegExp(config.wordPattern, "g");

/** The word containing `at`, as VS Code's getWordAtText finds it. */
function wordAt(line: string, at: number): string | undefined {
  for (const m of line.matchAll(pattern)) {
    if (m.index! <= at && at <= m.index! + m[0].length) return m[0];
  }
  return undefined;
}

function wordOf(line: string, word: string, offset = 1): string | undefined {
  return wordAt(line, line.indexOf(word) + offset);
}

test("CPT codes with modifiers, HCPCS codes and ICD-10-CM codes are one word", () => {
  const line = "- 11102-59  Dx: D48.5, C44.612; 99213-25-XS G2211 17003 x7 (L40.0). D3A.010.";
  assert.equal(wordOf(line, "11102-59"), "11102-59");
  assert.equal(wordOf(line, "11102-59", 7), "11102-59");
  assert.equal(wordOf(line, "D48.5", 4), "D48.5");
  assert.equal(wordOf(line, "C44.612"), "C44.612");
  assert.equal(wordOf(line, "99213-25-XS", 9), "99213-25-XS");
  assert.equal(wordOf(line, "G2211"), "G2211");
  assert.equal(wordOf(line, "17003"), "17003");
  assert.equal(wordOf(line, "L40.0"), "L40.0");
  assert.equal(wordOf(line, "D3A.010"), "D3A.010");
});

test("ordinary words stop at punctuation", () => {
  const line = "Site: left forearm, 0.6 x 0.5 cm; r/o SCC (A) DermaBlade.";
  assert.equal(wordOf(line, "Site"), "Site");
  assert.equal(wordOf(line, "forearm"), "forearm");
  assert.equal(wordOf(line, "0.6"), "0.6");
  assert.equal(wordOf(line, "SCC"), "SCC");
  assert.equal(wordOf(line, "DermaBlade"), "DermaBlade");
  assert.equal(wordOf(line, "r/o"), "r");
});

test("the language configuration has the note's comments and pairs", () => {
  assert.deepEqual(config.comments.blockComment, ["<!--", "-->"]);
  const opens = config.autoClosingPairs.map((p: { open: string }) => p.open);
  for (const o of ["(", "[", "\"", "<!--"]) assert.ok(opens.includes(o), o);
  assert.ok(!opens.includes("'"), "no auto-closing apostrophe: o'clock, Bowen's");
});
