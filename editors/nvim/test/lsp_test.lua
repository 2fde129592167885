-- dermls in a real editor: headless Neovim 0.11+ with editors/nvim on the
-- runtimepath, its own LSP client, and the dermls binary in $DERMLS_BIN.
--
--   nvim --headless -u NONE -i NONE -n -c "luafile editors/nvim/test/lsp_test.lua"
--
-- Checks: the filetype and the lsp/dermls.lua config load; diagnostics are
-- published for a note with missing documentation; hover on a procedure
-- heading and on a CPT code; the "Insert billing codes" code action, applied
-- with vim.lsp.util.apply_workspace_edit, writes the expected Billing section
-- and a second application changes nothing. Exits non-zero on any failure.

local script = debug.getinfo(1, "S").source:sub(2)
local nvim_dir = vim.fn.fnamemodify(script, ":p:h:h") -- editors/nvim
local repo = vim.fn.fnamemodify(nvim_dir, ":h:h")
local bin = os.getenv("DERMLS_BIN") or (repo .. "/target/release/dermls")
local TIMEOUT = tonumber(os.getenv("DERMLS_TEST_TIMEOUT_MS") or "15000")

local passed, failed = 0, 0

local function say(msg)
  io.stdout:write(msg .. "\n")
end

local function fail(msg)
  error(msg, 0)
end

local function check(cond, msg)
  if not cond then
    fail(msg)
  end
end

local function step(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    passed = passed + 1
    say("ok - " .. name)
  else
    failed = failed + 1
    say("not ok - " .. name .. "\n    " .. tostring(err):gsub("\n", "\n    "))
  end
  return ok
end

local function finish()
  say(("%d passed, %d failed"):format(passed, failed))
  for _, c in ipairs(vim.lsp.get_clients({ name = "dermls" })) do
    c:stop(true)
  end
  vim.wait(2000, function()
    return #vim.lsp.get_clients({ name = "dermls" }) == 0
  end, 20)
  if failed > 0 or passed == 0 then
    vim.cmd("cquit 1")
  else
    vim.cmd("qall!")
  end
end

--- Copies a note from tests/ into a fresh temporary directory.
local tmp = vim.fn.tempname()
vim.fn.mkdir(tmp, "p")
local function copy_note(rel)
  local src = repo .. "/" .. rel
  local lines = vim.fn.readfile(src, "b")
  check(#lines > 0, "cannot read " .. src)
  local dst = tmp .. "/" .. vim.fn.fnamemodify(src, ":t")
  vim.fn.writefile(lines, dst, "b")
  return dst
end

-- Diagnostics as the server publishes them, per URI, with their version.
local published = {}
local default_handler = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
  if result then
    published[result.uri] = { version = result.version, diagnostics = result.diagnostics, count = ((published[result.uri] or {}).count or 0) + 1 }
  end
  return default_handler(err, result, ctx, config)
end

local function client_of(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = "dermls" })[1]
end

--- Waits for diagnostics of `buf` at its current version.
local function wait_diagnostics(buf)
  local uri = vim.uri_from_bufnr(buf)
  local version = vim.lsp.util.buf_versions[buf]
  local ok = vim.wait(TIMEOUT, function()
    local p = published[uri]
    return p ~= nil and (p.version == nil or version == nil or p.version >= version)
  end, 20)
  check(ok, ("no publishDiagnostics for %s (version %s) within %d ms"):format(uri, tostring(version), TIMEOUT))
  return published[uri].diagnostics
end

local function open(path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  local ok = vim.wait(TIMEOUT, function()
    local c = client_of(buf)
    return c ~= nil and c.initialized
  end, 20)
  check(ok, ("dermls did not attach to %s within %d ms (cmd: %s serve; see :lua =vim.lsp.log.get_filename())"):format(path, TIMEOUT, bin))
  return buf
end

--- The 0-based line of the first line matching the Lua pattern.
local function find_line(buf, pattern)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if l:find(pattern) then
      return i - 1, l
    end
  end
  fail("no line matches " .. pattern)
end

local function hover_text(buf, line, col)
  vim.api.nvim_win_set_cursor(0, { line + 1, col })
  local c = client_of(buf)
  local params = vim.lsp.util.make_position_params(0, c.offset_encoding)
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, TIMEOUT)
  check(responses ~= nil, "hover request timed out")
  for _, r in pairs(responses) do
    check(r.err == nil, "hover error: " .. vim.inspect(r.err))
    if r.result and r.result.contents then
      local contents = r.result.contents
      local text = type(contents) == "string" and contents or contents.value
      if text == nil then
        text = table.concat(vim.lsp.util.convert_input_to_markdown_lines(contents), "\n")
      end
      return text
    end
  end
  fail(("no hover at %d:%d"):format(line + 1, col + 1))
end

--- Code actions at the cursor, source kinds only, through Neovim's client.
local function source_actions(buf, line)
  vim.api.nvim_win_set_cursor(0, { line + 1, 0 })
  local c = client_of(buf)
  local params = vim.lsp.util.make_range_params(0, c.offset_encoding)
  params.context = { diagnostics = {}, only = { "source" }, triggerKind = 1 }
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, TIMEOUT)
  check(responses ~= nil, "codeAction request timed out")
  local actions = {}
  for _, r in pairs(responses) do
    check(r.err == nil, "codeAction error: " .. vim.inspect(r.err))
    vim.list_extend(actions, r.result or {})
  end
  return actions
