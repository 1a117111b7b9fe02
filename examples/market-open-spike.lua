-- Market open, Locust-style: users who read the feed or create a post, 8:1
-- (Locust's @task(8)/@task(1)), with think time between(0.1, 0.4), requests grouped
-- by route name, and a server error counted as a failure. The load follows a shape
-- (Locust's LoadTestShape): 200 users for 60 s, a jump to 2,000 users within 30 s
-- (spawned 800 a second), a 600 s hold, then 100 users for 60 s.
--
-- Run (13 minutes):
--   tailgate serve --listen 127.0.0.1:8080 &
--   tailgate run -e BASE_URL=http://127.0.0.1:8080 examples/market-open-spike.lua
-- TIME_SCALE shrinks every duration and USER_SCALE the user counts (the tests use
-- -e TIME_SCALE=0.01 -e USER_SCALE=0.05: 8 s, up to 100 users).
local http = require "tailgate.http"
local tg   = require "tailgate"

local BASE  = tg.env.BASE_URL or "http://127.0.0.1:8080"
local TIME  = tonumber(tg.env.TIME_SCALE or "1")
local USERS = tonumber(tg.env.USER_SCALE or "1")

local function users(n) return math.max(1, math.floor(n * USERS + 0.5)) end

-- Locust's LoadTestShape.tick(): users and spawn rate for the seconds elapsed, nil to end.
function market_open(t)
  t = t / TIME
  if t < 60  then return users(200), users(800) / TIME end
  if t < 690 then return users(2000), users(800) / TIME end   -- 1,800 more in 2.25 s
  if t < 750 then return users(100), users(800) / TIME end
  return nil
end

options = {
  scenarios = {
    market_open = { executor = "shape", shape = "market_open", exec = "user" },
  },
  thresholds = {
    ["http_req_duration{name:/communities/:id/posts}"] = { "p(99)<1200" },
    http_req_failed = { "rate<0.01" },
    checks = { "rate>0.99" },
  },
}

local function read_feed(me)
  local res = http.get(BASE .. "/communities/" .. me.community .. "/posts?limit=10",
                       { tags = { name = "/communities/:id/posts" } })
  tg.check(res, { ["feed is 200"] = res.status == 200 })
end

local function create_post(me)
  local res = http.post(BASE .. "/communities/" .. me.community .. "/posts",
                        { title = "hello", body = "from user " .. tg.vu.id },
                        { tags = { name = "/communities/:id/posts:create" } })
  tg.check(res, { ["post is 201"] = res.status == 201 })
end

local task = tg.weighted { { 8, read_feed }, { 1, create_post } }

-- One call per task, like a Locust user's loop; tg.vu.state plays Locust's `self`.
function user()
  local me = tg.vu.state
  me.community = me.community or ("c" .. (tg.vu.id % 10))
  task(me)
  tg.sleep(tg.between(0.1, 0.4))
end
