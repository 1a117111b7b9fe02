-- The rails on a script's requests: the synthetic header reaches every request
-- (setup, iterations, redirect hops, batches, teardown); hosts off the allow-list are
-- never sent to; --max-rps caps the rate. RAIL selects the part under test.
local http = require "tailgate.http"
local tg = require "tailgate"
local base = tg.env.BASE_URL
local other = base:gsub("127.0.0.1", "localhost")
local seen = tg.Counter("synthetic_seen")

local mode = tg.env.RAIL
if mode == "cap" then
  options = { vus = 20, duration = "4s" }
else
  options = { vus = 1, iterations = 2 }
end

local function has_header(res)
  local ok, body = pcall(function() return res:json() end)
  local h = ok and body and body.headers or {}
  for k, v in pairs(h) do
    if k:lower() == "x-synthetic-tenant" and v == "true" then return true end
  end
  return false
end

function setup()
  if mode == "synthetic" and has_header(http.get(base .. "/echo")) then
    http.get(base .. "/status/211")
  end
end

function default()
  if mode == "cap" then
    http.get(base .. "/")
  elseif mode == "synthetic" then
    if has_header(http.get(base .. "/echo")) then seen:add(1) end
    local r = http.get(base .. "/redirect-to?url=" .. base .. "/echo")
    if has_header(r) then seen:add(1) end
    local rs = http.batch({ { "GET", base .. "/echo" }, { "GET", base .. "/echo" } })
    for _, b in ipairs(rs) do if has_header(b) then seen:add(1) end end
  elseif mode == "allow" then
    http.get(base .. "/status/212")
    local r = http.get(other .. "/status/213")
    tg.check(r, { ["off-list is error 1710"] = r.error_code == 1710 and r.status == 0 })
  end
end

function teardown()
  if mode == "synthetic" and has_header(http.get(base .. "/echo")) then
    http.get(base .. "/status/214")
  end
end

-- RAIL=batch: a batch of 12 slow requests under --max-rps keeps 6 per origin
if mode == "batch" then
  options = { vus = 1, iterations = 1 }
  function default()
    local reqs = {}
    for i = 1, 12 do reqs[i] = { "GET", base .. "/delay/300" } end
    http.batch(reqs)
  end
end

-- RAIL=lookup: many VUs waiting on one name lookup at once (no bound on the waiters)
if mode == "lookup" then
  options = { vus = 200, iterations = 200 }
  function default() http.get(other .. "/") end
end
