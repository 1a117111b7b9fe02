-- Thresholds over sliding windows in options: the string form, and the object form
-- with abortOnFail and delayAbortEval. The target's error rate jumps mid-run.
local http = require "tailgate.http"
local tg = require "tailgate"
options = {
  scenarios = {
    load = { executor = "constant-arrival-rate", rate = 200, timeUnit = "1s", duration = "30s",
             preAllocatedVUs = 20 },
  },
  thresholds = {
    http_req_failed = {
      "rate<0.05 over 3s",
      { threshold = "rate<0.05 over 2s", abortOnFail = true, delayAbortEval = "5s" },
    },
    ["http_req_duration{status:200}"] = { "p(99)<1000 over 5s" },
  },
}
function default() http.get(tg.env.BASE_URL .. "/") end
