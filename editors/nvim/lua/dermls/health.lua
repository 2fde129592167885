-- :checkhealth dermls
local M = {}

function M.check()
  local health = vim.health
  health.start("dermls")
  if vim.fn.has("nvim-0.11") == 1 then
    health.ok("Neovim " .. tostring(vim.version()) .. ": lsp/dermls.lua works with vim.lsp.enable('dermls')")
    if vim.lsp.is_enabled and not vim.lsp.is_enabled("dermls") then
      health.warn("dermls is not enabled", { "add vim.lsp.enable('dermls') to your init.lua" })
    end
  else
    health.ok("Neovim " .. tostring(vim.version()) .. ": plugin/dermls.lua starts the server with vim.lsp.start")
  end
  if vim.filetype.match({ filename = "note.derm" }) == "dermnote" then
    health.ok("*.derm files get the dermnote filetype")
  else
    health.error("*.derm files are not detected", { "put editors/nvim on 'runtimepath' before `filetype on`" })
  end
  local dermls = require("dermls")
  local ok, config = pcall(dermls.config)
  if not ok then
    health.error(tostring(config))
    return
  end
  local bin = config.cmd and config.cmd[1]
  if type(bin) ~= "string" or vim.fn.executable(bin) ~= 1 then
    health.error(("the server `%s` was not found"):format(tostring(bin)), { dermls.INSTALL_HINT })
    return
  end
  local out = vim.fn.system({ bin, "serve", "--help" })
  if vim.v.shell_error ~= 0 then
    health.error(("`%s serve` does not work: an older dermls?"):format(vim.fn.exepath(bin)), { dermls.INSTALL_HINT, vim.trim(out) })
  else
    health.ok(("server: %s"):format(vim.fn.exepath(bin)))
  end
end

return M
