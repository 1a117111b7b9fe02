-- A k6-shaped script: constant VUs, a custom Trend, checks and thresholds.
local http = require "tailgate.http"
local tg = require "tailgate"

local latency = tg.Trend("api_latency_ms", true)
local errors = tg.Rate("api_errors")

options = {
  vus = 4,
  duration = "2s",
  thresholds = {
    http_req_failed = { "rate<0.01" },
    ["api_latency_ms{endpoint:feed}"] = { "p(95)<400" },
    checks = { "rate>0.99" },
  },
}

function default()
  local res = http.get(tg.env.BASE_URL .. "/communities/abc/posts?limit=5",
                       { tags = { endpoint = "feed", name = "/communities/:id/posts" } })
  latency:add(res.timings.duration, { endpoint = "feed" })
  errors:add(res.status >= 500)
  tg.check(res, {
    ["status 200"] = function(r) return r.status == 200 end,
    ["five posts"] = function(r) return #r:json().posts == 5 end,
  })
  tg.sleep(0.02)
end
