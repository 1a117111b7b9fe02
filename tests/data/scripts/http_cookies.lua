-- The VU's cookie jar against tailgate serve (B) and nginx (N: /login sets a cookie and
-- redirects). Two iterations: each starts with an empty jar.
local http = require "tailgate.http"
local tg = require "tailgate"

local B, N = tg.env.B, tg.env.N
options = { vus = 1, iterations = 2 }

local function enc(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function cookies_at(url, params)
  local c = http.get(url, params):json().headers.cookie
  local set = {}
  for pair in (c or ""):gmatch("[^;]+") do set[(pair:gsub("^%s+", ""))] = true end
  return c, set
end

function default()
  local c = cookies_at(B .. "/echo")
  tg.check(c, { ["iteration starts with an empty jar"] = function(x) return x == nil end })

  http.get(B .. "/cookies/set?c=" .. enc("sid=42; Path=/") .. "&c=" .. enc("scoped=1")
           .. "&c=" .. enc("gone=1; Path=/; Max-Age=0") .. "&c=" .. enc("sec=1; Path=/; Secure"))
  c = cookies_at(B .. "/echo")
  tg.check(c, { ["round trip: sid only (scoped's path, gone's Max-Age, sec is https-only)"] =
    function(x) return x == "sid=42" end })

  local jar = http.cookie_jar()
  local at = jar:cookies_for_url(B .. "/cookies/other")
  tg.check(at, { ["the jar scopes by path"] = function(x) return x.sid == "42" and x.scoped == "1" end })

  local _, set = cookies_at(B .. "/echo", { cookies = { extra = "e", sid = "mine" } })
  tg.check(set, { ["params.cookies add and replace"] = function(x)
    return x["extra=e"] and x["sid=mine"] and not x["sid=42"]
  end })

  jar:set(B .. "/", "api", "k", { path = "/" })
  _, set = cookies_at(B .. "/echo")
  tg.check(set, { ["jar:set is sent"] = function(x) return x["api=k"] and x["sid=42"] end })
  jar:delete(B .. "/", "sid")
  c = cookies_at(B .. "/echo")
  tg.check(c, { ["jar:delete"] = function(x) return x == "api=k" end })
  jar:clear(B .. "/")
  c = cookies_at(B .. "/echo")
  tg.check(c, { ["jar:clear"] = function(x) return x == nil end })
  local ok, err = pcall(jar.set, jar, B .. "/", "bad name", "v")
  tg.check(err, { ["jar:set refuses a bad name"] = function(x)
    return not ok and tostring(x):find("not a token", 1, true) ~= nil
  end })

  -- a cookie set by a redirect hop is sent on the next hop (nginx)
  local r = http.get(N .. "/login")
  tg.check(r, { ["login hop's cookie reaches the next hop"] = function(x)
    return x.status == 200 and x.body == "final GET sess=abc\n"
  end })
end
