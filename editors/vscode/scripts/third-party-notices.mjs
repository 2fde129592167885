// Writes ThirdPartyNotices.txt: the name, version, licence and licence text
// of every npm package esbuild bundled into dist/extension.js (read from
// dist/meta.json, the bundle's metafile). The .vsix ships it beside the
// bundle, as the packages' licences ask.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const meta = JSON.parse(readFileSync(join(here, "dist", "meta.json"), "utf8"));

const packages = new Map();
for (const input of Object.keys(meta.inputs)) {
  const i = input.lastIndexOf("node_modules/");
  if (i < 0) continue;
  const parts = input.slice(i + "node_modules/".length).split("/");
  const name = parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  packages.set(`${input.slice(0, i)}node_modules/${name}`, name);
}

const sections = [];
for (const [dir, name] of [...packages].sort((a, b) => a[1].localeCompare(b[1]))) {
  const pkg = JSON.parse(readFileSync(join(here, dir, "package.json"), "utf8"));
  const file = readdirSync(join(here, dir)).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  if (file === undefined) throw new Error(`${name}: no licence file in ${dir}`);
  const text = readFileSync(join(here, dir, file), "utf8").trim();
  sections.push(`${name} ${pkg.version} (${pkg.license})\n${"-".repeat(78)}\n${text}\n`);
}
if (sections.length === 0 || !existsSync(join(here, "dist", "extension.js"))) {
  throw new Error("no bundled packages found: run the bundle step first");
}
writeFileSync(
  join(here, "ThirdPartyNotices.txt"),
  "The dermls extension bundles these npm packages into dist/extension.js.\n\n" + sections.join("\n"),
);
console.log(`third-party-notices: ${sections.length} packages`);
