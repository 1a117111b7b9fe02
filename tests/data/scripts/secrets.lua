-- A script that handles a secret carelessly: in a header, in the URL (so the url tag
-- holds it), in a check name, in an iteration error and in the abort reason. With
-- --secret-env API_TOKEN none of it may reach any output.
local http = require "tailgate.http"
local tg = require "tailgate"
local token = tg.env.API_TOKEN
options = { vus = 1, iterations = 3, thresholds = { checks = { "rate>0" } } }
function default()
  local r = http.get(tg.env.BASE_URL .. "/status/200?token=" .. token,
                     { headers = { Authorization = "Bearer " .. token } })
  tg.check(r, { ["token " .. token .. " works"] = r.status == 200 })
  if tg.vu.iteration == 1 then error("request with " .. token .. " went wrong") end
end
function handleSummary(data)
  return { stdout = "summary for " .. token .. "\n", [tg.env.OUT] = tg.json.encode(data) }
end
