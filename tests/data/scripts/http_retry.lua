-- Retry policies (tests/integration/t_script_retry.sh). MODE picks what an iteration does;
-- B is a tailgate serve, H another server (hostile.py, or a closed port). VUS, ITERS or DUR
-- size the run. Each mode checks the responses itself (tg.check).
local http = require "tailgate.http"
local tg = require "tailgate"

local B = tg.env.B
local MODE = tg.env.MODE
local finals = tg.Counter("final_failures") -- logical requests still failing after their retries

options = { vus = tonumber(tg.env.VUS or "1"), iterations = tonumber(tg.env.ITERS or "10") }
if tg.env.DUR then
  options = { vus = tonumber(tg.env.VUS or "1"), duration = tg.env.DUR }
end
if tg.env.T_ATTEMPTS then -- thresholds on the retry metrics
  options.thresholds = { http_req_attempts = { tg.env.T_ATTEMPTS },
                         ["http_req_retries{reason:503}"] = { "count==" .. tg.env.T_RETRIES } }
end

local quick = { initial = 0, jitter = "none" } -- no wait: counts, not timing

local function attempts_are(n, status)
  return { [n .. " attempts"] = function(r) return r.attempts == n and r.status == status end }
end

local modes = {}

-- /status/503 always fails: max = 3 is exactly 4 requests per call
function modes.always()
  local r = http.get(B .. "/status/503", { retry = { on = { 503 }, max = 3, backoff = quick } })
  tg.check(r, attempts_are(4, 503))
end

-- retry = true: the defaults (502..504 and failures, 3 retries, 100 ms x2 full jitter)
function modes.defaults()
  tg.check(http.get(B .. "/status/503", { retry = true }), attempts_are(4, 503))
  tg.check(http.get(B .. "/status/500", { retry = true }), attempts_are(1, 500))
  tg.check(http.get(B .. "/status/504", { retry = { max = 1 } }), attempts_are(2, 504))
end

-- not listed, or fine: one attempt; false turns a client's policy off; no policy: attempts = 1
function modes.unlisted()
  local api = http.client { base_url = B, retry = { on = { 503 }, max = 3, backoff = quick } }
  tg.check(api:get("/status/500"), attempts_are(1, 500))
  tg.check(api:get("/"), attempts_are(1, 200))
  tg.check(api:get("/status/503", { retry = false }), attempts_are(1, 503))
  tg.check(http.get(B .. "/status/503"), attempts_are(1, 503))
  tg.check(api:get("/status/503", { retry = { on = { { min = 500, max = 599 } }, max = 1,
                                               backoff = quick } }), attempts_are(2, 503))
end

-- serve --error-rate: a modelled route fails at random (seeded); retried up to 3 times
function modes.flaky()
  local r = http.get(B .. "/", { retry = { on = { 500 }, max = 3, backoff = quick } })
  if r.status ~= 200 then
    finals:add(1)
  end
  tg.check(r, { ["ok, or failed 4 times"] = function(r)
    return r.status == 200 or (r.status == 500 and r.attempts == 4)
  end })
end

-- the budget: a client's default policy
local budgeted = http.client { base_url = B,
  retry = { on = { 503 }, max = 3, budget = 0.1, backoff = quick } }
function modes.budget()
  local r = budgeted:get("/status/503")
  tg.check(r, { ["1 to 4 attempts"] = function(r) return r.attempts >= 1 and r.attempts <= 4 end })
end

-- the backoff's delays: 10 ms, x2, three retries against a server that fails at once
function modes.jitter()
  local j = tg.env.JITTER
  local bo = { initial = "10ms", max = "1s", jitter = j }
  if j ~= "decorrelated" then
    bo.multiplier = 2
  end
  tg.check(http.get(B .. "/status/503", { retry = { on = { 503 }, max = 3, backoff = bo } }),
           attempts_are(4, 503))
end

-- timeouts: /delay/300 with a 50 ms timeout, 2 retries
function modes.timeout()
  local r = http.get(B .. "/delay/300", { timeout = "50ms",
    retry = { on = { "timeout" }, max = 2, backoff = quick } })
  tg.check(r, { ["3 attempts, timed out"] = function(r)
    return r.attempts == 3 and r.error_code == 1050
  end })
end

-- refused (H is a closed port) and reset (H is hostile.py reset)
function modes.refused()
  local r = http.get(tg.env.H .. "/", { retry = { on = { "refused" }, max = 2, backoff = quick } })
  tg.check(r, { ["3 attempts, refused"] = function(r)
    return r.attempts == 3 and r.error_code == 1212
  end })
  r = http.get(tg.env.H .. "/", { retry = { on = { "timeout", 503 }, max = 2, backoff = quick } })
  tg.check(r, { ["refusal not listed: 1 attempt"] = function(r) return r.attempts == 1 end })
end

-- a name that does not resolve (.invalid never does)
function modes.dns()
  local r = http.get("http://no-such-host.invalid:8080/",
    { retry = { on = { "dns" }, max = 2, backoff = quick } })
  tg.check(r, { ["3 attempts, no such host"] = function(r)
    return r.attempts == 3 and r.error_code == 1101
  end })
