-- Redirects against tailgate serve (B) and a second serve (B2 = http://localhost:P2,
-- B3 = http://127.0.0.1:P2). Every expectation is a check; t_script_http.sh counts the
-- requests each server saw.
local http = require "tailgate.http"
local tg = require "tailgate"

local B, B2, B3 = tg.env.B, tg.env.B2, tg.env.B3
options = { vus = 1, iterations = 1 }

local function enc(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

function default()
  -- a chain of 3 redirects: 4 requests, each its own sample (name "chain")
  local r = http.get(B .. "/redirect/3", { tags = { name = "chain" } })
  tg.check(r, {
    ["chain: 200 at the end"] = function(x) return x.status == 200 and x.error_code == 0 end,
    ["chain: url is the final URL"] = function(x) return x.url == B .. "/redirect/0" end,
    ["chain: the echo saw GET /redirect/0"] = function(x)
      local j = x:json()
      return j.method == "GET" and j.target == "/redirect/0"
    end,
  })

  -- the limit: 2 redirects followed, the third returned with 1706 (3 requests)
  r = http.get(B .. "/redirect/3", { redirects = 2, tags = { name = "limit" } })
  tg.check(r, {
    ["limit: the last redirect is returned"] = function(x)
      return x.status == 302 and x.url == B .. "/redirect/1" and x.headers.Location == "/redirect/0"
    end,
    ["limit: error 1706 too_many_redirects"] = function(x)
      return x.error_code == 1706 and x.error == "too_many_redirects"
    end,
  })

  -- redirects = 0: not followed, no error (1 request)
  r = http.get(B .. "/redirect/1", { redirects = 0 })
  tg.check(r, {
    ["zero: the redirect itself, no error"] = function(x)
      return x.status == 302 and x.error_code == 0 and x.headers.Location == "/redirect/0"
    end,
  })

  -- 301, 302, 303: a POST becomes a GET without its body (2 requests each)
  for _, st in ipairs { 301, 302, 303 } do
    r = http.post(B .. "/redirect/1?status=" .. st, "hello",
                  { headers = { ["Content-Type"] = "text/plain", ["X-Keep"] = "k" } })
    local j = r:json()
    tg.check(j, {
      ["post " .. st .. ": GET without body"] = function(x)
        return x.method == "GET" and x.body_bytes == 0 and x.headers["content-type"] == nil
          and x.headers["content-length"] == nil
      end,
      ["post " .. st .. ": other headers kept"] = function(x) return x.headers["x-keep"] == "k" end,
    })
  end

  -- 307, 308: method and body kept (2 requests each)
  for _, st in ipairs { 307, 308 } do
    r = http.request("PUT", B .. "/redirect/1?status=" .. st, { n = 1 })
    local j = r:json()
    tg.check(j, {
      ["put " .. st .. ": method and body kept"] = function(x)
        return x.method == "PUT" and x.body_bytes == 7 and x.headers["content-type"] == "application/json"
      end,
    })
  end

  -- HEAD stays HEAD through a 303 (2 requests)
  r = http.head(B .. "/redirect/1?status=303")
  tg.check(r, { ["head: followed"] = function(x) return x.status == 200 and x.body == "" end })

  -- an absolute Location (3 requests)
  r = http.get(B .. "/redirect/2?abs=1")
  tg.check(r, {
    ["absolute: followed"] = function(x) return x.status == 200 and x.url == B .. "/redirect/0?abs=1" end,
  })

  -- another host: its own connection; Authorization and the script's cookies are dropped
  r = http.get(B .. "/redirect-to?url=" .. enc(B2 .. "/echo?from=1"),
               { headers = { Authorization = "Bearer s", ["X-Keep"] = "k" }, cookies = { mine = "1" } })
  tg.check(r, {
    ["other host: answered there"] = function(x) return x.status == 200 and x.url == B2 .. "/echo?from=1" end,
    ["other host: no Authorization, no cookies"] = function(x)
      local h = x:json().headers
      return h.authorization == nil and h.cookie == nil and h["x-keep"] == "k"
    end,
  })

  -- the same host on another port keeps them (as Go and k6 do)
  r = http.get(B .. "/redirect-to?status=307&url=" .. enc(B3 .. "/echo"),
               { headers = { Authorization = "Bearer s" }, cookies = { mine = "1" } })
  tg.check(r, {
    ["same host: Authorization and cookies kept"] = function(x)
      local h = x:json().headers
      return h.authorization == "Bearer s" and h.cookie == "mine=1"
    end,
  })
end
