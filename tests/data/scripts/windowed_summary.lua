-- handleSummary sees a windowed threshold's worst window next to k6's `ok`.
local http = require "tailgate.http"
local tg = require "tailgate"
options = {
  vus = 2,
  duration = "3s",
  thresholds = { http_req_failed = { "rate<0.5 over 1s" }, http_reqs = { "count>0" } },
}
function default()
  http.get(tg.env.BASE_URL .. "/")
  tg.sleep(0.05)
end
function handleSummary(data)
  return { [tg.env.OUT] = tg.json.encode(data.metrics) }
end