end

local function titled(actions, title)
  for _, a in ipairs(actions) do
    if a.title == title then
      return a
    end
  end
end

local function main()
  vim.opt.runtimepath:prepend(nvim_dir)
  vim.cmd("filetype plugin on")
  vim.cmd("syntax on")
  vim.cmd("runtime! plugin/dermls.lua")
  say(("# nvim %s, dermls %s, runtimepath += %s"):format(tostring(vim.version()), bin, nvim_dir))

  local config_ok = step("filetype and lsp/dermls.lua load", function()
    check(vim.fn.has("nvim-0.11") == 1, "Neovim 0.11+ is needed, this is " .. tostring(vim.version()))
    check(vim.filetype.match({ filename = "x.derm" }) == "dermnote", "*.derm is not detected as dermnote")
    local config = vim.lsp.config.dermls
    check(config ~= nil, "vim.lsp.config.dermls is nil: lsp/dermls.lua not found on the runtimepath")
    check(vim.deep_equal(config.cmd, { "dermls", "serve" }), "cmd is " .. vim.inspect(config.cmd))
    check(vim.deep_equal(config.filetypes, { "dermnote" }), "filetypes are " .. vim.inspect(config.filetypes))
    check(config.settings.dermls.distinctSiteModifier == "59", "settings.dermls missing")
    check(vim.fn.exists(":DermlsInsertBilling") == 2, ":DermlsInsertBilling is not defined")
  end)
  if not config_ok then
    return
  end
  if vim.fn.executable(bin) ~= 1 then
    failed = failed + 1
    say(("not ok - the dermls binary %s is not executable (set DERMLS_BIN)"):format(bin))
    return
  end
  local probe = vim.system({ bin, "serve", "--help" }, { text = true }):wait()
  if probe.code ~= 0 then
    failed = failed + 1
    say(("not ok - %s has no language server: `serve --help` exited %d: %s"):format(bin, probe.code, vim.trim(probe.stderr or "")))
    return
  end

  -- The user's configuration: the binary from $DERMLS_BIN and a setting
  -- that must reach the server (XS instead of the default 59 on the biopsy).
  vim.lsp.config("dermls", {
    cmd = { bin, "serve" },
    settings = { dermls = { distinctSiteModifier = "XS" } },
  })
  vim.lsp.enable("dermls")

  step("diagnostics for a note with missing documentation", function()
    local buf = open(copy_note("tests/examples/e11-missing-docs.derm"))
    check(vim.bo[buf].filetype == "dermnote", "filetype is " .. vim.bo[buf].filetype)
    local codes = {}
    for _, d in ipairs(wait_diagnostics(buf)) do
      check(d.source == "dermls", "diagnostic source is " .. tostring(d.source))
      codes[d.code] = d.range.start.line
    end
    for _, code in ipairs({ "doc/biopsy-site", "doc/biopsy-description", "doc/biopsy-indication", "doc/biopsy-technique" }) do
      check(codes[code] ~= nil, ("no %s among %s"):format(code, vim.inspect(vim.tbl_keys(codes))))
    end
    check(codes["doc/biopsy-site"] == 6, "doc/biopsy-site is on line " .. tostring(codes["doc/biopsy-site"]) .. ", expected line 7 (Site: back)")
    -- Neovim's own diagnostic store has them too.
    check(#vim.diagnostic.get(buf) >= 4, "vim.diagnostic.get has " .. #vim.diagnostic.get(buf) .. " diagnostics")
  end)

  local note = copy_note("tests/examples/e01-biopsy-em.derm")
  local buf
  local opened = step("a clean note gets its (empty) diagnostics", function()
    buf = open(note)
    local diags = wait_diagnostics(buf)
    for _, d in ipairs(diags) do
      check(not tostring(d.code):match("^code/"), "unexpected " .. d.code .. ": " .. d.message)
    end
  end)
  if not opened then
    return
  end

  step("hover on a procedure heading names its code", function()
    local line = find_line(buf, "^## Procedure 1")
    local text = hover_text(buf, line, 5)
    check(text:find("11102", 1, true), "hover on the heading does not mention 11102:\n" .. text)
  end)

  step("hover on the E/M code", function()
    local line, l = find_line(buf, "^E/M: 99213")
    local text = hover_text(buf, line, l:find("99213", 1, true))
    check(text:find("99213", 1, true), "hover on 99213 does not name it:\n" .. text)
  end)

  local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local inserted = step("code action \"Insert billing codes\" writes the Billing section", function()
    local actions = source_actions(buf, 0)
    local action = titled(actions, "Insert billing codes")
    local titles = vim.tbl_map(function(a)
      return a.title
    end, actions)
    check(action ~= nil, "no \"Insert billing codes\" action among " .. vim.inspect(titles))
    check(action.kind == nil or action.kind:match("^source"), "kind is " .. tostring(action.kind))
    local c = client_of(buf)
    if action.edit == nil and action.data ~= nil then
      action = c:request_sync("codeAction/resolve", action, TIMEOUT, buf).result
    end
    check(action.edit ~= nil, "the action has no edit: " .. vim.inspect(action))
    vim.lsp.util.apply_workspace_edit(action.edit, c.offset_encoding)
    local after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    -- Every line of the note is still there, in order, before the Billing section.
    for i, l in ipairs(before) do
      check(after[i] == l, ("line %d changed: %q -> %q"):format(i, l, tostring(after[i])))
    end
    local billing = find_line(buf, "^## Billing%s*$")
    local expected = {
      "^%- 99213%-25%s+Dx: L40%.0$",
      "^%- 11102%-XS%s+Dx: D49%.2$", -- XS: the setting reached the server
      "^%- 17000%s+Dx: L57%.0$",
      "^%- 17003 x7%s+Dx: L57%.0$",
    }
    local items = {}
    for i = billing + 2, #after do
      if after[i]:match("^[-*] ") then
        table.insert(items, after[i])
      end
    end
    check(#items == #expected, ("expected %d Billing lines, got:\n%s"):format(#expected, table.concat(items, "\n")))
    for i, pat in ipairs(expected) do
      check(items[i]:match(pat), ("Billing line %d is %q, expected %s"):format(i, items[i], pat))
    end
  end)

  if inserted then
    step("after the edit: diagnostics for the new version, no coding error", function()
      local diags = wait_diagnostics(buf)
      for _, d in ipairs(diags) do
        check(not tostring(d.code):match("^code/"), "the inserted Billing section has " .. d.code .. ": " .. d.message)
      end
    end)

    step("hover on a CPT code in the Billing section shows its RVUs", function()
      local line, l = find_line(buf, "^%- 11102%-XS")
      local text = hover_text(buf, line, l:find("11102", 1, true))
      check(text:find("RVU", 1, true), "hover on 11102 has no RVUs:\n" .. text)
    end)

    step("a second \"Insert billing codes\" (:DermlsInsertBilling) changes nothing", function()
      local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
      vim.api.nvim_win_set_cursor(0, { 1, 0 })
      local changed = require("dermls").insert_billing(buf)
      check(not changed, "the second application changed the buffer")
      check(vim.deep_equal(lines, vim.api.nvim_buf_get_lines(buf, 0, -1, false)), "the buffer changed")
    end)
  end

  if inserted then
    step(":DermlsClaim shows the claim of the saved note", function()
      local win = vim.api.nvim_get_current_win()
      vim.cmd("DermlsClaim")
      local out = vim.api.nvim_buf_get_lines(0, 0, -1, false)
      local text = table.concat(out, "\n")
      check(vim.api.nvim_get_current_win() ~= win, "no claim window opened")
      check(text:find("99213-25", 1, true) and text:find("11102-XS", 1, true) and text:find("17003 x7", 1, true), "claim output (with --distinct-site-modifier XS):\n" .. text)
      check(not vim.bo[buf].modified, "the note was not saved before the claim")
      vim.cmd("close")
    end)

    step(":DermlsRestart restarts the server and diagnostics come back", function()
      local old = client_of(buf).id
      published[vim.uri_from_bufnr(buf)] = nil
      vim.cmd("DermlsRestart")
      local ok = vim.wait(TIMEOUT, function()
        local c = client_of(buf)
        return c ~= nil and c.id ~= old and c.initialized
      end, 20)
      check(ok, "no new dermls client attached after :DermlsRestart")
      wait_diagnostics(buf)
    end)
  end

  step("syntax/dermnote.vim highlights labels and codes", function()
    local function group_at(line, col)
      return vim.fn.synIDattr(vim.fn.synID(line + 1, col, 1), "name")
    end
    check(vim.b[buf].current_syntax == "dermnote", "syntax not loaded")
    check(group_at(find_line(buf, "^Site:"), 1) == "dermnoteLabel", "Site: is not dermnoteLabel")
    check(group_at(find_line(buf, "^E/M:"), 1) == "dermnoteLabel", "E/M: is not dermnoteLabel")
    local line, l = find_line(buf, "^%- 11102%-XS")
    local at = l:find("11102", 1, true)
    check(group_at(line, at) == "dermnoteCpt", "11102 is " .. group_at(line, at))
    check(group_at(line, at + 6) == "dermnoteModifier", "XS is " .. group_at(line, at + 6))
    local dline, dl = find_line(buf, "^Dx: D49%.2")
    check(group_at(dline, dl:find("D49", 1, true)) == "dermnoteIcd", "D49.2 is not dermnoteIcd")
  end)

  step("syntax/dermnote.vim knows every field label of grammar/vocabulary.json", function()
    local vocab = vim.json.decode(table.concat(vim.fn.readfile(repo .. "/grammar/vocabulary.json"), "\n"))
    local lines = {}
    for _, label in ipairs(vocab.labels) do
      for _, name in ipairs(label.names) do
        table.insert(lines, name .. ": value")
        table.insert(lines, "- " .. name:upper() .. " : value")
      end
    end
    vim.cmd("enew")
    local scratch = vim.api.nvim_get_current_buf()
    vim.bo[scratch].buftype = "nofile"
    vim.api.nvim_buf_set_lines(scratch, 0, -1, false, lines)
    vim.bo[scratch].syntax = "dermnote"
    local missing = {}
    for i, l in ipairs(lines) do
      local col = l:match("^%- ") and 3 or 1
      if vim.fn.synIDattr(vim.fn.synID(i, col, 1), "name") ~= "dermnoteLabel" then
        table.insert(missing, l)
      end
    end
    check(#missing == 0, "labels not highlighted: " .. table.concat(missing, ", "))
  end)
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  failed = failed + 1
  say("not ok - test script error\n    " .. tostring(err))
end
vim.fn.delete(tmp, "rf")
finish()
