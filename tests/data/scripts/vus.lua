-- vus and vus_max follow the VUs: ramping-vus 0 -> 6 over 1 s, 6 for 2 s, 6 -> 0 over 1 s,
-- next to an arrival-rate scenario whose 3 pre-allocated VUs are enough for 5 iterations/s.
local http = require "tailgate.http"
local tg = require "tailgate"
options = {
  tags = { suite = "vus" },
  scenarios = {
    ramp = { executor = "ramping-vus", startVUs = 0, gracefulRampDown = "0s",
             stages = { { duration = "1s", target = 6 }, { duration = "2s", target = 6 },
                        { duration = "1s", target = 0 } } },
    trickle = { executor = "constant-arrival-rate", rate = 5, duration = "4s",
                preAllocatedVUs = 3, maxVUs = 5 },
  },
}
function default() http.get(tg.env.BASE_URL .. "/health") tg.sleep(0.1) end
