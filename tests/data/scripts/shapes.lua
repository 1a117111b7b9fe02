-- The shape executor (Locust's LoadTestShape): closed (users, spawn rate) and open (a rate).
local http = require "tailgate.http"
local tg = require "tailgate"

function users(t)          -- 2 users for a second, then 6 (spawning 100/s), then the end
  if t < 1 then return 2, 100 end
  if t < 2 then return 6, 100 end
  return nil
end

function rate(t)           -- 50 iterations a second for two seconds
  if t < 2 then return 50 end
  return nil
end

options = {
  scenarios = {
    closed = { executor = "shape", shape = "users", exec = "visit", gracefulRampDown = "0s" },
    open = { executor = "shape", shape = "rate", open = true, preAllocatedVUs = 10, exec = "hit" },
  },
}

function visit() http.get(tg.env.BASE_URL .. "/health") tg.sleep(0.1) end
function hit() http.get(tg.env.BASE_URL .. "/health") end
