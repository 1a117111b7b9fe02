-- Arrival-rate executors: exact counts, and dropped_iterations when VUs run out.
local http = require "tailgate.http"
local tg = require "tailgate"
options = {
  scenarios = {
    steady = { executor = "constant-arrival-rate", rate = 50, timeUnit = "1s", duration = "2s",
               preAllocatedVUs = 5, exec = "quick" },
    starved = { executor = "constant-arrival-rate", rate = 100, timeUnit = "1s", duration = "2s",
                preAllocatedVUs = 2, maxVUs = 10, exec = "slow" },
    ramp = { executor = "ramping-arrival-rate", startRate = 0, timeUnit = "1s",
             preAllocatedVUs = 10, stages = { { duration = "2s", target = 100 } }, exec = "quick" },
  },
}
function quick() http.get(tg.env.BASE_URL .. "/health") end
function slow() http.get(tg.env.BASE_URL .. "/health") tg.sleep(0.5) end
