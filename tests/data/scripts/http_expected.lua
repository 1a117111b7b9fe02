-- Expected statuses decide expected_response and http_req_failed. MODE: default, set
-- (200 and 400..404 expected for the worker), off (set_expected(nil)), late (set_expected
-- during an iteration: an error).
local http = require "tailgate.http"
local tg = require "tailgate"

local B, mode = tg.env.B, tg.env.MODE
options = { vus = 1, iterations = 1 }

if mode == "set" then
  http.set_expected(http.expected_statuses(200, { min = 400, max = 404 }))
elseif mode == "off" then
  http.set_expected(nil)
end

function default()
  http.get(B .. "/status/200")
  http.get(B .. "/status/404")
  http.get(B .. "/status/500")
  http.get(B .. "/status/302")
  http.get(B .. "/status/503", { expected = http.expected_statuses(503) })
  if mode == "late" then
    http.set_expected(nil)
  end
end
