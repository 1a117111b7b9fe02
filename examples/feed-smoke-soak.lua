-- The feed endpoint under an open model (k6's arrival-rate executors): a 2-minute
-- smoke at 200 iterations/s, then from minute 3 a soak that ramps from 200/s to
-- 800/s over 5 minutes, holds 30 minutes and ramps down to 0 over 2 minutes.
-- Iterations start on schedule whether or not the server keeps up; when no VU is
-- free they are counted in dropped_iterations, never silently lost.
--
-- Run (41 minutes):
--   tailgate serve --listen 127.0.0.1:8080 &
--   tailgate run -e BASE_URL=http://127.0.0.1:8080 -e TOKEN=secret examples/feed-smoke-soak.lua
-- TIME_SCALE shrinks every duration (the tests use -e TIME_SCALE=0.005: 12 s) and
-- RATE_SCALE every rate and VU count.
local http = require "tailgate.http"
local tg   = require "tailgate"

local BASE  = tg.env.BASE_URL or "http://127.0.0.1:8080"
local TOKEN = tg.env.TOKEN or "dev-token"
local TIME  = tonumber(tg.env.TIME_SCALE or "1")
local RATE  = tonumber(tg.env.RATE_SCALE or "1")

local function mins(m) return m * 60000 * TIME end          -- options take milliseconds
local function per_s(n) return math.max(1, math.floor(n * RATE + 0.5)) end

local api_latency = tg.Trend("api_latency_ms", true)
local api_errors  = tg.Rate("api_errors")

options = {
  scenarios = {
    smoke = {
      executor = "constant-arrival-rate",
      rate = per_s(200), timeUnit = "1s", duration = mins(2),
      preAllocatedVUs = per_s(100), maxVUs = per_s(400),
    },
    soak = {
      executor = "ramping-arrival-rate",
      startTime = mins(3),
      startRate = per_s(200), timeUnit = "1s",
      stages = {
        { target = per_s(800), duration = mins(5) },
        { target = per_s(800), duration = mins(30) },
        { target = 0,          duration = mins(2) },
      },
      preAllocatedVUs = per_s(200), maxVUs = per_s(1500),
    },
  },
  thresholds = {
    ["api_latency_ms{endpoint:feed}"] = { "p(95)<400", "p(99)<1200" },
    api_errors      = { "rate<0.005" },
    http_req_failed = { "rate<0.01" },
  },
}

local params = {
  headers = { Authorization = "Bearer " .. TOKEN, ["x-synthetic-tenant"] = "true" },
  tags    = { endpoint = "feed", name = "/communities/:id/posts" },
}

function default()
  local res = http.get(BASE .. "/communities/abc/posts?limit=20", params)
  local ok = res.status >= 200 and res.status < 300
  api_latency:add(res.timings.duration, { endpoint = "feed" })
  api_errors:add(not ok)
  tg.check(res, { ["status is 2xx"] = ok })
  tg.sleep(0.2)
end
