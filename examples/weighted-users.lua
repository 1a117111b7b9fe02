-- Locust-style users: each VU reads the feed or writes a post, 8:1 (Locust's
-- @task(8)/@task(1)), with think time between(0.1, 0.4), grouped by route name; a
-- server error counts as a failure. Per-VU state plays Locust's `self`.
-- Run: tailgate run -e BASE_URL=http://127.0.0.1:8080 examples/weighted-users.lua
local http = require "tailgate.http"
local tg   = require "tailgate"

local BASE = tg.env.BASE_URL or "http://127.0.0.1:8080"

local function feed(vu)
  local res = http.get(BASE .. "/communities/" .. vu.community .. "/posts?limit=10",
                       { tags = { name = "/communities/:id/posts" } })
  tg.check(res, { ["feed 200"] = function(r) return r.status == 200 end })
  vu.reads = (vu.reads or 0) + 1
end

local function post(vu)
  local res = http.post(BASE .. "/communities/" .. vu.community .. "/posts",
                        { title = "hello", body = "from VU " .. tg.vu.id },
                        { tags = { name = "/communities/:id/posts:create" } })
  tg.check(res, { ["post 201"] = function(r) return r.status == 201 end })
end

local pick = tg.weighted { { 8, feed }, { 1, post } }

options = {
  vus = 50,
  duration = "1m",
  thresholds = {
    ["http_req_duration{name:/communities/:id/posts}"] = { "p(99)<1200" },
    http_req_failed = { "rate<0.01" },
  },
}

function default()
  local vu = tg.vu.state
  vu.community = vu.community or ("c" .. (tg.vu.id % 10))
  tg.group("browse", function() pick(vu) end)
  tg.sleep(tg.between(0.1, 0.4))
end
