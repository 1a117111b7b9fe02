-- Every request fails; the threshold aborts the run once delayAbortEval has passed.
local http = require "tailgate.http"
local tg = require "tailgate"
options = {
  scenarios = { fail = { executor = "constant-vus", vus = 2, duration = "30s" } },
  thresholds = {
    http_req_failed = { { threshold = "rate<0.1", abortOnFail = true, delayAbortEval = "3s" } },
    http_reqs = { "count>0" },
  },
}
function default()
  http.get(tg.env.BASE_URL .. "/status/500")
  tg.sleep(0.05)
end
function teardown() http.get(tg.env.BASE_URL .. "/status/203") end
