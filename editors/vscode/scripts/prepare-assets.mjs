// Copies what the extension ships from the repository's single sources into
// this folder before bundling: the TextMate grammar (grammar/) and the
// licence texts (repository root). The copies are build outputs, ignored by
// git (.gitignore) and packaged by vsce.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = join(here, "..", "..");

mkdirSync(join(here, "syntaxes"), { recursive: true });
const grammar = join(repo, "grammar", "dermnote.tmLanguage.json");
// Parse it, so a broken grammar fails the build here and not in the editor.
const parsed = JSON.parse(readFileSync(grammar, "utf8"));
if (parsed.scopeName !== "text.dermnote") {
  throw new Error(`${grammar}: scopeName is ${parsed.scopeName}, expected text.dermnote`);
}
copyFileSync(grammar, join(here, "syntaxes", "dermnote.tmLanguage.json"));

const mit = readFileSync(join(repo, "LICENSE-MIT"), "utf8").trimEnd();
const apache = readFileSync(join(repo, "LICENSE-APACHE"), "utf8").trimEnd();
writeFileSync(
  join(here, "LICENSE"),
  "dermls is licensed under either of the MIT license or the Apache License,\n" +
    "Version 2.0, at your option (SPDX: MIT OR Apache-2.0). Both texts follow.\n\n" +
    "=".repeat(78) + "\n\n" + mit + "\n\n" + "=".repeat(78) + "\n\n" + apache + "\n",
);
console.log("prepare-assets: syntaxes/dermnote.tmLanguage.json, LICENSE");