end

function modes.reset()
  local r = http.get(tg.env.H .. "/", { retry = { on = { "reset" }, max = 2, backoff = quick } })
  tg.check(r, { ["3 attempts, reset"] = function(r)
    return r.attempts == 3 and r.error_code == 1220
  end })
end

-- a redirect hop is not a retry: the retry sends the failing hop again
function modes.redirect()
  local R = { on = { 503 }, max = 2, backoff = quick }
  local r = http.get(B .. "/redirect-to?url=%2Fstatus%2F503", { retry = R, tags = { name = "r503" } })
  tg.check(r, { ["redirect then 3 attempts"] = function(r)
    return r.attempts == 3 and r.status == 503 and r.url == B .. "/status/503"
  end })
  r = http.get(B .. "/redirect/3", { retry = R, tags = { name = "chain" } })
  tg.check(r, attempts_are(1, 200))
end

-- batches: each request retries on its own; 8 of them, 6 at a time per origin
function modes.batch()
  local R = { on = { 503 }, max = 2, backoff = { initial = "5ms", jitter = "full" } }
  local reqs = {}
  for i = 1, 7 do
    reqs[i] = { "GET", B .. "/status/503", nil, { retry = R } }
  end
  reqs[8] = { "GET", B .. "/", nil, { retry = R } }
  local rs = http.batch(reqs)
  for i = 1, 7 do
    tg.check(rs[i], attempts_are(3, 503))
  end
  tg.check(rs[8], attempts_are(1, 200))
end

-- expected statuses decide http_req_failed, the policy decides retries
function modes.expected()
  local r = http.get(B .. "/status/503", { expected = http.expected_statuses(503),
    retry = { on = { 503 }, max = 1, backoff = quick } })
  tg.check(r, attempts_are(2, 503))
end

-- --max-rps: every retry takes a permit
function modes.capped()
  http.get(B .. "/status/503", { retry = { on = { 503 }, max = 3, backoff = quick } })
end

-- mistakes are Lua errors naming the field, raised before anything is sent
function modes.errors()
  local bad = {
    { 3, "http: params.retry must be a table, true or false" },
    { { on = {} }, "http: params.retry.on is empty" },
    { { on = 503 }, "http: params.retry.on must be a list" },
    { { on = { 503, x = 1 } }, "params.retry.on must be a list (1, 2, ...)" },
    { { on = { 99 } }, "http: params.retry.on[1] must be a status, an integer in 100..599" },
    { { on = { 503, "oops" } }, "params.retry.on[2]: unknown outcome \"oops\"" },
    { { on = { { min = 599, max = 500 } } }, "params.retry.on[1]: min is above max" },
    { { on = { { min = 500 } } }, "params.retry.on[1].max must be a status" },
    { { max = 11 }, "params.retry.max must be an integer in 0..10" },
    { { max = 1.5 }, "params.retry.max must be an integer in 0..10" },
    { { retries = 3 }, "params.retry: unknown field \"retries\" (on, max, backoff, budget)" },
    { { budget = 0 }, "params.retry.budget must be a share of first attempts in (0, 10]" },
    { { budget = 11 }, "params.retry.budget must be a share" },
    { { backoff = 1 }, "params.retry.backoff must be a table" },
    { { backoff = { jitter = "wild" } }, "params.retry.backoff.jitter must be \"none\", \"full\"" },
    { { backoff = { initial = "soon" } }, "params.retry.backoff.initial must be a duration" },
    { { backoff = { initial = "1s", max = "10ms" } }, "params.retry.backoff: max is below initial" },
    { { backoff = { max = "2h" } }, "params.retry.backoff: max is longer than 1h" },
    { { backoff = { multiplier = 0.5 } }, "params.retry.backoff: multiplier is not in 1..100" },
    { { backoff = { jitter = "decorrelated", multiplier = 3 } },
      "params.retry.backoff.multiplier does not apply to decorrelated jitter" },
    { { backoff = { wait = 1 } }, "params.retry.backoff: unknown field \"wait\"" },
  }
  for i, b in ipairs(bad) do
    local ok, err = pcall(http.get, B .. "/status/503", { retry = b[1] })
    tg.check(err, { ["retry error " .. i] = function(e)
      return not ok and string.find(e, b[2], 1, true) ~= nil
    end })
  end
  local ok, err = pcall(http.client, { base_url = B, retry = { max = -1 } })
  tg.check(err, { ["client retry error"] = function(e)
    return not ok and string.find(e, "http.client: retry.max must be an integer in 0..10", 1, true)
  end })
  local api = http.client { base_url = B, retry = true }
  api.retry = { on = "x" }
  ok, err = pcall(api.get, api, "/status/503")
  tg.check(err, { ["client retry changed later"] = function(e)
    return not ok and string.find(e, "http.client: retry.on must be a list", 1, true)
  end })
  ok, err = pcall(http.batch, { { "GET", B .. "/status/503", nil, { retry = { max = 20 } } } })
  tg.check(err, { ["batch retry error"] = function(e)
    return not ok and string.find(e, "params.retry.max must be", 1, true)
  end })
end

function default()
  modes[MODE]()
end
