-- A k6-style check of the feed endpoint: constant VUs, a custom latency Trend and
-- error Rate tagged by endpoint, checks, and thresholds that gate the run (exit 99).
-- Run: tailgate run -e BASE_URL=http://127.0.0.1:8080 examples/feed-check.lua
local http = require "tailgate.http"
local tg   = require "tailgate"

local api_latency = tg.Trend("api_latency_ms", true)
local api_errors  = tg.Rate("api_errors")

options = {
  vus = 20,
  duration = "30s",
  thresholds = {
    ["api_latency_ms{endpoint:feed}"] = { "p(95)<400", "p(99)<1200" },
    api_errors      = { "rate<0.005" },
    http_req_failed = { "rate<0.01" },
    checks          = { "rate>0.99" },
  },
}

local BASE = tg.env.BASE_URL or "http://127.0.0.1:8080"

function default()
  local res = http.get(BASE .. "/communities/abc/posts?limit=20", {
    headers = { ["x-synthetic-tenant"] = "true" },
    tags    = { endpoint = "feed", name = "/communities/:id/posts" },
  })
  api_latency:add(res.timings.duration, { endpoint = "feed" })
  api_errors:add(res.status >= 500)
  tg.check(res, {
    ["status 2xx"]  = function(r) return r.status >= 200 and r.status < 300 end,
    ["20 posts"]    = function(r) return r.status == 200 and #r:json().posts == 20 end,
  })
  tg.sleep(0.2)
end
