// The `dermls.*` settings: what the server reads (sent as
// `initializationOptions` and on every change), and the same settings as
// `dermls claim` flags. No `vscode` import here, so the tests run in Node.

import * as os from "node:os";
import * as path from "node:path";

/** The settings the server reads, as the `dermls` section holds them. */
export interface ServerSettings {
  defaultPayer: string | null;
  distinctSiteModifier: "59" | "XS";
  conversionFactor: number | null;
  disabledRules: string[];
  cmsRvuFile: string | null;
  ncciFile: string | null;
  mueFile: string | null;
  payerRulesFile: string | null;
}

/** The keys of {@link ServerSettings}, in the order the README lists them. */
export const SERVER_KEYS: readonly (keyof ServerSettings)[] = [
  "defaultPayer",
  "distinctSiteModifier",
  "conversionFactor",
  "disabledRules",
  "cmsRvuFile",
  "ncciFile",
  "mueFile",
  "payerRulesFile",
];

const FILE_KEYS = ["cmsRvuFile", "ncciFile", "mueFile", "payerRulesFile"] as const;

/** Reads one setting; `get` is `WorkspaceConfiguration.get` or a stand-in. */
export type Getter = (key: string) => unknown;

/**
 * The server's settings from raw values: empty strings become `null`, file
 * paths are resolved against `folder` (the workspace folder) and `~`.
 */
export function serverSettings(get: Getter, folder?: string): ServerSettings {
  const text = (key: string): string | null => {
    const v = get(key);
    return typeof v === "string" && v.trim() !== "" ? v.trim() : null;
  };
  const file = (key: string): string | null => {
    const p = text(key);
    return p === null ? null : resolvePath(p, folder);
  };
  const cf = get("conversionFactor");
  const rules = get("disabledRules");
  const modifier = text("distinctSiteModifier");
  return {
    defaultPayer: text("defaultPayer"),
    distinctSiteModifier: modifier?.toUpperCase() === "XS" ? "XS" : "59",
    conversionFactor: typeof cf === "number" && Number.isFinite(cf) && cf > 0 ? cf : null,
    disabledRules: Array.isArray(rules)
      ? rules.filter((r): r is string => typeof r === "string" && r.trim() !== "").map((r) => r.trim())
      : [],
    cmsRvuFile: file(FILE_KEYS[0]),
    ncciFile: file(FILE_KEYS[1]),
    mueFile: file(FILE_KEYS[2]),
    payerRulesFile: file(FILE_KEYS[3]),
  };
}

/** `~/x` against the home directory, a relative path against `folder`. */
export function resolvePath(p: string, folder?: string, home: string = os.homedir()): string {
  if (p === "~") return home;
  if (p.startsWith("~/") || p.startsWith("~\\")) return path.join(home, p.slice(2));
  if (path.isAbsolute(p) || folder === undefined) return p;
  return path.join(folder, p);
}

/** The payload for `initializationOptions`: `{"dermls": {…}}`. */
export function initializationOptions(s: ServerSettings): { dermls: ServerSettings } {
  return { dermls: s };
}

/**
 * The arguments of `dermls claim --format text` for `file` with these
 * settings. `payerRulesFile` has no command-line flag and is left out.
 */
export function claimArgs(s: ServerSettings, file: string): string[] {
  const args = ["claim", "--format", "text"];
  if (s.defaultPayer !== null) args.push("--payer", s.defaultPayer);
  args.push("--distinct-site-modifier", s.distinctSiteModifier);
  if (s.conversionFactor !== null) args.push("--conversion-factor", String(s.conversionFactor));
  for (const rule of s.disabledRules) args.push("--disable", rule);
  if (s.cmsRvuFile !== null) args.push("--cms-rvu", s.cmsRvuFile);
  if (s.ncciFile !== null) args.push("--ncci", s.ncciFile);
  if (s.mueFile !== null) args.push("--mue", s.mueFile);
  args.push("--", file);
  return args;
}
