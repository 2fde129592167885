-- dermls for Neovim: start the server on older Neovim, and the commands
-- behind :DermlsInsertBilling, :DermlsClaim and :DermlsRestart.
local M = {}

M.INSTALL_HINT = "install it with `cargo install --locked --path .` in a checkout of the dermls "
  .. "repository (it puts `dermls` in ~/.cargo/bin), or set `cmd` in vim.lsp.config('dermls', …)"

--- The server's title for the source action that writes the Billing section.
M.INSERT_BILLING_TITLE = "Insert billing codes"
M.INSERT_BILLING_KIND = "source.insertBilling"

local has_011 = vim.fn.has("nvim-0.11") == 1

--- The configuration in lsp/dermls.lua (found on 'runtimepath').
---@return table
function M.default_config()
  local file = vim.api.nvim_get_runtime_file("lsp/dermls.lua", false)[1]
  if file == nil then
    error("dermls: lsp/dermls.lua is not on 'runtimepath'")
  end
  return dofile(file)
end

--- The effective configuration: Neovim 0.11's merged `vim.lsp.config.dermls`,
--- or lsp/dermls.lua with `M.opts` over it on older versions.
---@return table
function M.config()
  if has_011 then
    return vim.lsp.config.dermls or M.default_config()
  end
  return vim.tbl_deep_extend("force", M.default_config(), M.opts or {})
end

--- Sets dermls up. On Neovim 0.11+ this is `vim.lsp.config("dermls", opts)`
--- and `vim.lsp.enable("dermls")`; on older versions it starts the server
--- with `vim.lsp.start` for every `dermnote` buffer.
---@param opts? table the same keys as lsp/dermls.lua (cmd, settings, …)
function M.setup(opts)
  if has_011 then
    if opts ~= nil then
      vim.lsp.config("dermls", opts)
    end
    vim.lsp.enable("dermls")
    return
  end
  M.opts = opts or {}
  local group = vim.api.nvim_create_augroup("dermls", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "dermnote",
    callback = function(args)
      M.start(args.buf)
    end,
  })
  -- Buffers already open.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == "dermnote" then
      M.start(buf)
    end
  end
end

--- Starts (or attaches) the server for `bufnr` with vim.lsp.start (Neovim < 0.11).
---@param bufnr integer
function M.start(bufnr)
  if vim.lsp.start == nil then
    vim.notify_once("dermls: Neovim 0.8 or later is needed (vim.lsp.start)", vim.log.levels.ERROR)
    return
  end
  local config = M.config()
  if vim.fn.executable(config.cmd[1]) ~= 1 then
    vim.notify_once(("dermls: `%s` was not found; %s"):format(config.cmd[1], M.INSTALL_HINT), vim.log.levels.ERROR)
    return
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local marker = vim.fs.find(config.root_markers or { ".git" }, { path = vim.fs.dirname(name), upward = true })[1]
  vim.lsp.start({
    name = "dermls",
    cmd = config.cmd,
    root_dir = marker and vim.fs.dirname(marker) or vim.fs.dirname(name),
    settings = config.settings,
    init_options = config.init_options,
    before_init = config.before_init,
  }, { bufnr = bufnr })
end

-- Client methods: `client:m()` on 0.11+, `client.m()` before.
local function call(client, method, ...)
  if has_011 then
    return client[method](client, ...)
  end
  return client[method](...)
end

---@param bufnr integer
---@return vim.lsp.Client?
local function client_for(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ bufnr = bufnr, name = "dermls" })[1]
end

