-- Hostile servers: a redirect loop (H: hostile.py redirectloop), Locations that are not
-- URLs, and Set-Cookie floods (B: tailgate serve). Everything is bounded and counted.
local http = require "tailgate.http"
local tg = require "tailgate"

local B, H = tg.env.B, tg.env.H
options = { vus = 1, iterations = 1 }

local function enc(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function flood(prefix, n)
  local q = {}
  for i = 1, n do q[i] = "c=" .. enc(prefix .. i .. "=v; Path=/") end
  return B .. "/cookies/set?" .. table.concat(q, "&")
end

function default()
  local r = http.get(H .. "/loop")
  tg.check(r, { ["loop: stops at the limit with 1706"] = function(x)
    return x.status == 302 and x.error_code == 1706
  end })

  for _, loc in ipairs { "javascript:alert(1)", "http://", "http://exa mple.com/", "http://h:99999/",
                         "ftp://x/", "//[::1/x" } do
    r = http.get(B .. "/redirect-to?url=" .. enc(loc))
    tg.check(r, { ["bad Location " .. loc .. ": 1707"] = function(x)
      return x.status == 302 and x.error_code == 1707 and x.error == "bad_redirect_location"
    end })
  end
  r = http.get(B .. "/redirect-to?url=")
  tg.check(r, { ["empty Location: the final response"] = function(x)
    return x.status == 302 and x.error_code == 0
  end })

  http.get(flood("a", 40))
  http.get(flood("b", 40))
  http.get(B .. "/cookies/set?c=" .. enc("big=" .. string.rep("x", 5000) .. "; Path=/")
           .. "&c=novalue&c=" .. enc("d=1; Domain=example.com"))
  local c = http.get(B .. "/echo"):json().headers.cookie or ""
  local n = select(2, c:gsub("=", "="))
  tg.check(n, { ["flood: the jar holds 50 cookies"] = function(x) return x == 50 end })
  r = http.get(flood("c", 70))
  tg.check(r, { ["70 Set-Cookie headers: 1702, not stored"] = function(x) return x.error_code == 1702 end })
end
