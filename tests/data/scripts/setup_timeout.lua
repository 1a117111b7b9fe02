local http = require "tailgate.http"
local tg = require "tailgate"
options = { vus = 1, iterations = 1, setupTimeout = "1s" }
function setup() http.get(tg.env.BASE_URL .. "/delay/20000") end
function default() end
