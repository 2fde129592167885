// The grammar and grammar/vocabulary.json must agree: every field label the
// parser reads is highlighted as a label, and every note in tests/ tokenizes
// with its codes scoped. Run by `npm test` in grammar/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tm = require('vscode-textmate');
const onig = require('vscode-oniguruma');

const here = dirname(fileURLToPath(import.meta.url));
const grammarDir = join(here, '..');
const repo = join(grammarDir, '..');
const vocabulary = JSON.parse(readFileSync(join(grammarDir, 'vocabulary.json'), 'utf8'));

async function loadGrammar() {
  const wasm = readFileSync(join(dirname(require.resolve('vscode-oniguruma')), 'onig.wasm')).buffer;
  await onig.loadWASM(wasm);
  const registry = new tm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new onig.OnigScanner(patterns),
      createOnigString: (s) => new onig.OnigString(s),
    }),
    loadGrammar: async (scope) => scope === 'text.dermnote'
      ? tm.parseRawGrammar(readFileSync(join(grammarDir, 'dermnote.tmLanguage.json'), 'utf8'), 'dermnote.tmLanguage.json')
      : null,
  });
  return registry.loadGrammar('text.dermnote');
}

const grammar = await loadGrammar();

/** Tokens of a text as [text, scopes[]] per line. */
function tokenize(text) {
  let state = tm.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes]);
  });
}

/** The scopes of the first token that starts at `col` of a one-line text. */
function scopesAt(line, col) {
  let state = tm.INITIAL;
  const r = grammar.tokenizeLine(line, state);
  const t = r.tokens.find((t) => t.startIndex <= col && col < t.endIndex);
  return t ? t.scopes : [];
}

const LABEL = 'support.type.property-name.field.dermnote';

function labelNames() {
  return vocabulary.labels.flatMap((l) => l.names.map((name) => ({ label: l.label, name })));
}

test('every field label of vocabulary.json is highlighted as a label', () => {
  const missing = [];
  for (const { label, name } of labelNames()) {
    const variants = [name, name[0].toUpperCase() + name.slice(1), name.toUpperCase()];
    for (const v of variants) {
      for (const [line, col] of [[`${v}: value`, 0], [`- ${v}: value`, 2], [`  ${v} : value`, 2]]) {
        if (!scopesAt(line, col).includes(LABEL)) missing.push(`${label}: ${JSON.stringify(line)}`);
      }
    }
  }
  assert.deepEqual(missing, [], 'labels the grammar does not highlight');
});

test('Mohs stage labels are highlighted as labels', () => {
  for (const line of ['Stage 1: 4 blocks', 'Stage 12: clear', 'stage 2 : mapped', 'Stage IV: negative']) {
    assert.ok(scopesAt(line, 0).includes(LABEL), line);
  }
});

test('a word that is no label of vocabulary.json is not highlighted as one', () => {
  const known = new Set(labelNames().map((n) => n.name));
  for (const word of ['Tolerated well', 'Plan of care', 'Sitex', 'Lesionx', 'Note']) {
    assert.ok(!known.has(word.toLowerCase()));
    assert.ok(!scopesAt(`${word}: value`, 0).includes(LABEL), word);
  }
});

const CPT = 'constant.numeric.cpt.dermnote';
const MOD = 'storage.modifier.cpt.dermnote';
const UNITS = 'constant.numeric.units.dermnote';
const ICD = 'constant.language.icd10.dermnote';

function notes() {
  const dirs = ['tests/examples', 'tests/notes', 'tests/variants'].map((d) => join(repo, d)).filter(existsSync);
  return dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.derm')).map((f) => join(d, f)));
}

test('every note in tests/ tokenizes, with its Billing lines and Dx codes scoped', () => {
  const files = notes();
  assert.ok(files.length > 0, 'no notes found under tests/');
  const problems = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const lines = tokenize(text);
    const raw = text.split(/\r?\n/);
    let inBilling = false;
    raw.forEach((line, i) => {
      const name = `${file.slice(repo.length + 1)}:${i + 1}`;
      if (/^#/.test(line)) inBilling = /^##\s+billing\b/i.test(line);
      const tokens = lines[i];
      const tokenOf = (text) => tokens.find(([t]) => t === text);
      const billing = inBilling && line.match(/^\s*[-*]\s+([0-9A-Z]{5})((?:-[0-9A-Z]{2})*)(?:\s+(x\d+))?/);
      if (billing) {
        const [, code, mods, units] = billing;
        if (!tokenOf(code)?.[1].includes(CPT)) problems.push(`${name}: ${code} is not a CPT code`);
        for (const m of mods.split('-').filter(Boolean)) {
          if (!tokenOf(m)?.[1].includes(MOD)) problems.push(`${name}: ${m} is not a modifier`);
        }
        if (units && !tokenOf(units)?.[1].includes(UNITS)) problems.push(`${name}: ${units} is not units`);
      }
      const dx = line.match(/(?:^|\s)Dx:\s*(.*)$/i);
      if (dx) {
        for (const code of dx[1].split(/[,;\s]+/).filter((c) => /^[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$/.test(c))) {
          if (!tokenOf(code)?.[1].includes(ICD)) problems.push(`${name}: ${code} is not an ICD-10 code`);
        }
      }
      const field = line.match(/^\s*(?:[-*]\s+)?(Site|Lesion|Technique|Margins?|Repair|Pathology|Dx|Payer|E\/M|Count|Method|Indication|Stage \d+)\s*:/i);
      if (field && !tokenOf(field[1])?.[1].includes(LABEL)) problems.push(`${name}: ${field[1]} is not a label`);
    });
  }
  assert.deepEqual(problems, []);
});
