-- Headless Neovim smoke test of `plumb lsp` (works with Neovim 0.7 and later).
-- Run from the repository root:
--   timeout 60 nvim --headless -u NONE -i NONE -n -c "luafile tests/lsp/nvim_smoke.lua"
-- Exits 0 when diagnostics, hover, definition and completion work, 1 otherwise.

local function find(bufnr, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return { line = i - 1, character = col - 1 }
    end
  end
  error('not in the buffer: ' .. needle)
end

local ok, err = pcall(function()
  local cwd = vim.fn.getcwd()
  local root = cwd .. '/tests/lsp/workspace/plan'
  local plumb = os.getenv('PLUMB_BIN') or (cwd .. '/target/debug/plumb')
  vim.cmd('edit ' .. root .. '/main.plumb')
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'plumb'
  local client_id = vim.lsp.start_client({ name = 'plumb', cmd = { plumb, 'lsp' }, root_dir = root })
  assert(client_id, 'vim.lsp.start_client failed')
  assert(vim.lsp.buf_attach_client(bufnr, client_id), 'vim.lsp.buf_attach_client failed')
  local client = vim.lsp.get_client_by_id(client_id)
  assert(vim.wait(10000, function() return client.initialized end, 20), 'the server did not initialize')

  -- Diagnostics, including the ones that need evaluation.
  assert(vim.wait(10000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20), 'no diagnostics')
  local d = vim.diagnostic.get(bufnr)[1]
  assert(d.message:find('misses its target', 1, true), 'unexpected diagnostic: ' .. d.message)

  local uri = vim.uri_from_bufnr(bufnr)
  local function at(needle, shift)
    local p = find(bufnr, needle)
    p.character = p.character + (shift or 0)
    return { textDocument = { uri = uri }, position = p }
  end

  -- Hover.
  local res = client.request_sync('textDocument/hover', at('new_deals * price', 2), 5000, bufnr)
  assert(res and res.result, 'no hover')
  assert(res.result.contents.value:find('metric new_deals', 1, true), 'hover: ' .. vim.inspect(res.result))

  -- Go to definition, into an imported file.
  res = client.request_sync('textDocument/definition', at('win_rate', 2), 5000, bufnr)
  assert(res and res.result, 'no definition')
  local loc = res.result[1] or res.result
  assert(loc.uri:match('teams/sales%.plumb$'), 'definition: ' .. vim.inspect(loc))

  -- Completion after `owner `.
  res = client.request_sync('textDocument/completion', at('owner cfo', 6), 5000, bufnr)
  assert(res and res.result, 'no completion')
  local labels = {}
  for _, item in ipairs(res.result.items or res.result) do
    labels[item.label] = true
  end
  assert(labels['cfo'] and labels['finance'] and labels['sales'], 'completion: ' .. vim.inspect(labels))

  vim.lsp.stop_client(client_id)
end)

if ok then
  io.stdout:write('nvim smoke test: ok\n')
  vim.cmd('qall!')
else
  io.stderr:write('nvim smoke test FAILED: ' .. tostring(err) .. '\n')
  vim.cmd('cquit 1')
end
