-- dermls commands for dermnote buffers, and on Neovim older than 0.11 (no
-- vim.lsp.enable) the server started for every dermnote buffer. Set
-- `vim.g.dermls_autostart = false` to start it yourself there
-- (`require("dermls").setup()`).
if vim.g.loaded_dermls then
  return
end
vim.g.loaded_dermls = true

vim.api.nvim_create_user_command("DermlsInsertBilling", function()
  local changed, why = require("dermls").insert_billing(0)
  if not changed and why then
    vim.notify("dermls: " .. why, vim.log.levels.INFO)
  end
end, { desc = "dermls: insert the billing codes of the encounter at the cursor" })

vim.api.nvim_create_user_command("DermlsClaim", function()
  require("dermls").claim(0)
end, { desc = "dermls: show the claim of the current note (dermls claim)" })

vim.api.nvim_create_user_command("DermlsRestart", function()
  require("dermls").restart()
end, { desc = "dermls: restart the language server" })

if vim.fn.has("nvim-0.11") == 0 and vim.g.dermls_autostart ~= false then
  require("dermls").setup()
end
