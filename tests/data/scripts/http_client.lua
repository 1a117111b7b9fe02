-- http.client (Locust's self.client) against tailgate serve (B): base_url, headers that
-- the script changes, per-request overrides, tags, timeout, a client made mid-iteration.
local http = require "tailgate.http"
local tg = require "tailgate"

local B = tg.env.B
options = { vus = 1, iterations = 1 }

local api = http.client {
  base_url = B .. "/",
  headers = { Authorization = "Bearer x" },
  tags = { service = "api" },
  timeout = "5s",
}

function default()
  local j = api:get("/echo?n=1"):json()
  tg.check(j, {
    ["client: base_url joined"] = function(x) return x.target == "/echo?n=1" end,
    ["client: its headers are sent"] = function(x) return x.headers.authorization == "Bearer x" end,
  })
  api.headers["X-Token"] = "t1"
  j = api:post("echo", "abc", { headers = { Authorization = "Bearer mine" }, tags = { name = "post" } }):json()
  tg.check(j, {
    ["client: updated headers reach the server"] = function(x) return x.headers["x-token"] == "t1" end,
    ["client: the request's header wins"] = function(x) return x.headers.authorization == "Bearer mine" end,
    ["client: method and body"] = function(x) return x.method == "POST" and x.body_bytes == 3 end,
  })
  j = api:request("PATCH", "/echo", nil, { headers = { ["x-token"] = "t2" } }):json()
  tg.check(j, { ["client: header names match without case"] = function(x)
    return x.headers["x-token"] == "t2" and x.method == "PATCH"
  end })
  local r = api:get(B .. "/status/201")
  tg.check(r, { ["client: an absolute URL is used as given"] = function(x) return x.status == 201 end })

  local slow = http.client { base_url = B, timeout = "100ms", redirects = 0 }
  r = slow:get("/delay/2000")
  tg.check(r, { ["client made mid-iteration: its timeout applies"] = function(x) return x.error_code == 1050 end })
  r = slow:get("/redirect/1")
  tg.check(r, { ["client: redirects = 0"] = function(x) return x.status == 302 end })
  r = slow:get("/delay/300", { timeout = "2s" })
  tg.check(r, { ["client: params.timeout wins"] = function(x) return x.status == 200 end })

  local ok, err = pcall(http.client, { base_url = "ftp://x" })
  tg.check(err, { ["client: a bad base_url is an error"] = function(x) return not ok and x:find("base_url", 1, true) end })
  ok, err = pcall(http.client, { base_ulr = B })
  tg.check(err, { ["client: an unknown option is an error"] = function(x) return not ok and x:find("unknown option", 1, true) end })
  ok, err = pcall(api.get, "/echo")
  tg.check(err, { ["client: a method without ':' is an error"] = function(x) return not ok and x:find("':'", 1, true) end })
end
