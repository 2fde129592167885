// Finding the `dermls` binary before starting it, so that a missing or
// outdated binary gives one clear message instead of a client stack trace.
// No `vscode` import here, so the tests run in Node.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** How to install the server, as the messages say it. */
export const INSTALL_HINT =
  "Install it with `cargo install --locked --path .` in a checkout of the dermls repository " +
  "(it puts `dermls` in ~/.cargo/bin), or set `dermls.serverPath` to the binary.";

export type Resolution =
  | { kind: "found"; path: string }
  | { kind: "missing"; message: string }
  | { kind: "no-serve"; path: string; message: string };

function isExecutableFile(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The executable `command` names: a path (with a separator) as it is, a bare
 * name looked up on `PATH` (with `PATHEXT` on Windows).
 */
export function findExecutable(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const exts =
    platform === "win32"
      ? ["", ...(env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM").split(";").filter(Boolean)]
      : [""];
  if (command.includes("/") || (platform === "win32" && command.includes("\\"))) {
    return exts.map((e) => command + e).find(isExecutableFile);
  }
  const dirs = (env.PATH ?? env.Path ?? "").split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    for (const e of exts) {
      const candidate = path.join(dir, command + e);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Resolves `serverPath` (a bare name or a path) and checks that the binary
 * has the `serve` command: `dermls serve --help` exits 0.
 */
export function resolveServer(serverPath: string): Resolution {
  const command = serverPath.trim() === "" ? "dermls" : serverPath.trim();
  const found = findExecutable(command);
  if (found === undefined) {
    const where = command.includes("/") || command.includes("\\") ? `at ${command}` : "on PATH";
    return {
      kind: "missing",
      message: `dermls: the language server \`${command}\` was not found ${where}. ${INSTALL_HINT}`,
    };
  }
  const probe = spawnSync(found, ["serve", "--help"], { timeout: 10_000, encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    return {
      kind: "no-serve",
      path: found,
      message:
        `dermls: \`${found}\` has no language server (\`dermls serve\` failed); it is an older dermls ` +
        `or another program. Update it: ${INSTALL_HINT}`,
    };
  }
  return { kind: "found", path: found };
}