--- Asks the server for source actions at the cursor and applies "Insert
--- billing codes". Returns true when the buffer changed.
---@param bufnr? integer
---@return boolean changed
---@return string? why nothing changed
function M.insert_billing(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = client_for(bufnr)
  if client == nil then
    return false, "dermls is not running for this buffer"
  end
  local enc = client.offset_encoding
  local win = vim.fn.bufwinid(bufnr)
  local params = vim.lsp.util.make_range_params(win ~= -1 and win or 0, enc)
  local lnum = params.range.start.line
  params.context = { diagnostics = {}, only = { "source" }, triggerKind = 1 }
  -- The diagnostics on the cursor's line, as the protocol has them.
  local ns = vim.lsp.diagnostic.get_namespace(client.id)
  for _, d in ipairs(vim.diagnostic.get(bufnr, { namespace = ns, lnum = lnum })) do
    local lsp_d = d.user_data and d.user_data.lsp
    if lsp_d then
      table.insert(params.context.diagnostics, lsp_d)
    end
  end
  local response, err = call(client, "request_sync", "textDocument/codeAction", params, 10000, bufnr)
  if response == nil or response.err then
    return false, "the code action request failed: " .. vim.inspect(err or (response and response.err))
  end
  local action
  for _, a in ipairs(response.result or {}) do
    if a.title == M.INSERT_BILLING_TITLE then
      action = a
      break
    end
    if action == nil and a.kind == M.INSERT_BILLING_KIND then
      action = a
    end
  end
  if action == nil then
    return false, "no billing codes to insert here (nothing documented, or the Billing section is up to date)"
  end
  if type(action.command) == "string" then
    call(client, "request_sync", "workspace/executeCommand", { command = action.command, arguments = action.arguments }, 10000, bufnr)
    return true
  end
  if action.edit == nil and action.command == nil then
    local resolved = call(client, "request_sync", "codeAction/resolve", action, 10000, bufnr)
    action = resolved and resolved.result or action
  end
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, enc)
  end
  if action.command then
    call(client, "request_sync", "workspace/executeCommand", action.command, 10000, bufnr)
  end
  return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick
end

--- Runs `dermls claim --format text` on the saved note and shows it in a
--- scratch split.
---@param bufnr? integer
function M.claim(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local file = vim.api.nvim_buf_get_name(bufnr)
  if file == "" then
    vim.notify("dermls: save the note to a file first", vim.log.levels.WARN)
    return
  end
  if vim.bo[bufnr].modified then
    vim.api.nvim_buf_call(bufnr, function()
      vim.cmd("silent write")
    end)
  end
  local config = M.config()
  local bin = config.cmd[1]
  if vim.fn.executable(bin) ~= 1 then
    vim.notify(("dermls: `%s` was not found; %s"):format(bin, M.INSTALL_HINT), vim.log.levels.ERROR)
    return
  end
  local s = (config.settings or {}).dermls or {}
  local args = { bin, "claim", "--format", "text" }
  local function add(flag, value)
    if value ~= nil and value ~= vim.NIL and value ~= "" then
      vim.list_extend(args, { flag, tostring(value) })
    end
  end
  add("--payer", s.defaultPayer)
  add("--distinct-site-modifier", s.distinctSiteModifier)
  add("--conversion-factor", s.conversionFactor)
  for _, rule in ipairs(s.disabledRules or {}) do
    add("--disable", rule)
  end
  add("--cms-rvu", s.cmsRvuFile)
  add("--ncci", s.ncciFile)
  add("--mue", s.mueFile)
  vim.list_extend(args, { "--", file })
  local out = vim.fn.systemlist(args)
  local code = vim.v.shell_error
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].swapfile = false
  vim.api.nvim_buf_set_name(buf, "dermls claim: " .. vim.fn.fnamemodify(file, ":t"))
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, out)
  vim.bo[buf].modifiable = false
  if code ~= 0 then
    vim.notify(("dermls claim exited %d"):format(code), vim.log.levels.ERROR)
  end
end

--- Stops the dermls clients and starts them again for the open notes.
function M.restart()
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local clients = get({ name = "dermls" })
  local bufs = {}
  for _, c in ipairs(clients) do
    for buf in pairs(c.attached_buffers) do
      bufs[buf] = true
    end
    call(c, "stop")
  end
  vim.wait(3000, function()
    for _, c in ipairs(clients) do
      if not call(c, "is_stopped") then
        return false
      end
    end
    return true
  end, 20)
  for buf in pairs(bufs) do
    if vim.api.nvim_buf_is_loaded(buf) then
      if has_011 then
        -- vim.lsp.enable's FileType autocmd starts the enabled configs.
        local ok = pcall(vim.api.nvim_exec_autocmds, "FileType", { group = "nvim.lsp.enable", buffer = buf, modeline = false })
        if not ok then
          vim.lsp.enable("dermls")
        end
      else
        M.start(buf)
      end
    end
  end
end

return M
