-- Exact iteration counts: per-vu-iterations and shared-iterations side by side.
local http = require "tailgate.http"
local tg = require "tailgate"

options = {
  scenarios = {
    each = { executor = "per-vu-iterations", vus = 3, iterations = 4, exec = "each" },
    pool = { executor = "shared-iterations", vus = 2, iterations = 7, exec = "pool",
             startTime = "500ms" },
  },
}

function each() http.get(tg.env.BASE_URL .. "/health") end
function pool() http.post(tg.env.BASE_URL .. "/communities/x/posts", { title = "t" }) end
function default() http.get(tg.env.BASE_URL .. "/") end
