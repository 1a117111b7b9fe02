local http = require "tailgate.http"
local tg = require "tailgate"
options = { vus = 1, iterations = 2 }
function default() http.get(tg.env.BASE_URL .. "/") end
function teardown() local t = nil; return t.field end
