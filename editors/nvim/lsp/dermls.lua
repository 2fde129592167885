-- The dermls language server for Neovim 0.11+ (`:help lsp-config`):
--
--   vim.lsp.enable("dermls")
--
-- Settings (the same as VS Code's `dermls.*`) go under `settings.dermls`;
-- the server gets them at start (initializationOptions) and answers
-- `workspace/configuration` from them:
--
--   vim.lsp.config("dermls", { settings = { dermls = { defaultPayer = "Medicare" } } })
--
-- The binary is `dermls` on PATH; elsewhere, set
-- `cmd = { "/path/to/dermls", "serve" }`. Install it from a checkout of the
-- dermls repository with `cargo install --locked --path .`.

---@type vim.lsp.Config
return {
  cmd = { "dermls", "serve" },
  filetypes = { "dermnote" },
  root_markers = { ".git" },
  -- A note outside any repository still gets a server (rooted at its folder).
  workspace_required = false,
  settings = {
    dermls = {
      -- The payer where a note has no `Payer:` line: "Medicare", "UHC",
      -- "Aetna", "BCBS", "Medicaid", "Commercial" or "Self-pay"; "" for none.
      defaultPayer = "",
      -- "59" or "XS" for a procedure on a distinct lesion or site.
      distinctSiteModifier = "59",
      -- Dollars per RVU for the estimated payment; vim.NIL for the 2026 Medicare figure.
      conversionFactor = vim.NIL,
      -- Diagnostic codes to switch off, e.g. { "payer/unknown" }.
      disabledRules = {},
      -- CMS files (PPRRVU CSV, NCCI practitioner PTP, practitioner MUE) and a
      -- payer rules file instead of the built-in tables; "" for the built-in ones.
      cmsRvuFile = "",
      ncciFile = "",
      mueFile = "",
      payerRulesFile = "",
    },
  },
  -- initializationOptions carry the same settings, so the first analysis
  -- already uses them; explicit `init_options` win.
  before_init = function(params, config)
    local settings = config.settings and config.settings.dermls or {}
    params.initializationOptions =
      vim.tbl_deep_extend("force", { dermls = settings }, params.initializationOptions or {})
  end,
}
