-- ramping-vus: 0 -> 6 VUs over 1 s, hold 1 s, back to 0 over 1 s; each iteration takes ~100 ms.
-- The VU-seconds are 3 + 6 + 3 = 12, so about 120 iterations.
local http = require "tailgate.http"
local tg = require "tailgate"
options = {
  scenarios = {
    ramp = { executor = "ramping-vus", startVUs = 0, gracefulRampDown = "0s",
             stages = { { duration = "1s", target = 6 }, { duration = "1s", target = 6 },
                        { duration = "1s", target = 0 } } },
  },
}
function default() http.get(tg.env.BASE_URL .. "/health") tg.sleep(0.1) end
