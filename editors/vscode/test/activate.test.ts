// Loads the bundled extension (dist/extension.js, so run `npm run build`
// first) against a stand-in `vscode` module and checks what a user sees when
// the server binary is missing: one error message with the install command,
// and the commands registered all the same. VS Code itself cannot run here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import Module from "node:module";
import { join } from "node:path";

const bundle = join(__dirname, "..", "..", "dist", "extension.js");

/** Any property is another stand-in; calling one returns a stand-in. */
function standIn(): any {
  const fn = function () {
    return standIn();
  };
  return new Proxy(fn, {
    get: (_t, p) => (p === "then" ? undefined : p === Symbol.toPrimitive ? () => "" : standIn()),
  });
}

function fakeVscode(settings: Record<string, unknown>) {
  const errors: string[] = [];
  const commands: string[] = [];
  const log: string[] = [];
  const channel = {
    info: (m: string) => log.push(m),
    warn: (m: string) => log.push(m),
    error: (m: string) => log.push(m),
    dispose: () => undefined,
  };
  const api = {
    window: {
      createOutputChannel: () => channel,
      showErrorMessage: async (m: string) => {
        errors.push(m);
        return undefined;
      },
      showInformationMessage: async () => undefined,
      activeTextEditor: undefined,
    },
    workspace: {
      getConfiguration: () => ({ get: (k: string) => settings[k] }),
      onDidChangeConfiguration: () => ({ dispose: () => undefined }),
      workspaceFolders: undefined,
      getWorkspaceFolder: () => undefined,
    },
    commands: {
      registerCommand: (name: string) => {
        commands.push(name);
        return { dispose: () => undefined };
      },
      executeCommand: async () => undefined,
    },
    env: { clipboard: { writeText: async () => undefined } },
    languages: { getDiagnostics: () => [] },
  };
  const vscode = new Proxy(api as Record<string | symbol, unknown>, {
    // `__esModule` makes the client library's `__importStar` use this object
    // as it is, so every class it extends is a stand-in.
    get: (t, p) => (p in t ? t[p] : p === "__esModule" ? true : standIn()),
  });
  return { vscode, errors, commands, log };
}

async function activateWith(settings: Record<string, unknown>) {
  const fake = fakeVscode(settings);
  const M = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
  const load = M._load;
  M._load = function (request: string, ...rest: unknown[]) {
    return request === "vscode" ? fake.vscode : load.call(this, request, ...rest);
  };
  try {
    delete require.cache[require.resolve(bundle)];
    const ext = require(bundle) as { activate: (ctx: unknown) => Promise<void> };
    await ext.activate({ subscriptions: [] });
    await new Promise((r) => setImmediate(r));
  } finally {
    M._load = load;
  }
  return fake;
}

const skip = existsSync(bundle) ? false : "run `npm run build` first";

test("a missing server binary: one clear message, no exception, commands registered", { skip }, async () => {
  const fake = await activateWith({ serverPath: "/nonexistent/bin/dermls" });
  assert.equal(fake.errors.length, 1, `messages: ${JSON.stringify(fake.errors)}`);
  assert.match(fake.errors[0]!, /was not found at \/nonexistent\/bin\/dermls/);
  assert.match(fake.errors[0]!, /cargo install --locked --path \./);
  assert.deepEqual(fake.commands.sort(), ["dermls.insertBillingCodes", "dermls.restartServer", "dermls.showClaim"]);
});

test("a dermls without `serve`: one message asking to update it", { skip: skip || (process.platform === "win32" ? "POSIX shell script" : false) }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "dermls-old-"));
  try {
    const old = join(dir, "dermls");
    writeFileSync(old, "#!/bin/sh\necho \"error: unrecognized subcommand 'serve'\" >&2\nexit 2\n");
    chmodSync(old, 0o755);
    const fake = await activateWith({ serverPath: old });
    assert.equal(fake.errors.length, 1, `messages: ${JSON.stringify(fake.errors)}`);
    assert.match(fake.errors[0]!, /has no language server/);
    assert.match(fake.errors[0]!, /cargo install --locked --path \./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
