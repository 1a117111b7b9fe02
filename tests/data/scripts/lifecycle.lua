-- setup() makes a request and returns data; every iteration receives it;
-- teardown(data) runs once after the load.
local http = require "tailgate.http"
local tg = require "tailgate"

options = { vus = 3, iterations = 9, thresholds = { checks = { "rate==1" } } }

function setup()
  local r = http.get(tg.env.BASE_URL .. "/status/201")
  return { token = "abc", status = r.status, ids = { 1, 2, 3 } }
end

function default(data)
  tg.check(data, {
    ["data from setup"] = function(d)
      return d.token == "abc" and d.status == 201 and #d.ids == 3
    end,
  })
  http.get(tg.env.BASE_URL .. "/")
end

function teardown(data)
  if data.token == "abc" then
    http.get(tg.env.BASE_URL .. "/status/202")
  end
end
