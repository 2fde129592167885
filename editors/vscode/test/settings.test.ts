import { test } from "node:test";
import assert from "node:assert/strict";
import { claimArgs, initializationOptions, resolvePath, serverSettings } from "../src/settings";

const get = (values: Record<string, unknown>) => (key: string) => values[key];

test("defaults: nothing set gives the server's defaults", () => {
  const s = serverSettings(get({}));
  assert.deepEqual(s, {
    defaultPayer: null,
    distinctSiteModifier: "59",
    conversionFactor: null,
    disabledRules: [],
    cmsRvuFile: null,
    ncciFile: null,
    mueFile: null,
    payerRulesFile: null,
  });
  assert.deepEqual(initializationOptions(s), { dermls: s });
});

test("values are cleaned: empty strings, bad numbers, blank rules", () => {
  const s = serverSettings(
    get({
      defaultPayer: " UHC ",
      distinctSiteModifier: "xs",
      conversionFactor: -3,
      disabledRules: ["payer/unknown", " ", 7],
      cmsRvuFile: "",
      ncciFile: "data/ncci.csv",
      mueFile: "/abs/mue.csv",
    }),
    "/work/space",
  );
  assert.equal(s.defaultPayer, "UHC");
  assert.equal(s.distinctSiteModifier, "XS");
  assert.equal(s.conversionFactor, null);
  assert.deepEqual(s.disabledRules, ["payer/unknown"]);
  assert.equal(s.cmsRvuFile, null);
  assert.equal(s.ncciFile, "/work/space/data/ncci.csv");
  assert.equal(s.mueFile, "/abs/mue.csv");
});

test("paths: ~ is the home directory, relative paths the workspace folder's", () => {
  assert.equal(resolvePath("~/rvu.csv", "/w", "/home/u"), "/home/u/rvu.csv");
  assert.equal(resolvePath("rvu.csv", "/w", "/home/u"), "/w/rvu.csv");
  assert.equal(resolvePath("rvu.csv", undefined, "/home/u"), "rvu.csv");
  assert.equal(resolvePath("/x/rvu.csv", "/w", "/home/u"), "/x/rvu.csv");
});

test("claim arguments carry the settings as dermls claim flags", () => {
  const s = serverSettings(
    get({ defaultPayer: "Medicare", distinctSiteModifier: "XS", conversionFactor: 32.5, disabledRules: ["payer/unknown"], mueFile: "/m.csv", payerRulesFile: "/p.json" }),
  );
  assert.deepEqual(claimArgs(s, "/notes/-odd.derm"), [
    "claim", "--format", "text",
    "--payer", "Medicare",
    "--distinct-site-modifier", "XS",
    "--conversion-factor", "32.5",
    "--disable", "payer/unknown",
    "--mue", "/m.csv",
    "--", "/notes/-odd.derm",
  ]);
});
