-- Data files: a CSV of status codes drives the requests (one row per iteration), a JSON
-- file configures a feed request, a text file is a POST body, and the shared rows are
-- read-only: the writer scenario's iterations fail with the documented message.
local http = require "tailgate.http"
local tg = require "tailgate"

local codes = tg.shared("codes", function() return tg.csv("data/codes.csv") end)
local config = tg.json_file("data/config.json")
local body = tg.open("data/body.txt")

options = {
  scenarios = {
    rows = { executor = "per-vu-iterations", vus = 1, iterations = 3, exec = "rows" },
    feed = { executor = "shared-iterations", vus = 1, iterations = 1, exec = "feed" },
    writer = { executor = "shared-iterations", vus = 1, iterations = 2, exec = "writer" },
  },
  thresholds = { checks = { "rate==1" } },
}

function rows()
  local row = codes[tg.vu.iteration + 1]
  local res = http.get(tg.env.BASE_URL .. "/status/" .. row.code)
  tg.check(res, { ["status from the csv"] = function(r) return r.status == tonumber(row.code) end })
end

function feed()
  local base = tg.env.BASE_URL .. "/communities/" .. config.community .. "/posts"
  local res = http.get(base .. "?limit=" .. config.limit)
  tg.check(res, {
    ["limit from the json"] = function(r) return #r:json().posts == config.limit end,
    ["community from the json"] = function(r) return r:json().community == "tailgate" end,
    ["csv fields"] = #codes == 3 and codes[1].label == "accepted, later"
                     and codes[3].label == 'partial "content"',
  })
  http.post(base, body)
end

function writer()
  codes[1].code = "500"
end
