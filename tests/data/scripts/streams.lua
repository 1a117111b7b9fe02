-- tailgate.ws and tailgate.sse against tailgate serve and tests/integration/hostile.py.
-- MODE selects the part under test (see tests/integration/t_script_ws.sh); every
-- assertion is a check (the test counts the failed ones) or a threshold.
local ws = require "tailgate.ws"
local sse = require "tailgate.sse"
local tg = require "tailgate"

local base = tg.env.BASE_URL or ""
local base_ws = base:gsub("^http", "ws")
local mode = tg.env.MODE

local tick_latency = tg.Trend("tick_latency", true)
local ticks_seen = tg.Counter("ticks_seen")
local tick_gaps = tg.Counter("tick_gaps")

local function ok(name, cond)
  tg.check(cond, { [name] = function(v) return v == true end })
end

if mode == "ticks" then
  options = { vus = 1, iterations = 2,
              summaryTrendStats = { "avg", "min", "max", "p(95)", "count" },
              thresholds = { ["ws_sessions{feed:ticks}"] = { "count==2" } } }
elseif mode == "sse" then
  options = { vus = 1, iterations = 1 }
elseif mode == "many" then
  options = { vus = 200, duration = "3s", thresholds = { ws_errors = { "count==0" } } }
elseif mode == "abort" then
  options = { scenarios = { hold = { executor = "constant-vus", vus = 5, duration = "1s",
                                     gracefulStop = "0s" } } }
elseif mode == "hostile" then
  options = { vus = 1, iterations = 1,
              thresholds = {
                ["ws_errors{error_code:1720}"] = { "count==1" },
                ["ws_errors{error_code:1721}"] = { "count==3" },
                ["ws_errors{error_code:1722}"] = { "count==1" },
                ["ws_errors{error_code:1723}"] = { "count==1" },
                ["ws_errors{error_code:1705}"] = { "count==1" },
                ["sse_errors{error_code:1726}"] = { "count==1" },
                ["sse_errors{error_code:1704}"] = { "count==1" },
              } }
else
  options = { vus = 1, iterations = 1 }
end

-- Ticks from /ws/ticks, the echo of a text and a binary message, two pings, the close handshake.
local function ticks()
  local s = ws.connect(base_ws .. "/ws/ticks", { tags = { feed = "ticks" }, timeout = "5s" })
  ok("101, open", s.status == 101 and not s.closed and s.error_code == 0 and s.error == "")
  local last
  for _ = 1, 10 do
    local m, kind, at = s:receive("2s")
    if not m then break end
    local j = tg.json.decode(m)
    ticks_seen:add(1)
    if last and j.seq ~= last + 1 then tick_gaps:add(1) end
    last = j.seq
    ok("a tick is text", kind == "text")
    tick_latency:add(at - j.ts_us / 1000)
  end
  ok("sent", s:send("hello \u{2603}") == true)
  local echoed = false
  for _ = 1, 100 do
    local m, kind = s:receive("2s")
    if m == "hello \u{2603}" then echoed = kind == "text" break end
  end
  ok("text echoed", echoed)
  ok("binary sent", s:send_binary("\0\1\2\255") == true)
  local bin = false
  for _ = 1, 100 do
    local m, kind = s:receive("2s")
    if kind == "binary" then bin = m == "\0\1\2\255" break end
  end
  ok("binary echoed", bin)
  ok("pings sent", s:ping() and s:ping())
  s:receive(300) -- pongs are timed as they arrive, whatever the script does
  s:close(4001, "bye")
  ok("closed with 4001 'bye'", s.closed and s.close_code == 4001 and s.close_reason == "bye")
  local m, why = s:receive(10)
  ok("receive after close: nil, closed", m == nil and why == "closed")
  ok("send after close: false", s:send("late") == false)
end

-- /sse/ticks: ids, Last-Event-ID resumption (the ids at or before it never come again).
local function sse_ticks()
  local st = sse.connect(base .. "/sse/ticks")
  ok("sse 200, open", st.status == 200 and not st.closed and st.error_code == 0)
  local last
  for _ = 1, 5 do
    local e = st:receive("2s")
    local j = tg.json.decode(e.data)
    ok("event has its tick's id", e.event == "message" and e.id == tostring(j.seq))
    ok("ids go up by 1", last == nil or j.seq == last + 1)
    ok("arrival time", type(e.time) == "number" and e.time >= j.ts_us / 1000)
    tick_latency:add(e.time - j.ts_us / 1000)
    last = j.seq
  end
  st:close()
  -- the last id the stream received (events may wait in the queue beyond what was read)
  ok("closed", st.closed and tonumber(st.last_event_id) >= last)
  tg.sleep(0.4) -- ticks go by meanwhile
  local st2 = sse.connect(base .. "/sse/ticks", { last_event_id = tostring(last) })
  local prev = last
  for i = 1, 5 do
    local e = st2:receive("2s")
    local seq = tonumber(e.id)
    ok("resumed: no id at or before Last-Event-ID", seq > last)
    ok("resumed right after it, in order", seq == prev + 1)
    prev = seq
  end
  ok("last_event_id follows the stream", tonumber(st2.last_event_id) >= prev)
  local st3 = sse.connect(base .. "/sse/ticks", { last_event_id = tostring(last - 3) })
  local e = st3:receive("2s")
  ok("an older Last-Event-ID replays from the one after it", tonumber(e.id) == last - 2)
  local bad = sse.connect(base .. "/status/404")
  ok("a 404 is error 1404", bad.status == 404 and bad.error_code == 1404 and bad.closed)
  local m, why = bad:receive(10)
  ok("a failed stream: nil, closed", m == nil and why == "closed")
  local plain = sse.connect(base .. "/")
  ok("a 200 that is not text/event-stream is 1725", plain.status == 200 and plain.error_code == 1725)
