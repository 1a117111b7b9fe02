-- http.batch against tailgate serve (B): order, keys, per-origin limit, redirects and a
-- failure inside a batch, a client's batch, and the bound on a batch's size.
local http = require "tailgate.http"
local tg = require "tailgate"

local B, DOWN = tg.env.B, tg.env.DOWN
options = { vus = 1, iterations = 1 }

function default()
  local reqs = {}
  for i = 1, 5 do reqs[i] = { "GET", B .. "/echo?i=" .. i } end
  local rs = http.batch(reqs)
  tg.check(rs, { ["batch of 5: in order"] = function(x)
    for i = 1, 5 do
      if x[i].status ~= 200 or x[i]:json().target ~= "/echo?i=" .. i then return false end
    end
    return #x == 5
  end })

  local ks = http.batch {
    get = B .. "/echo",
    post = { method = "POST", url = B .. "/echo", body = "abcd", params = { tags = { name = "bpost" } } },
    put = { "PUT", B .. "/echo", "xy" },
  }
  tg.check(ks, { ["keyed batch: same keys"] = function(x)
    return x.get:json().method == "GET" and x.post:json().body_bytes == 4 and x.put:json().method == "PUT"
  end })

  local mixed = http.batch { B .. "/redirect/2", DOWN .. "/", { "GET", B .. "/status/404" } }
  tg.check(mixed, { ["batch: redirects followed, failures in place"] = function(x)
    return x[1].status == 200 and x[1].url == B .. "/redirect/0" and x[2].status == 0
      and x[2].error_code == 1212 and x[3].status == 404
  end })

  -- 12 slow requests to one origin: at most 6 at a time (t_script_http.sh counts connections)
  local slow = {}
  for i = 1, 12 do slow[i] = B .. "/delay/150" end
  local t0 = os.time()
  local ss = http.batch(slow)
  tg.check(ss, { ["batch of 12: all answered"] = function(x)
    for i = 1, 12 do if x[i].status ~= 200 then return false end end
    return #x == 12
  end })

  local c = http.client { base_url = B, headers = { ["X-C"] = "1" } }
  local cs = c:batch { { "GET", "/echo" }, { method = "DELETE", url = "/echo" } }
  tg.check(cs, { ["client batch: base_url and headers"] = function(x)
    return x[1]:json().headers["x-c"] == "1" and x[2]:json().method == "DELETE"
  end })

  tg.check(http.batch {}, { ["empty batch"] = function(x) return next(x) == nil end })

  local too_many = {}
  for i = 1, 21 do too_many[i] = B .. "/" end
  local ok, err = pcall(http.batch, too_many)
  tg.check(err, { ["21 requests are an error"] = function(x)
    return not ok and x:find("at most 20", 1, true) ~= nil
  end })
  ok, err = pcall(http.batch, { { "GET" } })
  tg.check(err, { ["an entry without a URL is an error"] = function(x)
    return not ok and x:find("request 1", 1, true) ~= nil
  end })
end
