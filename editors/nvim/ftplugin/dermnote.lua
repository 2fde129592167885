-- Buffer settings for dermnote notes: HTML comments, Markdown-like lists.
vim.bo.commentstring = "<!-- %s -->"
vim.bo.comments = "b:-,b:*,b:+"
vim.opt_local.formatoptions:append("qn")
vim.b.undo_ftplugin = (vim.b.undo_ftplugin and (vim.b.undo_ftplugin .. " | ") or "")
  .. "setlocal commentstring< comments< formatoptions<"
