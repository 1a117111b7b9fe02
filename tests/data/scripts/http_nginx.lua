-- Redirects and cookies against nginx (N), an independent server: a chain of 3 (302, 301
-- absolute, 307), a 307 that keeps a POST, and a cookie set on a redirect hop.
local http = require "tailgate.http"
local tg = require "tailgate"

local N = tg.env.N
options = { vus = 1, iterations = 1 }

function default()
  local r = http.post(N .. "/r1", "body")
  tg.check(r, { ["nginx chain: POST became GET, 4 requests"] = function(x)
    return x.status == 200 and x.body == "final GET \n" and x.url == N .. "/final"
  end })
  r = http.post(N .. "/p307", "body")
  tg.check(r, { ["nginx 307 keeps the POST"] = function(x) return x.body == "final POST \n" end })
  r = http.get(N .. "/login")
  tg.check(r, { ["nginx: the login hop's cookie is sent on the next hop"] = function(x)
    return x.body == "final GET sess=abc\n"
  end })
end
