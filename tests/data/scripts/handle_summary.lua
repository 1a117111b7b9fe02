-- handleSummary(data) gets k6's summary data and returns the outputs to write.
local http = require "tailgate.http"
local tg = require "tailgate"
options = { vus = 2, iterations = 4, thresholds = { http_req_failed = { "rate<0.5" } } }
function setup() return { run = "nightly" } end
function default()
  local r = http.get(tg.env.BASE_URL .. "/")
  tg.group("home", function() tg.check(r, { ["is 200"] = r.status == 200 }) end)
end
function handleSummary(data)
  if tg.env.HS_FAIL then error("cannot summarise") end
  if tg.env.HS_BAD then return { stdout = { 1 } } end
  local m = data.metrics
  return {
    stdout = string.format("custom: %d requests, run %s, p(95) %s\n", m.http_reqs.values.count,
                           data.setup_data.run, tostring(m.http_req_duration.values["p(95)"] ~= nil)),
    [tg.env.OUT] = tg.json.encode(data),
  }
end