end

-- 200 VUs, each holding a session for 2 s at a time.
local function many()
  local s = ws.connect(base_ws .. "/ws/ticks")
  if s.error_code ~= 0 then return end
  local got = 0
  for _ = 1, 40 do
    local m = s:receive("1s")
    if not m then break end
    got = got + 1
  end
  ticks_seen:add(got)
  -- no close: the iteration's end closes it (1001)
end

local function hold()
  local s = ws.connect(base_ws .. "/ws/ticks")
  while true do s:receive("30s") end
end

local function expect_ws(url, close_code, error_code, first)
  local s = ws.connect(url)
  if first then
    local m = s:receive("2s")
    ok(url .. ": " .. first, m == first)
  end
  local m, why = s:receive("3s")
  ok(url .. ": closed (" .. tostring(why) .. ")", m == nil and why == "closed" and s.closed)
  ok(url .. ": close code " .. tostring(close_code) .. " (got " .. tostring(s.close_code) .. ")",
     s.close_code == close_code)
  ok(url .. ": error " .. error_code .. " (got " .. s.error_code .. ")", s.error_code == error_code)
end

local function flood_ws(url)
  local s = ws.connect(url)
  tg.sleep(1) -- not reading: the queue fills, reading stops, nothing is lost
  local n, in_order = 0, true
  while true do
    local m = s:receive("3s")
    if not m then break end
    n = n + 1
    if tonumber(m:match("^(%d+):")) ~= n or #m ~= 1000 then in_order = false end
  end
  ok("ws flood: 20,000 messages, in order, none lost (" .. n .. ")", n == 20000 and in_order)
  ok("ws flood: then the server's close 1000", s.close_code == 1000 and s.error_code == 0)
end

local function flood_sse(url)
  local st = sse.connect(url)
  tg.sleep(1)
  local n, in_order = 0, true
  while true do
    local e = st:receive("3s")
    if not e then break end
    n = n + 1
    if tonumber(e.id) ~= n or #e.data ~= 1000 - #("id: " .. n .. "\ndata: ") - 2 then
      in_order = false
    end
  end
  ok("sse flood: 20,000 events, in order, none lost (" .. n .. ")", n == 20000 and in_order)
  ok("sse flood: a clean end", st.closed and st.error_code == 0)
end

local function hostile()
  local ports = {}
  for name, port in (tg.env.HOSTILE or ""):gmatch("(%w+_[%w_]+)=(%d+)") do ports[name] = port end
  local function u(name, scheme) return (scheme or "ws") .. "://127.0.0.1:" .. ports[name] .. "/" end
  local s = ws.connect(u("ws_bad_accept"))
  ok("bad accept: 1720, status 101, closed", s.error_code == 1720 and s.status == 101 and s.closed)
  expect_ws(u("ws_masked"), 1002, 1721)
  expect_ws(u("ws_rsv"), 1002, 1721)
  expect_ws(u("ws_garbage"), 1002, 1721)
  expect_ws(u("ws_bad_utf8"), 1007, 1722)
  expect_ws(u("ws_too_big"), 1009, 1723)
  expect_ws(u("ws_eof"), 1006, 1705, "last words")
  flood_ws(u("ws_flood"))
  local big = sse.connect(u("sse_big", "http"))
  local e, why = big:receive("3s")
  ok("sse: an event over 1 MiB is 1726", e == nil and why == "closed" and big.error_code == 1726)
  local bc = sse.connect(u("sse_badchunk", "http"))
  e = bc:receive("2s")
  ok("sse bad chunk: the event before it", e and e.data == "one")
  e, why = bc:receive("2s")
  ok("sse bad chunk: then 1704", e == nil and why == "closed" and bc.error_code == 1704)
  flood_sse(u("sse_flood", "http"))
end

