-- tailgate.abort stops the whole test (exit 108); teardown still runs.
local http = require "tailgate.http"
local tg = require "tailgate"
options = { vus = 4, duration = "30s" }
function default()
  http.get(tg.env.BASE_URL .. "/")
  if tg.vu.id == 1 and tg.vu.iteration == 20 then
    tg.abort("enough requests")
  end
  tg.sleep(0.01)
end
function teardown() http.get(tg.env.BASE_URL .. "/status/203") end
