-- The rails as options: syntheticHeader, allowHosts and maxRPS (flags win over them).
local http = require "tailgate.http"
local tg = require "tailgate"
options = {
  vus = 1, iterations = 2,
  syntheticHeader = "x-synthetic-tenant: true",
  allowHosts = { "127.0.0.1" },
  maxRPS = 1000,
  thresholds = { checks = { "rate==1" } },
}
function default()
  local r = http.get(tg.env.BASE_URL .. "/echo")
  tg.check(r, { ["synthetic header sent"] = r:json().headers["x-synthetic-tenant"] == "true" })
  local off = http.get(tg.env.BASE_URL:gsub("127.0.0.1", "localhost") .. "/echo")
  tg.check(off, { ["off-list host refused"] = off.error_code == 1710 })
end