-- The handshake bytes the server received (hostile.py echoes them back).
local function synthetic()
  local s = ws.connect(tg.env.ECHO_WS, { headers = { ["X-Custom"] = "1" } })
  local head = s:receive("2s") or ""
  ok("ws: the synthetic header is in the handshake", head:find("\r\nX-Synthetic-Tenant: loadtest\r\n", 1, true) ~= nil)
  ok("ws: so are the script's headers", head:find("\r\nX-Custom: 1\r\n", 1, true) ~= nil)
  ok("ws: an upgrade", head:find("\r\nUpgrade: websocket\r\n", 1, true) ~= nil)
  s:close()
  ok("ws: the server answered our close", s.closed and s.close_code == 1000 and s.error_code == 0)
  local st = sse.connect(tg.env.ECHO_SSE, { last_event_id = "7" })
  local e = st:receive("2s")
  local data = e and e.data or ""
  ok("sse: the synthetic header is in the request", data:find("\nX-Synthetic-Tenant: loadtest", 1, true) ~= nil)
  ok("sse: Accept and Last-Event-ID", data:find("\nAccept: text/event-stream", 1, true) ~= nil
     and data:find("\nLast-Event-ID: 7", 1, true) ~= nil)
  ok("sse: an event before any id carries the resumed one", e and e.id == "7")
  local ids = {}
  for _ = 1, 3 do
    e = st:receive("2s")
    ids[#ids + 1] = e and (e.id .. "/" .. e.event .. "/" .. e.data)
  end
  ok("sse: events split across chunks and CRLF lines", table.concat(ids, ",") == "1/tick/one,2/message/two,3/message/three")
  e, why = st:receive("2s")
  ok("sse: the chunked body's end is a clean end", e == nil and why == "closed" and st.error_code == 0)
end

local function offlist()
  local other = base_ws:gsub("127.0.0.1", "localhost")
  local s = ws.connect(other .. "/ws/ticks")
  ok("ws: off the allow-list: 1710, never connected", s.error_code == 1710 and s.status == 0 and s.closed)
  local st = sse.connect(base:gsub("127.0.0.1", "localhost") .. "/sse/ticks")
  ok("sse: off the allow-list: 1710", st.error_code == 1710 and st.closed)
  local fine = ws.connect(base_ws .. "/ws/ticks")
  ok("a listed host connects", fine.status == 101)
  fine:close()
end

-- wss:// and https:// through nginx (TLS, a real proxy; nginx re-chunks the SSE body).
local function tls()
  local s = ws.connect(tg.env.WSS_URL)
  if tg.env.EXPECT_TLS_ERROR then
    ok("wss: an untrusted certificate is 1310", s.error_code == 1310 and s.status == 0 and s.closed)
    return
  end
  ok("wss: 101 over TLS through nginx", s.status == 101 and s.error_code == 0)
  local last
  for _ = 1, 3 do
    local m = s:receive("2s")
    local seq = m and tg.json.decode(m).seq
    ok("wss: ticks in order", seq ~= nil and (last == nil or seq == last + 1))
    last = seq
  end
  s:send("over tls")
  local echoed = false
  for _ = 1, 50 do
    if s:receive("2s") == "over tls" then echoed = true break end
  end
  ok("wss: echoed", echoed)
  s:close()
  ok("wss: closed 1000", s.closed and s.close_code == 1000 and s.error_code == 0)
  local st = sse.connect(tg.env.HTTPS_SSE)
  ok("https sse: 200 through nginx", st.status == 200 and st.error_code == 0)
  last = nil
  for _ = 1, 3 do
    local e = st:receive("2s")
    local seq = e and tonumber(e.id)
    ok("https sse: ids in order", seq ~= nil and (last == nil or seq == last + 1))
    last = seq
  end
  st:close()
end

local function errors()
  local function fails(name, pat, f, ...)
    local okc, err = pcall(f, ...)
    ok(name .. " (" .. tostring(err) .. ")", not okc and tostring(err):find(pat, 1, true) ~= nil)
  end
  fails("ws.connect needs ws://", "ws.connect: the URL must start with ws:// or wss://", ws.connect, base .. "/ws/ticks")
  fails("unknown params", "ws.connect: params.bogus is not an option", ws.connect, base_ws .. "/", { bogus = 1 })
  fails("a header the handshake owns", "Upgrade", ws.connect, base_ws .. "/", { headers = { Upgrade = "x" } })
  fails("a bad timeout", "params.timeout", ws.connect, base_ws .. "/", { timeout = "soon" })
  local s = ws.connect(base_ws .. "/ws/ticks")
  fails("send: not UTF-8", "session:send: the text is not valid UTF-8", s.send, s, "\255")
  fails("close: a code that is never sent", "session:close: code 1005 cannot be sent", s.close, s, 1005)
  fails("receive: a bad timeout", "session:receive: timeout", s.receive, s, "soon")
  s:close()
  fails("sse needs http(s)", "sse.connect:", sse.connect, base_ws .. "/sse/ticks")
  fails("sse: a bad last_event_id", "params.last_event_id", sse.connect, base .. "/sse/ticks", { last_event_id = "a\nb" })
  fails("sse: a framing header", "header Transfer-Encoding is the stream's own", sse.connect, base .. "/sse/ticks",
        { headers = { ["Transfer-Encoding"] = "chunked" } })
end

function default()
  if mode == "ticks" then ticks()
  elseif mode == "sse" then sse_ticks()
  elseif mode == "many" then many()
  elseif mode == "abort" then hold()
  elseif mode == "hostile" then hostile()
  elseif mode == "synthetic" then synthetic()
  elseif mode == "offlist" then offlist()
  elseif mode == "errors" then errors()
  elseif mode == "tls" then tls()
  end
end
